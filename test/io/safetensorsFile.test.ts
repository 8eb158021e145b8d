// safetensors files read from disk piecewise (src/io/safetensorsFile.ts, what readModelDir uses): the same tensors
// as the in-memory reader, half precision widened across chunk boundaries to exact values, the same one-line
// refusals, and no file left open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/engine/errors.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { openSafetensorsFile, readSafetensorsFile } from '../../src/io/safetensorsFile.js';
import { readModelDir } from '../../src/io/modelDir.js';
import { parseSafetensors, serializeSafetensors } from '../../src/model/safetensors.js';

function withHeader(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

test('every fixture file reads from disk to the same tensors and metadata as from its bytes', () => {
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.safetensors') ? [join(dir, d.name)] : []);
  const all = files('test/fixtures');
  assert.ok(all.length >= 20, `${all.length} files`);
  for (const f of all) {
    const mem = parseSafetensors(new Uint8Array(readFileSync(f)), f);
    const disk = readSafetensorsFile(f)!;
    assert.deepEqual(disk.metadata, mem.metadata, f);
    assert.deepEqual(Object.keys(disk.tensors).sort(), Object.keys(mem.tensors).sort(), f);
    for (const [k, t] of Object.entries(mem.tensors)) {
      const d = disk.tensors[k]!;
      assert.equal(d.dtype, t.dtype, `${f} ${k}`);
      assert.deepEqual(d.shape, t.shape, `${f} ${k}`);
      assert.deepEqual(d.data, t.data, `${f} ${k}`);
    }
  }
});

test('every dtype, an unaligned offset, and F16/BF16 tensors spanning several read chunks widen to exact values', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-stfile-'));
  // 700k elements = 1.4 MB of half precision: more than one 1 MB chunk, ending mid-chunk.
  const n = 700_001;
  // Exactly representable in both (bfloat16 keeps 8 significant bits): integers in [-128, 128) scaled by 2^-k.
  const want = Float32Array.from({ length: n }, (_, i) => (((i * 7919) % 256) - 128) / 2 ** (i % 8));
  const bf16 = new Uint16Array(n);
  new Uint32Array(want.buffer).forEach((u, i) => { bf16[i] = u >>> 16; });
  // float16 by hand: every value is a normal float16 (|v| >= 2^-7), so sign, biased exponent and 10-bit fraction.
  const f16 = new Uint16Array(n);
  want.forEach((v, i) => {
    if (v === 0) return;
    const s = v < 0 ? 0x8000 : 0;
    const a = Math.abs(v);
    const e = Math.floor(Math.log2(a));
    f16[i] = s | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
  });
  const u8 = Uint8Array.from([0, 1, 200, 255, 7]);
  const f64 = Float64Array.from([Math.PI, -1e300]);
  const i64 = BigInt64Array.from([-(2n ** 62n), 5n]);
  const parts: [string, string, number[], Uint8Array][] = [
    ['u', 'U8', [5], u8],
    ['f', 'F32', [2, 2], new Uint8Array(Float32Array.from([1.5, -2, 3e-8, 4]).buffer)], // at byte 5: unaligned
    ['h', 'F16', [n], new Uint8Array(f16.buffer)],
    ['b', 'BF16', [n], new Uint8Array(bf16.buffer)],
    ['d', 'F64', [2], new Uint8Array(f64.buffer)],
    ['l', 'I64', [2], new Uint8Array(i64.buffer)],
    ['q', 'BOOL', [3], Uint8Array.from([1, 0, 1])],
    ['z', 'F32', [0, 3], new Uint8Array(0)],
  ];
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let at = 0;
  for (const [name, dtype, shape, bytes] of parts) {
    header[name] = { dtype, shape, data_offsets: [at, at + bytes.length] };
    at += bytes.length;
  }
  const data = new Uint8Array(at);
  at = 0;
  for (const [, , , bytes] of parts) { data.set(bytes, at); at += bytes.length; }
  const path = join(dir, 'all.safetensors');
  writeFileSync(path, withHeader(header, data));
  const fds = openFds();
  const st = readSafetensorsFile(path)!;
  assert.equal(openFds(), fds, 'closed');
  const t = (k: string): Tensor => st.tensors[k]!;
  assert.deepEqual(st.metadata, { format: 'pt' });
  assert.deepEqual([t('u').dtype, Array.from(t('u').data as Int32Array)], ['int32', [0, 1, 200, 255, 7]]);
  assert.deepEqual(Array.from(t('f').data as Float32Array), [1.5, -2, Math.fround(3e-8), 4]);
  assert.deepEqual(t('f').shape, [2, 2]);
  assert.deepEqual(t('h').data, want);
  assert.deepEqual(t('b').data, want);
  assert.deepEqual(Array.from(t('d').data as Float64Array), [Math.PI, -1e300]);
  assert.deepEqual(Array.from(t('l').data as BigInt64Array), [-(2n ** 62n), 5n]);
  assert.deepEqual([t('q').dtype, Array.from(t('q').data as Uint8Array)], ['bool', [1, 0, 1]]);
  assert.deepEqual([t('z').shape, t('z').data.length], [[0, 3], 0]);
});

test('malformed files are refused with the in-memory reader\'s message, naming the path, and leave no file open', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-stfile-'));
  const good = serializeSafetensors({ a: { dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) } as Tensor });
  const cases: Uint8Array[] = [
    good.subarray(0, 5),
    good.subarray(0, good.length - 1),
    withHeader({ a: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2)),
    withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
    (() => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 2n ** 63n, true); return b; })(),
  ];
  const fds = openFds();
  cases.forEach((bytes, i) => {
    const path = join(dir, `bad${i}.safetensors`);
    writeFileSync(path, bytes);
    let expected = '';
    try { parseSafetensors(bytes, path); } catch (e) { expected = (e as Error).message; }
    assert.ok(expected.startsWith(`${path}: `), `case ${i} is refused in memory`);
    assert.throws(() => openSafetensorsFile(path), (e: unknown) => e instanceof InputError && e.message === expected, `case ${i}`);
  });
  assert.equal(openFds(), fds, 'every refused file closed');
  assert.equal(openSafetensorsFile(join(dir, 'missing.safetensors')), null);
  assert.throws(() => openSafetensorsFile(dir), (e: unknown) => e instanceof InputError && e.message.startsWith(`${dir}: `) && !e.message.includes('\n'));
});

test('readModelDir streams a sharded checkpoint to the same weights as its bytes give, and closes every shard', async () => {
  const { readModelFiles } = await import('../../src/model/import/modelFiles.js');
  const dir = 'test/fixtures/arch/llama';
  const names = readdirSync(dir).filter((f) => f === 'config.json' || f.includes('.safetensors'));
  assert.ok(names.includes('model.safetensors.index.json'), 'the llama fixture is sharded');
  const files = Object.fromEntries(names.map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
  const mem = readModelFiles(files, (n) => join(dir, n));
  const fds = openFds();
  const disk = await readModelDir(dir);
  assert.equal(openFds(), fds, 'closed');
  assert.equal(disk.format, mem.format);
  assert.deepEqual(disk.config, mem.config);
  assert.deepEqual(Object.keys(disk.weights).sort(), Object.keys(mem.weights).sort());
  for (const [k, t] of Object.entries(mem.weights)) assert.deepEqual(disk.weights[k], t, k);
});
