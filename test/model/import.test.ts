// Importers and model directories: Hugging Face GPT-2 (both key layouts) and TransformerLens state dicts must
// reproduce the PyTorch fixtures' logits through the by-hand forward; the Conv1D split is checked index by index;
// bad checkpoints fail with messages naming the file and the key; writes are atomic, even under SIGKILL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../../src/engine/errors.js';
import { tensor, type Tensor } from '../../src/engine/tensor.js';
import { ConfigError, validateConfig } from '../../src/model/config.js';
import { detectFormat, hfGpt2Config, importHfGpt2, importTransformerLens, isHfGpt2 } from '../../src/model/import/index.js';
import { parseSafetensors } from '../../src/model/safetensors.js';
import { initWeights, type StateDict } from '../../src/model/weights.js';
import { readModelDir, writeModelDir } from '../../src/io/modelDir.js';
import { maxAbsDiff, referenceForward, tokenRows } from './referenceForward.js';

const FIX = 'test/fixtures';
const where = { config: 'c.json', weights: 'w.safetensors' };

async function reference(name: string): Promise<{ tokens: number[][]; logits: Float32Array }> {
  const ref = parseSafetensors(new Uint8Array(await readFile(join(FIX, name, 'reference.safetensors'))), name).tensors;
  return { tokens: tokenRows(ref['tokens']!), logits: ref['logits']!.data as Float32Array };
}

async function rawFixture(name: string): Promise<{ config: Record<string, unknown>; tensors: Record<string, Tensor> }> {
  const config = JSON.parse(await readFile(join(FIX, name, 'config.json'), 'utf8')) as Record<string, unknown>;
  const { tensors } = parseSafetensors(new Uint8Array(await readFile(join(FIX, name, 'model.safetensors'))), name);
  return { config, tensors };
}

const expectedFormat: Record<string, string> = {
  'gpt2-hf': 'hf-gpt2', 'gpt2-hf-noprefix': 'hf-gpt2', 'tl-statedict': 'transformerlens',
  'attn-only-2l': 'circuitscope', 'gelu-2l-ln': 'circuitscope', 'relu-1l-lnpre': 'circuitscope',
};

for (const [name, format] of Object.entries(expectedFormat)) {
  test(`${name}: read as ${format}, the by-hand forward gives the fixture's logits to 1e-4`, async () => {
    const m = await readModelDir(join(FIX, name));
    assert.equal(m.format, format);
    const ref = await reference(name);
    assert.ok(maxAbsDiff(referenceForward(m.config, m.weights, ref.tokens), ref.logits) < 1e-4);
  });
}

test('GPT-2 config: fields mapped from Hugging Face names, BOS from the config, no GPT-2 tokenizer for a toy vocabulary', async () => {
  const { config } = await readModelDir(join(FIX, 'gpt2-hf'));
  const want = { n_layers: 2, d_model: 32, n_heads: 4, d_head: 8, d_mlp: 128, d_vocab: 50, d_vocab_out: 50, n_ctx: 16 };
  for (const [k, v] of Object.entries(want)) assert.equal(config[k as keyof typeof want], v, k);
  assert.equal(config.act_fn, 'gelu_new');
  assert.equal(config.normalization_type, 'LN');
  assert.equal(config.eps, 1e-5);
  assert.equal(config.bos_token_id, 49);
  assert.equal(config.tokenizer_name, null);
  const real = hfGpt2Config({ model_type: 'gpt2', n_layer: 12, n_embd: 768, n_head: 12, vocab_size: 50257, n_positions: 1024, layer_norm_epsilon: 1e-5 });
  assert.equal(real.bos_token_id, 50256);
  assert.equal(real.tokenizer_name, 'gpt2');
  assert.equal(real.d_mlp, 3072);
  assert.equal(real.act_fn, 'gelu_new');
});

test('both GPT-2 key layouts and the TransformerLens conversion give the same weights', async () => {
  const a = await readModelDir(join(FIX, 'gpt2-hf'));
  const b = await readModelDir(join(FIX, 'gpt2-hf-noprefix'));
  const tl = await readModelDir(join(FIX, 'tl-statedict'));
  assert.deepEqual(Object.keys(a.weights).sort(), Object.keys(tl.weights).sort());
  for (const k of Object.keys(tl.weights)) {
    assert.deepEqual(a.weights[k]!.shape, tl.weights[k]!.shape, k);
    assert.equal(maxAbsDiff(a.weights[k]!.data, tl.weights[k]!.data), 0, `${k} (prefix)`);
    assert.equal(maxAbsDiff(b.weights[k]!.data, tl.weights[k]!.data), 0, `${k} (no prefix)`);
  }
});

/** A one-layer toy GPT-2 whose every entry encodes its own index, so any transposition shows. */
function indexedGpt2(opts: { lmHead?: boolean; prefix?: string; wpeRows?: number } = {}): { hf: Record<string, unknown>; tensors: Record<string, Tensor> } {
  const D = 4, V = 5, P = 3, F = 16;
  const hf = { model_type: 'gpt2', n_layer: 1, n_embd: D, n_head: 2, vocab_size: V, n_positions: P };
  const m = (rows: number, cols: number, base: number) => tensor(Float32Array.from({ length: rows * cols }, (_, i) => base + 100 * Math.floor(i / cols) + (i % cols)), [rows, cols]);
  const v = (n: number, base: number) => tensor(Float32Array.from({ length: n }, (_, i) => base + i), [n]);
  const p = opts.prefix ?? 'transformer.';
  const tensors: Record<string, Tensor> = {
    [`${p}wte.weight`]: m(V, D, 1e4), [`${p}wpe.weight`]: m(opts.wpeRows ?? P, D, 2e4),
    [`${p}h.0.ln_1.weight`]: v(D, 10), [`${p}h.0.ln_1.bias`]: v(D, 20),
    [`${p}h.0.attn.c_attn.weight`]: m(D, 3 * D, 3e4), [`${p}h.0.attn.c_attn.bias`]: v(3 * D, 40),
    [`${p}h.0.attn.c_proj.weight`]: m(D, D, 5e4), [`${p}h.0.attn.c_proj.bias`]: v(D, 60),
    [`${p}h.0.ln_2.weight`]: v(D, 70), [`${p}h.0.ln_2.bias`]: v(D, 80),
    [`${p}h.0.mlp.c_fc.weight`]: m(D, F, 6e4), [`${p}h.0.mlp.c_fc.bias`]: v(F, 90),
    [`${p}h.0.mlp.c_proj.weight`]: m(F, D, 7e4), [`${p}h.0.mlp.c_proj.bias`]: v(D, 95),
    [`${p}ln_f.weight`]: v(D, 1), [`${p}ln_f.bias`]: v(D, 2),
    [`${p}h.0.attn.bias`]: tensor(new Uint8Array(P * P), [1, 1, P, P]),
  };
  if (opts.lmHead) tensors['lm_head.weight'] = m(V, D, 8e4);
  return { hf, tensors };
}

test('Conv1D split: W_Q/K/V[h][d][e] = c_attn[d][part D + h E + e], W_O[h][e][d] = c_proj[h E + e][d], W_U = lm_head^T', () => {
  const at = (t: Tensor, ...idx: number[]) => {
    let off = 0;
    idx.forEach((x, i) => { off = off * t.shape[i]! + x; });
    return Number(t.data[off]);
  };
  for (const lmHead of [false, true]) {
    const { hf, tensors } = indexedGpt2({ lmHead, prefix: lmHead ? '' : 'transformer.', wpeRows: 5 });
    const { config, weights: w } = importHfGpt2(hf, tensors);
    const D = 4, E = 2;
    for (let h = 0; h < 2; h++) for (let d = 0; d < D; d++) for (let e = 0; e < E; e++) {
      ['Q', 'K', 'V'].forEach((x, part) => {
        assert.equal(at(w[`blocks.0.attn.W_${x}`]!, h, d, e), 3e4 + 100 * d + part * D + h * E + e, `W_${x}`);
        assert.equal(at(w[`blocks.0.attn.b_${x}`]!, h, e), 40 + part * D + h * E + e, `b_${x}`);
      });
      for (let m = 0; m < D; m++) assert.equal(at(w['blocks.0.attn.W_O']!, h, e, m), 5e4 + 100 * (h * E + e) + m);
    }
    assert.equal(at(w['blocks.0.mlp.W_in']!, 3, 9), 6e4 + 309);
    assert.equal(at(w['blocks.0.mlp.W_out']!, 9, 3), 7e4 + 903);
    assert.deepEqual(w['pos_embed.W_pos']!.shape, [config.n_ctx, D], 'wpe trimmed to n_ctx');
    assert.equal(at(w['pos_embed.W_pos']!, 2, 1), 2e4 + 201);
    assert.equal(at(w['unembed.W_U']!, 1, 4), (lmHead ? 8e4 : 1e4) + 401, lmHead ? 'lm_head transposed' : 'tied to wte');
    assert.ok(w['unembed.b_U']!.data.every((x) => x === 0));
    assert.equal(at(w['ln_final.b']!, 3), 5);
  }
});

test('Hugging Face GPT-2 errors name the file and the key or field', () => {
  const bad = (mutate: (x: { hf: Record<string, unknown>; tensors: Record<string, Tensor> }) => void, re: RegExp) => {
    const x = indexedGpt2();
    mutate(x);
    assert.throws(() => importHfGpt2(x.hf, x.tensors, where), (e: unknown) => e instanceof InputError && re.test(e.message));
  };
  bad((x) => { x.tensors['transformer.h.0.attn.rotary'] = tensor(new Float32Array(1), [1]); }, /^w\.safetensors: unknown key transformer\.h\.0\.attn\.rotary/);
  bad((x) => { x.tensors['transformer.h.1.ln_1.weight'] = tensor(new Float32Array(4), [4]); }, /unknown key transformer\.h\.1\.ln_1\.weight for a GPT-2 model with 1 layers/);
  bad((x) => { delete x.tensors['transformer.h.0.mlp.c_fc.bias']; }, /w\.safetensors: missing h\.0\.mlp\.c_fc\.bias/);
  bad((x) => { x.tensors['transformer.h.0.attn.c_attn.weight'] = tensor(new Float32Array(48), [12, 4]); }, /c_attn\.weight has shape \[12, 4\], expected \[4, 12\]/);
  bad((x) => { x.tensors['wte.weight'] = x.tensors['transformer.wte.weight']!; }, /transformer\.wte\.weight and wte\.weight are the same weight/);
  bad((x) => { x.tensors['transformer.wte.weight'] = tensor(new Int32Array(20), [5, 4]); }, /wte\.weight is int32, expected a floating-point weight/);
  bad((x) => { x.hf['scale_attn_by_inverse_layer_idx'] = true; }, /c\.json field scale_attn_by_inverse_layer_idx/);
  bad((x) => { x.hf['activation_function'] = 'swish'; }, /c\.json field activation_function/);
  bad((x) => { delete x.hf['n_embd']; }, /c\.json field n_embd: expected a positive integer/);
  bad((x) => { x.hf['n_head'] = 3; }, /c\.json field n_head: 3 does not divide n_embd 4/);
});

test('isHfGpt2 and detectFormat tell the formats apart', () => {
  assert.ok(isHfGpt2({ model_type: 'gpt2' }));
  assert.ok(isHfGpt2({ architectures: ['GPT2LMHeadModel'] }));
  assert.ok(isHfGpt2(null, ['h.0.ln_1.weight', 'wte.weight']));
  assert.ok(isHfGpt2({}, ['transformer.wte.weight']));
  assert.ok(!isHfGpt2({ d_model: 8 }, ['embed.W_E']));
  const ours = validateConfig({ n_layers: 1, d_model: 8, n_heads: 2, d_vocab: 5, n_ctx: 4 });
  assert.equal(detectFormat(ours, ['embed.W_E'], where), 'circuitscope');
  assert.equal(detectFormat(ours, ['embed.W_E', 'blocks.0.attn.IGNORE'], where), 'transformerlens');
  assert.equal(detectFormat({ ...ours, use_attn_result: false }, ['embed.W_E'], where), 'transformerlens');
  assert.equal(detectFormat({ model_type: 'llama' }, [], where), 'hf-llama');
  assert.throws(() => detectFormat({ model_type: 'bert' }, [], where), /c\.json field model_type: expected one of gpt2, gpt_neo, gpt_neox, llama, mistral, qwen2, gemma, gemma2, got "bert"/);
  assert.throws(() => detectFormat({ hidden: 3 }, [], where), /c\.json field d_model: missing/);
  assert.throws(() => detectFormat([1], [], where), /c\.json: expected a JSON object/);
});

test('TransformerLens import drops buffers, rounds float64 to float32, and checks every weight', async () => {
  const { config, tensors } = await rawFixture('tl-statedict');
  assert.ok(tensors['blocks.0.attn.IGNORE'] && tensors['blocks.1.attn.mask'], 'the fixture carries the buffers');
  const m = importTransformerLens(config, tensors, where);
  assert.ok(!Object.keys(m.weights).some((k) => k.endsWith('IGNORE') || k.endsWith('mask')));
  const wide = { ...tensors, 'embed.W_E': tensor(Float64Array.from(tensors['embed.W_E']!.data as Float32Array), tensors['embed.W_E']!.shape) };
  assert.equal(importTransformerLens(config, wide, where).weights['embed.W_E']!.dtype, 'float32');
  assert.throws(() => importTransformerLens(config, { ...tensors, 'blocks.0.attn.W_extra': tensors['embed.W_E']! }, where), /w\.safetensors: unexpected weight blocks\.0\.attn\.W_extra/);
  const missing = { ...tensors };
  delete missing['blocks.1.mlp.b_out'];
  assert.throws(() => importTransformerLens(config, missing, where), /w\.safetensors: missing blocks\.1\.mlp\.b_out/);
  assert.throws(() => importTransformerLens({ ...config, use_qk_norm: true }, tensors, where), /c\.json field use_qk_norm/);
  assert.throws(() => importTransformerLens({ ...config, gated_mlp: true }, tensors, where), /w\.safetensors: missing blocks\.0\.mlp\.W_gate/);
});

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'circuitscope-modeldir-'));
}

test('readModelDir errors name the file and the field', async () => {
  const dir = await tempDir();
  try {
    await assert.rejects(readModelDir(dir), (e: Error) => e instanceof InputError && e.message === `${join(dir, 'config.json')}: no such file`);
    const cfg = JSON.parse(await readFile(join(FIX, 'gelu-2l-ln', 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'model.safetensors'), await readFile(join(FIX, 'gelu-2l-ln', 'model.safetensors')));
    await writeFile(join(dir, 'config.json'), '{"n_layers": 2,');
    await assert.rejects(readModelDir(dir), /config\.json: not valid JSON/);
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...cfg, n_heads: 0 }));
    await assert.rejects(readModelDir(dir), (e: Error) => e instanceof ConfigError && e.message.includes(join(dir, 'config.json')) && e.message.includes('n_heads'));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...cfg, d_mlp: 64 }));
    await assert.rejects(readModelDir(dir), new RegExp(`${join(dir, 'model.safetensors')}: blocks\\.0\\.mlp\\.W_in has shape \\[16, 32\\], expected \\[16, 64\\]`));
    await writeFile(join(dir, 'config.json'), JSON.stringify(cfg));
    await writeFile(join(dir, 'model.safetensors'), new Uint8Array(12));
    await assert.rejects(readModelDir(dir), new RegExp(`${join(dir, 'model.safetensors')}: header is not valid JSON`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function smallModel(seed: number): { config: ReturnType<typeof validateConfig>; weights: StateDict } {
  const config = validateConfig({ n_layers: 1, d_model: 8, n_heads: 2, d_mlp: 16, d_vocab: 11, n_ctx: 5, act_fn: 'relu', seed, model_name: `m${seed}` });
  return { config, weights: initWeights(config) };
}

const isTemp = (f: string) => f.startsWith('.') || f.endsWith('.tmp');

test('writeModelDir then readModelDir gives back the same config and bit-identical weights, and leaves no temporaries', async () => {
  const dir = join(await tempDir(), 'nested', 'model');
  try {
    const { config, weights } = smallModel(1);
    await writeModelDir(dir, config, weights, { 'tokenizer.json': '{"bytes": true}', 'notes.bin': new Uint8Array([1, 2, 3]) });
    const back = await readModelDir(dir);
    assert.equal(back.format, 'circuitscope');
    assert.deepEqual(back.config, config);
    assert.deepEqual(Object.keys(back.weights).sort(), Object.keys(weights).sort());
    for (const k of Object.keys(weights)) assert.deepEqual(back.weights[k]!.data, weights[k]!.data, k);
    assert.equal(await readFile(join(dir, 'tokenizer.json'), 'utf8'), '{"bytes": true}');
    assert.deepEqual([...await readFile(join(dir, 'notes.bin'))], [1, 2, 3]);
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'model.safetensors', 'notes.bin', 'tokenizer.json']);
    const again = smallModel(2);
    await writeModelDir(dir, again.config, again.weights);
    assert.deepEqual((await readModelDir(dir)).config, again.config);
    assert.ok(!(await readdir(dir)).some(isTemp));
  } finally {
    await rm(join(dir, '..', '..'), { recursive: true, force: true });
  }
});

test('a failed write leaves the previous files byte-identical and no temporaries; stale temporaries are swept', async () => {
  const dir = await tempDir();
  try {
    const old = smallModel(3);
    await writeModelDir(dir, old.config, old.weights);
    const before = await Promise.all(['config.json', 'model.safetensors'].map((f) => readFile(join(dir, f))));
    const next = smallModel(4);
    // A directory where an extra file must go: found only after every temporary is written.
    await mkdir(join(dir, 'vocab.txt'));
    await assert.rejects(writeModelDir(dir, next.config, next.weights, { 'vocab.txt': 'a b c' }), /vocab\.txt: is a directory/);
    const after = await Promise.all(['config.json', 'model.safetensors'].map((f) => readFile(join(dir, f))));
    assert.deepEqual(after, before);
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'model.safetensors', 'vocab.txt']);
    // Weights that do not fit the config are refused before anything is written.
    await assert.rejects(writeModelDir(dir, next.config, { ...old.weights, extra: old.weights['embed.W_E']! }), /unexpected weight extra/);
    assert.deepEqual(await readFile(join(dir, 'config.json')), before[0]);
    // What a killed writer leaves behind is removed by the next write to the same names.
    await writeFile(join(dir, '.model.safetensors.0123456789abcdef.tmp'), 'partial');
    await rm(join(dir, 'vocab.txt'), { recursive: true });
    await writeModelDir(dir, next.config, next.weights);
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'model.safetensors']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a writer killed with SIGKILL mid-write leaves one whole model, never a torn file', async () => {
  const dir = await tempDir();
  const modelDirUrl = pathToFileURL(resolve('src/io/modelDir.ts')).href;
  const weightsUrl = pathToFileURL(resolve('src/model/weights.ts')).href;
  const configUrl = pathToFileURL(resolve('src/model/config.ts')).href;
  // Two models with the same config whose weights are constant 0.25 and -0.5: a mix of the two would show.
  const child = `
    const { writeModelDir } = await import(${JSON.stringify(modelDirUrl)});
    const { initWeights } = await import(${JSON.stringify(weightsUrl)});
    const { validateConfig } = await import(${JSON.stringify(configUrl)});
    const config = validateConfig({ n_layers: 1, d_model: 256, n_heads: 4, d_vocab: 6000, n_ctx: 8, attn_only: true });
    const models = [0.25, -0.5].map((c) => { const w = initWeights(config); for (const t of Object.values(w)) t.data.fill(c); return w; });
    for (let i = 0; ; i++) { await writeModelDir(process.argv[1], config, models[i % 2]); process.stdout.write('w'); }
  `;
  try {
    // Kill at varying moments until one kill has landed mid-write (a temporary left behind), so the test
    // provably covers a torn write; about half the time is spent writing, so this takes one or two tries.
    let tornWrites = 0;
    for (let attempt = 0; attempt < 12 && tornWrites === 0; attempt++) {
      const delayMs = [17, 63, 5, 120, 40, 90][attempt % 6]!;
      const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((res) => proc.on('exit', () => res()));
      await new Promise<void>((res, rej) => {
        proc.stdout.once('data', () => res());
        proc.once('exit', (code) => rej(new Error(`writer exited early with ${code}`)));
      });
      await new Promise((r) => setTimeout(r, delayMs));
      proc.kill('SIGKILL');
      await exited;
      if ((await readdir(dir)).some(isTemp)) tornWrites++;
      const m = await readModelDir(dir);
      const first = m.weights['embed.W_E']!.data[0]!;
      assert.ok(first === 0.25 || first === -0.5);
      for (const [k, t] of Object.entries(m.weights)) assert.ok(t.data.every((x) => x === first), `${k} is all ${first} (delay ${delayMs} ms)`);
    }
    assert.equal(tornWrites, 1, 'no kill landed mid-write');
    const m = await readModelDir(dir);
    await writeModelDir(dir, m.config, m.weights);
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'model.safetensors'], 'the stale temporary is swept');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
