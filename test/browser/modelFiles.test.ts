// The core's model files from and to bytes (src/model/import/modelFiles.ts): the same detection and errors as
// Node's loadModel, and the exact bytes Node's writeModelDir and RunDir.saveCheckpoint put on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModelDir } from '../../src/io/modelDir.js';
import { RunDir } from '../../src/io/runDir.js';
import { loadModel } from '../../src/io/loadModel.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { checkpointToFiles, modelToFiles, readModelFiles, tokenizerFromFiles } from '../../src/model/import/modelFiles.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { validateConfig } from '../../src/model/config.js';
import { initWeights } from '../../src/model/weights.js';
import { ByteTokenizer } from '../../src/tokenize/index.js';
import { fixtureFiles } from './fixtures.js';

installNodeRuntime();

test('readModelFiles detects each fixture\'s format as Node\'s readModelDir does', async () => {
  const want: Record<string, string> = {
    'attn-only-2l': 'circuitscope', 'tl-statedict': 'transformerlens', 'gpt2-hf': 'hf-gpt2', 'gpt2-hf-noprefix': 'hf-gpt2',
  };
  for (const [name, format] of Object.entries(want)) {
    const { config, format: got } = readModelFiles(await fixtureFiles(name));
    assert.equal(got, format, name);
    assert.ok(config.n_layers >= 1);
  }
});

test('readModelFiles: bad files give one line naming the file and what was expected', async () => {
  const files = await fixtureFiles('attn-only-2l');
  const only = (names: string[]) => Object.fromEntries(names.map((n) => [n, files[n]!]));
  assert.throws(() => readModelFiles({}), { message: 'config.json: no such file' });
  assert.throws(() => readModelFiles(only(['config.json'])), /model\.safetensors: no such file/);
  const bad = { ...files, 'config.json': new TextEncoder().encode('{ nope') };
  assert.throws(() => readModelFiles(bad, (n) => `run/${n}`), (e: Error) => /^run\/config\.json: not valid JSON/.test(e.message) && !e.message.includes('\n'));
  const truncated = { ...files, 'model.safetensors': files['model.safetensors']!.subarray(0, 100) };
  assert.throws(() => readModelFiles(truncated), (e: Error) => e.message.startsWith('model.safetensors') && !e.message.includes('\n'));
  const badTok = { ...files, 'tokenizer.json': new TextEncoder().encode('{"type":"nope"}') };
  assert.throws(() => tokenizerFromFiles(badTok, null), /: tokenizer\.json: tokenizer JSON has unknown type "nope"/);
});

test('modelToFiles and checkpointToFiles give the bytes Node writes; they load back with loadModel', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-files-'));
  try {
    const cfg = validateConfig({ n_layers: 1, d_model: 8, n_heads: 2, d_vocab: 257, n_ctx: 8, attn_only: true, seed: 3, tokenizer_name: 'bytes', bos_token_id: 256 });
    const weights = initWeights(cfg);
    const tok = `${JSON.stringify(new ByteTokenizer().toJSON(), null, 2)}\n`;
    await writeModelDir(join(dir, 'a'), cfg, weights, { 'tokenizer.json': tok });
    const files = modelToFiles(cfg, weights, { 'tokenizer.json': tok });
    assert.deepEqual(Object.keys(files), ['tokenizer.json', 'model.safetensors', 'config.json']);
    for (const name of await readdir(join(dir, 'a'))) assert.deepEqual(new Uint8Array(await readFile(join(dir, 'a', name))), files[name], name);

    const ckpt = { step: 7, tokens: 70, weights, m: initWeights(cfg, 1), v: initWeights(cfg, 2), optimizerStep: 7, data: { phase: 1, at: [3, 4] }, phase: { seqLen: 8, since: 5 } };
    await new RunDir(join(dir, 'b')).saveCheckpoint(cfg, ckpt);
    const cfiles = checkpointToFiles(cfg, ckpt);
    assert.deepEqual((await readdir(join(dir, 'b'))).sort(), Object.keys(cfiles).sort());
    for (const name of Object.keys(cfiles)) assert.deepEqual(new Uint8Array(await readFile(join(dir, 'b', name))), cfiles[name], name);
    const back = await new RunDir(join(dir, 'b')).loadCheckpoint();
    assert.equal(back.step, 7);
    assert.deepEqual(back.data, ckpt.data);
    assert.deepEqual(back.phase, ckpt.phase);

    const loaded = await loadModel(join(dir, 'a'));
    const fromBytes = readModelFiles(files);
    const m = new HookedTransformer(fromBytes.config, fromBytes.weights, tokenizerFromFiles(files, fromBytes.config.tokenizer_name));
    assert.equal(m.tokenizer?.name, 'bytes');
    const a = await loaded.run([[1, 2, 3]]);
    const b = await m.run([[1, 2, 3]]);
    assert.deepEqual(a.data, b.data);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('filesToBytes reads a dropped sharded folder: the index and the shards it names, nothing else', async () => {
  const { filesToBytes } = await import('../../src/browser/files.js');
  const dir = 'test/fixtures/arch/llama';
  const names = await readdir(dir);
  assert.ok(names.includes('model.safetensors.index.json') && names.includes('reference.safetensors'));
  const dropped = await Promise.all(names.map(async (n) => {
    const f = new File([await readFile(join(dir, n))], n);
    Object.defineProperty(f, 'webkitRelativePath', { value: `llama/${n}` });
    return f;
  }));
  const { files, where } = await filesToBytes(dropped);
  assert.deepEqual(Object.keys(files).sort(), ['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json']);
  const fromDrop = readModelFiles(files, where);
  const fromDisk = await loadModel(dir);
  assert.equal(fromDrop.format, 'hf-llama');
  for (const [k, t] of Object.entries(fromDisk.weights)) assert.deepEqual(fromDrop.weights[k], t, k);
  const { 'model-00002-of-00002.safetensors': _, ...missing } = files;
  assert.throws(() => readModelFiles(missing, where), /^InputError: llama\/model-00002-of-00002\.safetensors: no such file \(named by model\.safetensors\.index\.json\)$/);
});
