import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/engine/errors.js';
import { Rng } from '../../src/engine/random.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { parseSafetensors, serializeSafetensors, type Safetensors } from '../../src/model/safetensors.js';
import { readSafetensorsFile } from '../../src/io/safetensorsFile.js';
import { readModelFiles, tokenizerFromFiles } from '../../src/model/import/modelFiles.js';
import { readTextCorpus } from '../../src/io/corpus.js';
import { trainBpe } from '../../src/tokenize/index.js';
import { readFile } from 'node:fs/promises';
import { ROOT } from '../cli/run.js';

// Seeded fuzzing of what users feed circuitscope: safetensors files, config.json, tokenizer.json, corpora.
// Every case either reads (and what it returns is consistent) or fails with an InputError of one line naming the
// file; nothing else is thrown, and no case allocates beyond a bound of the input's size.
// CIRCUITSCOPE_FUZZ=long runs 20 times as many cases; CIRCUITSCOPE_FUZZ_SEED picks another seed.

const LONG = process.env['CIRCUITSCOPE_FUZZ'] === 'long';
const N = LONG ? 40_000 : 2_000;
const SEED = Number(process.env['CIRCUITSCOPE_FUZZ_SEED'] ?? 18);
const enc = new TextEncoder();

function expectOneLine(fn: () => unknown, where: string, what: string): 'ok' | 'refused' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof InputError)) throw new Error(`${what}: threw ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
    assert.ok(!e.message.includes('\n'), `${what}: one line, got ${JSON.stringify(e.message)}`);
    assert.ok(e.message.includes(where), `${what}: names ${where}: ${e.message}`);
    return 'refused';
  }
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)]!;
const int = (rng: Rng, n: number) => Math.floor(rng.uniform() * n);

function validFile(): Uint8Array {
  const t = (dtype: Tensor['dtype'], shape: number[], data: Tensor['data']) => ({ dtype, shape, data }) as Tensor;
  return serializeSafetensors({
    a: t('float32', [3, 4], Float32Array.from({ length: 12 }, (_, i) => i / 7)),
    b: t('int64', [2], BigInt64Array.from([1n, -2n])),
    c: t('float32', [0], new Float32Array(0)),
    d: t('int32', [5], Int32Array.from([1, 2, 3, 4, 5])),
  }, { format: 'pt' });
}

function withHeader(header: unknown, data: Uint8Array, rawJson?: string): Uint8Array {
  const json = enc.encode(rawJson ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const WEIRD: readonly unknown[] = [null, true, -1, 1.5, 2 ** 53, 1e308, 'x', '', [], {}, [1], [-1, 2], [2, 1], [0, 1e15], 'F32', NaN];

function mutateSafetensors(rng: Rng, base: Uint8Array): Uint8Array {
  const view = new DataView(base.buffer, base.byteOffset);
  const hlen = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(base.subarray(8, 8 + hlen))) as Record<string, Record<string, unknown>>;
  const data = base.subarray(8 + hlen);
  switch (int(rng, 9)) {
    case 0: return base.subarray(0, int(rng, base.length)); // truncated
    case 1: { // header length beyond the file, huge, or off by a little
      const out = base.slice();
      const lens = [BigInt(base.length), 2n ** 63n, 2n ** 64n - 1n, BigInt(hlen + 1 + int(rng, 16)), BigInt(Math.max(0, hlen - 1 - int(rng, 16))), 0n, 200_000_000n];
      new DataView(out.buffer).setBigUint64(0, pick(rng, lens), true);
      return out;
    }
    case 2: { // an entry's field replaced by something odd
      const name = pick(rng, Object.keys(header).filter((k) => k !== '__metadata__'));
      header[name]![pick(rng, ['dtype', 'shape', 'data_offsets'])] = pick(rng, WEIRD);
      return withHeader(header, data);
    }
    case 3: { // offsets moved out of range or onto another tensor
      const name = pick(rng, ['a', 'b', 'd']);
      const [b, e] = header[name]!['data_offsets'] as number[];
      const shift = pick(rng, [-8, -4, 4, 8, data.length, -b!]);
      header[name]!['data_offsets'] = [b! + shift, e! + shift];
      return withHeader(header, data);
    }
    case 4: // dtype and shape that disagree with the byte length
      header['a']!['dtype'] = pick(rng, ['F16', 'BF16', 'F64', 'I32', 'U8', 'BOOL', 'I8', 'F8_E4M3', 'complex64']);
      if (rng.uniform() < 0.5) header['a']!['shape'] = [int(rng, 10), int(rng, 10)];
      return withHeader(header, data);
    case 5: { // invalid JSON: random bytes, a cut header, or not an object
      const raw = pick(rng, ['', '{', '[1,2]', '"x"', 'null', '{"a":', String.fromCharCode(...Array.from({ length: 40 }, () => int(rng, 256))), '{"__metadata__": 5}', '{"__metadata__": {"k": 1}}']);
      return withHeader(null, data, raw);
    }
    case 6: { // a huge header of valid JSON (bounded: a few MB), claimed beyond the file or not
      const big = `{"x":"${'a'.repeat(1 << (16 + int(rng, 6)))}"}`;
      return withHeader(null, data, big);
    }
    case 7: { // random bytes flipped anywhere
      const out = base.slice();
      for (let k = 0; k < 1 + int(rng, 8); k++) out[int(rng, out.length)] = int(rng, 256);
      return out;
    }
    default: { // NaN and infinite weights: a valid file (the reader reads it; analyses refuse it)
      const f = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + 48));
      f[int(rng, 12)] = pick(rng, [NaN, Infinity, -Infinity]);
      const d2 = data.slice();
      d2.set(new Uint8Array(f.buffer), (header['a']!['data_offsets'] as number[])[0]!);
      return withHeader(header, d2);
    }
  }
}

test(`safetensors reader: ${N} seeded hostile files, each read consistently or refused in one line`, () => {
  const rng = new Rng(SEED);
  const base = validFile();
  const counts = { ok: 0, refused: 0 };
  const started = performance.now();
  const heap = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < N; i++) {
    const bytes = mutateSafetensors(rng, base);
    const r = expectOneLine(() => {
      const st = parseSafetensors(bytes, 'fuzz.safetensors');
      for (const [name, t] of Object.entries(st.tensors)) {
        assert.equal(t.data.length, t.shape.reduce((a, b) => a * b, 1), `case ${i}: tensor ${name}`);
      }
    }, 'fuzz.safetensors', `case ${i}`);
    counts[r]++;
  }
  assert.ok(counts.refused > N / 2 && counts.ok > 0, JSON.stringify(counts));
  assert.ok(process.memoryUsage().arrayBuffers - heap < 256 * 2 ** 20, 'no unbounded allocation');
  console.log(`# safetensors: ${JSON.stringify(counts)} in ${(performance.now() - started).toFixed(0)} ms`);
});

test(`safetensors files on disk (the path users take): ${N / 4} seeded hostile files, read as from memory or refused alike`, async () => {
  // readModelDir streams each file through openSafetensorsFile: the same outcome and message as the bytes reader.
  const rng = new Rng(SEED + 1);
  const base = validFile();
  const dir = await mkdtemp(join(tmpdir(), 'cs-fuzz-st-'));
  const path = join(dir, 'fuzz.safetensors');
  const counts = { ok: 0, refused: 0 };
  for (let i = 0; i < N / 4; i++) {
    const bytes = mutateSafetensors(rng, base);
    writeFileSync(path, bytes);
    let mem: Safetensors | string;
    try { mem = parseSafetensors(bytes, path); } catch (e) { mem = (e as Error).message; }
    const r = expectOneLine(() => {
      const st = readSafetensorsFile(path)!;
      assert.ok(typeof mem !== 'string', `case ${i}: read from disk but refused in memory: ${String(mem)}`);
      assert.deepEqual(st.metadata, mem.metadata, `case ${i}`);
      assert.deepEqual(Object.keys(st.tensors), Object.keys(mem.tensors), `case ${i}`);
      for (const [name, t] of Object.entries(st.tensors)) assert.deepEqual(t, mem.tensors[name], `case ${i}: tensor ${name}`);
    }, path, `file case ${i}`);
    if (r === 'refused') {
      assert.equal(typeof mem, 'string', `case ${i}: refused from disk but read in memory`);
      assert.throws(() => readSafetensorsFile(path), (e: unknown) => (e as Error).message === mem, `case ${i}: same message`);
    }
    counts[r]++;
  }
  assert.ok(counts.refused > N / 8 && counts.ok > 0, JSON.stringify(counts));
});

test(`config.json: ${N / 2} seeded mutations of a real config, each imported or refused in one line naming the file`, async () => {
  const dir = join(ROOT, 'test/fixtures/attn-only-2l');
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const weights = new Uint8Array(await readFile(join(dir, 'model.safetensors')));
  const rng = new Rng(SEED + 1);
  const fields = Object.keys(config);
  const values: unknown[] = [...WEIRD, 0, 1, 2, 3, 4, 1e9, 1e12, -5, 'LN', 'gelu', 'standard', 'nope', { n: 1 }];
  const counts = { ok: 0, refused: 0 };
  for (let i = 0; i < N / 2; i++) {
    const c: Record<string, unknown> = { ...config };
    for (let k = 0; k < 1 + int(rng, 3); k++) {
      const op = int(rng, 4);
      if (op === 0) delete c[pick(rng, fields)];
      else if (op === 1) c[`unknown_${int(rng, 3)}`] = pick(rng, values);
      else c[pick(rng, fields)] = pick(rng, values);
    }
    const raw = int(rng, 20) === 0 ? JSON.stringify(c).slice(0, int(rng, 40)) : JSON.stringify(c);
    counts[expectOneLine(() => readModelFiles({ 'config.json': enc.encode(raw), 'model.safetensors': weights }, (n) => `fixture/${n}`), 'fixture/', `config case ${i}: ${raw.slice(0, 200)}`)]++;
  }
  assert.ok(counts.refused > 0 && counts.ok > 0, JSON.stringify(counts));
  console.log(`# config.json: ${JSON.stringify(counts)}`);
});

test(`tokenizer.json: ${N / 2} seeded mutations, each read or refused in one line naming the file`, () => {
  const bpe = trainBpe(['the cat sat on the mat', 'a dog ran to the cat'], { vocabSize: 290 }).toJSON() as unknown as Record<string, unknown>;
  const bases: Record<string, unknown>[] = [bpe, { type: 'bytes', version: 1 }, { type: 'gpt2', version: 1 }];
  const rng = new Rng(SEED + 2);
  const counts = { ok: 0, refused: 0 };
  for (let i = 0; i < N / 2; i++) {
    const t: Record<string, unknown> = structuredClone(pick(rng, bases));
    const keys = Object.keys(t);
    for (let k = 0; k < 1 + int(rng, 2); k++) {
      const key = pick(rng, keys);
      const v = t[key];
      if (Array.isArray(v) && v.length > 0 && rng.uniform() < 0.5) {
        const arr = [...v];
        arr[int(rng, arr.length)] = pick(rng, WEIRD);
        t[key] = rng.uniform() < 0.3 ? arr.slice(0, int(rng, arr.length)) : arr;
      } else if (rng.uniform() < 0.3) delete t[key];
      else t[key] = pick(rng, [...WEIRD, 'bpe', 'chars', 2, 0]);
    }
    const raw = int(rng, 20) === 0 ? '{"type": "bpe", ' : JSON.stringify(t);
    counts[expectOneLine(() => tokenizerFromFiles({ 'tokenizer.json': enc.encode(raw) }, null, (n) => `run/${n}`), 'run/tokenizer.json', `tokenizer case ${i}: ${raw.slice(0, 200)}`)]++;
  }
  assert.ok(counts.refused > 0 && counts.ok > 0, JSON.stringify(counts));
  console.log(`# tokenizer.json: ${JSON.stringify(counts)}`);
});

test('corpora: empty, binary, invalid UTF-8, one huge line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-corpus-'));
  const rng = new Rng(SEED + 3);
  const files: Record<string, Uint8Array | string> = {
    'empty.txt': '', 'blank.txt': '\n\n  \r\n', 'binary.txt': Uint8Array.from({ length: 5000 }, () => int(rng, 256)),
    'latin1.txt': Uint8Array.from({ length: 3000 }, (_, i) => (i % 2 ? 0xe9 : 0x41)), 'nul.txt': 'text\u0000more text',
    'huge-line.txt': 'word '.repeat(LONG ? 4_000_000 : 400_000), 'bom.txt': '\ufeffhello\r\nworld', 'ok.txt': 'a few honest words',
  };
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const outcome: Record<string, string> = {};
  for (const name of Object.keys(files)) {
    try {
      const docs = await readTextCorpus(join(dir, name));
      outcome[name] = `ok ${docs[0]!.text.length}`;
    } catch (e) {
      assert.ok(e instanceof InputError, `${name}: ${(e as Error).message}`);
      assert.ok(!e.message.includes('\n') && e.message.includes(name), e.message);
      outcome[name] = 'refused';
    }
  }
  assert.deepEqual(outcome, {
    'empty.txt': 'refused', 'blank.txt': 'refused', 'binary.txt': 'refused', 'latin1.txt': 'refused', 'nul.txt': 'refused',
    'huge-line.txt': `ok ${(files['huge-line.txt'] as string).length}`, 'bom.txt': 'ok 11', 'ok.txt': 'ok 18',
  });
});
