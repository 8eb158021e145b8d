// The safetensors reader and writer: round trips, the dtypes it widens, zero-copy views, and every malformed file
// it must refuse with a one-line message naming the file and the tensor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tensor, type Tensor } from '../../src/engine/tensor.js';
import { parseSafetensors, serializeSafetensors, SafetensorsError } from '../../src/model/safetensors.js';

/** A file from a header object and a data region of `dataLen` bytes (or the given bytes). */
function raw(header: unknown, data: number | Uint8Array = 0, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

function rejects(bytes: Uint8Array, ...fragments: (string | RegExp)[]): void {
  assert.throws(() => parseSafetensors(bytes, 'bad.safetensors'), (e: unknown) => {
    assert.ok(e instanceof SafetensorsError, String(e));
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    assert.ok(e.message.startsWith('bad.safetensors: '), e.message);
    for (const f of fragments) assert.match(e.message, typeof f === 'string' ? new RegExp(f.replace(/[[\]().*+?^$|\\]/g, '\\$&')) : f);
    return true;
  });
}

const sample: Record<string, Tensor> = {
  'b.weight': tensor(Float32Array.from([1.5, -2, 3.25, 1e-30, Infinity, -0]), [2, 3]),
  'a.f64': tensor(Float64Array.from([Math.PI, -1e300]), [2]),
  'c.i64': tensor(BigInt64Array.from([-(2n ** 62n), 7n, 0n]), [3]),
  'd.i32': tensor(Int32Array.from([-5, 2 ** 31 - 1]), [1, 2]),
  'e.mask': tensor(Uint8Array.from([1, 0, 1]), [3]),
  'f.scalar': tensor(Float32Array.from([42]), []),
  'g.empty': tensor(new Float32Array(0), [0, 4]),
};

test('round trip keeps every dtype, shape, value and the metadata', () => {
  const bytes = serializeSafetensors(sample, { format: 'pt', note: 'hello' });
  const { tensors, metadata } = parseSafetensors(bytes, 'mem');
  assert.deepEqual(metadata, { format: 'pt', note: 'hello' });
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(sample).sort());
  for (const [name, t] of Object.entries(sample)) {
    const r = tensors[name]!;
    assert.equal(r.dtype, t.dtype, name);
    assert.deepEqual(r.shape, t.shape, name);
    assert.deepEqual(Array.from(r.data as ArrayLike<unknown>), Array.from(t.data as ArrayLike<unknown>), name);
    assert.ok(Object.is(r.data[r.data.length - 1], t.data[t.data.length - 1]) || t.data.length === 0, `${name} bit-exact`);
  }
});

test('writes a header padded to 8 bytes and tensors packed in name order', () => {
  const bytes = serializeSafetensors(sample);
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets: [number, number] }>;
  assert.ok(!('__metadata__' in header), 'no metadata written when none given');
  const names = Object.keys(header).sort();
  let at = 0;
  for (const name of names) {
    assert.equal(header[name]!.data_offsets[0], at, name);
    at = header[name]!.data_offsets[1];
  }
  assert.equal(bytes.length, 8 + n + at);
});

test('aligned tensors are views of the file; unaligned ones are copied with the same values', () => {
  const bytes = serializeSafetensors({ x: tensor(Float32Array.from([1, 2, 3]), [3]), y: tensor(Float64Array.from([4, 5]), [2]) });
  const aligned = parseSafetensors(bytes, 'aligned').tensors;
  assert.equal(aligned['x']!.data.buffer, bytes.buffer, 'zero-copy float32');
  // The same file one byte into a larger buffer: no float array can view it in place.
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  const moved = parseSafetensors(shifted.subarray(1), 'shifted').tensors;
  assert.notEqual(moved['x']!.data.buffer, shifted.buffer);
  assert.deepEqual(Array.from(moved['x']!.data as Float32Array), [1, 2, 3]);
  assert.deepEqual(Array.from(moved['y']!.data as Float64Array), [4, 5]);
});

test('F16 and BF16 become float32, U8 becomes int32', () => {
  // F16: 1, -2, 0.5, 65504 (largest), 2^-24 (smallest subnormal), +inf
  const f16 = Uint16Array.from([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00]);
  // BF16: the top halves of float32 1, -3, 2^-130 (subnormal in float32)
  const bf16 = Uint16Array.from([0x3f80, 0xc040, 0x0008]);
  const u8 = Uint8Array.from([0, 1, 200, 255]);
  const data = new Uint8Array(12 + 6 + 4);
  data.set(new Uint8Array(f16.buffer), 0);
  data.set(new Uint8Array(bf16.buffer), 12);
  data.set(u8, 18);
  const { tensors } = parseSafetensors(raw({
    h: { dtype: 'F16', shape: [2, 3], data_offsets: [0, 12] },
    b: { dtype: 'BF16', shape: [3], data_offsets: [12, 18] },
    u: { dtype: 'U8', shape: [4], data_offsets: [18, 22] },
  }, data), 'halves');
  assert.equal(tensors['h']!.dtype, 'float32');
  assert.deepEqual(Array.from(tensors['h']!.data as Float32Array), [1, -2, 0.5, 65504, 2 ** -24, Infinity]);
  assert.deepEqual(Array.from(tensors['b']!.data as Float32Array), [1, -3, Math.fround(2 ** -130)]);
  assert.equal(tensors['u']!.dtype, 'int32');
  assert.deepEqual(Array.from(tensors['u']!.data as Int32Array), [0, 1, 200, 255]);
});

test('reads every file the PyTorch fixture scripts wrote (float32, float16, bfloat16, shards)', () => {
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.safetensors') ? [join(dir, d.name)] : []);
  const all = files('test/fixtures');
  assert.ok(all.length >= 20, `${all.length} files`);
  for (const f of all) {
    const { tensors } = parseSafetensors(new Uint8Array(readFileSync(f)), f);
    assert.ok(Object.keys(tensors).length > 0, f);
    for (const [k, t] of Object.entries(tensors)) if (t.dtype === 'float32') assert.ok((t.data as Float32Array).every((x) => !Number.isNaN(x)), `${f} ${k}`);
  }
});

test('refuses a file too short for the header length, and a header length past the end', () => {
  rejects(new Uint8Array(5), 'too short');
  const ok = serializeSafetensors({ x: tensor(Float32Array.from([1]), [1]) });
  const corrupt = ok.slice();
  new DataView(corrupt.buffer).setBigUint64(0, BigInt(ok.length), true);
  rejects(corrupt, 'header length', 'past the end');
  new DataView(corrupt.buffer).setBigUint64(0, 2n ** 63n, true);
  rejects(corrupt, 'past the end');
});

test('refuses a header that is not JSON, or not a JSON object', () => {
  rejects(raw(null, 0, '{"x": {"dtype": "F32",'), 'not valid JSON');
  rejects(raw([1, 2]), 'not a JSON object');
  rejects(raw(null, 0, '\xff\xfe'), 'not valid JSON');
});

test('refuses an unknown dtype, naming the tensor', () => {
  rejects(raw({ 'blocks.0.attn.W_Q': { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, 2), 'tensor blocks.0.attn.W_Q', 'unknown dtype "F8_E4M3"');
  rejects(raw({ w: { shape: [1], data_offsets: [0, 4] } }, 4), 'tensor w', 'unknown dtype');
});

test('refuses offsets outside the data region, or not matching dtype x shape', () => {
  rejects(raw({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 12), 'tensor w', 'outside the data region of 12 bytes');
  rejects(raw({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 4] } }, 12), 'tensor w', 'outside');
  rejects(raw({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, 16), 'tensor w', 'span 12 bytes', 'needs 16');
  rejects(raw({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 4] } }, 16), 'needs 8');
  rejects(raw({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4), 'tensor w', 'data_offsets');
  rejects(raw({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), 'tensor w', 'shape');
  rejects(raw({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, 4), 'tensor w', 'shape');
});

test('refuses overlapping tensors, naming both', () => {
  rejects(raw({
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
  }, 12), /tensor (a|b) .*overlaps tensor (a|b)/);
  rejects(raw({
    a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
    b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
  }, 4), 'overlaps');
  // An empty tensor owns no bytes, wherever its offsets point.
  assert.doesNotThrow(() => parseSafetensors(raw({
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] },
  }, 8), 'ok'));
});

test('refuses malformed metadata, and refuses to write a tensor whose data does not fill its shape', () => {
  rejects(raw({ __metadata__: { format: 1 } }), '__metadata__ value format');
  rejects(raw({ __metadata__: [] }), '__metadata__');
  assert.throws(() => serializeSafetensors({ w: { dtype: 'float32', shape: [3], data: new Float32Array(2) } }), /tensor w has shape \[3\] but 2 elements/);
});

test('lazyHalf widens float16 and bfloat16 tensors on each read, to the same values as the eager reader', () => {
  for (const f of ['test/fixtures/arch/gemma/model.safetensors', 'test/fixtures/arch/mistral/model.safetensors']) {
    const bytes = new Uint8Array(readFileSync(f));
    const eager = parseSafetensors(bytes, f).tensors;
    const lazy = parseSafetensors(bytes, f, { lazyHalf: true }).tensors;
    assert.deepEqual(Object.keys(lazy).sort(), Object.keys(eager).sort());
    const name = 'model.embed_tokens.weight';
    assert.notEqual(lazy[name]!.data, lazy[name]!.data, 'a fresh array per read: nothing widened is kept');
    assert.deepEqual(Array.from(lazy[name]!.data as Float32Array), Array.from(eager[name]!.data as Float32Array));
  }
});
