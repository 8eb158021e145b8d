// TransformerLens's weight processing: each step must leave log-probabilities unchanged (checked with the by-hand
// float64 forward on random models with non-trivial LayerNorm weights and biases, and on the PyTorch fixtures),
// must do what its name says to the weights, and must not touch its input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Rng } from '../../src/engine/random.js';
import { validateConfig, type ConfigInput, type HookedTransformerConfig } from '../../src/model/config.js';
import { checkWeights, initWeights, type StateDict } from '../../src/model/weights.js';
import {
  centreUnembed, centreWritingWeights, foldLayerNorm, foldValueBiases, processWeights, type ProcessedModel,
} from '../../src/model/processing.js';
import { readModelDir } from '../../src/io/modelDir.js';
import { parseSafetensors } from '../../src/model/safetensors.js';
import { logSoftmax, maxAbsDiff, referenceForward, tokenRows } from './referenceForward.js';

const TOL = 1e-4;

/** A random model whose every bias and LayerNorm parameter is far from its default, so no step is exact by luck. */
function randomModel(extra: ConfigInput, seed: number): ProcessedModel {
  const config = validateConfig({ n_layers: 2, d_model: 12, n_heads: 3, d_vocab: 19, n_ctx: 7, init_range: 0.5, ...extra });
  const weights = initWeights(config, seed);
  const rng = new Rng(seed + 1000);
  for (const [name, t] of Object.entries(weights)) {
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    if (leaf === 'w') for (let i = 0; i < t.data.length; i++) t.data[i] = 1 + 0.5 * rng.normal();
    else if (leaf === 'b' || leaf.startsWith('b_')) for (let i = 0; i < t.data.length; i++) t.data[i] = 0.5 * rng.normal();
  }
  return { config, weights };
}

function randomTokens(cfg: HookedTransformerConfig, seed: number): number[][] {
  const rng = new Rng(seed);
  return [0, 1, 2].map(() => Array.from({ length: cfg.n_ctx }, () => rng.int(cfg.d_vocab)));
}

function logProbs(m: ProcessedModel, tokens: number[][]): Float64Array {
  return logSoftmax(referenceForward(m.config, m.weights, tokens), m.config.d_vocab_out);
}

function snapshot(sd: StateDict): Record<string, number[]> {
  return Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, Array.from(t.data)]));
}

/** Largest |mean over the given axis| of a row-major tensor, the axis given as (outer, axis length, inner). */
function maxMean(data: ArrayLike<number>, outer: number, n: number, inner: number): number {
  let worst = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += data[(o * n + k) * inner + i]!;
      worst = Math.max(worst, Math.abs(s / n));
    }
  }
  return worst;
}

const SHAPES: [string, ConfigInput][] = [
  ['LN, gelu MLP', { act_fn: 'gelu' }],
  ['LN, gelu_new MLP, d_mlp 20', { act_fn: 'gelu_new', d_mlp: 20 }],
  ['LN, relu MLP, d_vocab_out != d_vocab', { act_fn: 'relu', d_vocab_out: 11 }],
  ['LN, attention only', { attn_only: true }],
  ['LNPre, gelu MLP', { normalization_type: 'LNPre' }],
];

const STEPS = { foldLayerNorm, centreWritingWeights, centreUnembed, foldValueBiases };

for (const [label, extra] of SHAPES) {
  for (const [stepName, step] of Object.entries(STEPS)) {
    test(`${stepName} leaves log-probabilities unchanged (${label})`, () => {
      const m = randomModel(extra, 7);
      const tokens = randomTokens(m.config, 3).map((r) => r.map((t) => t % m.config.d_vocab));
      const before = snapshot(m.weights);
      const out = step(m.config, m.weights);
      checkWeights(out.config, out.weights, stepName);
      assert.ok(maxAbsDiff(logProbs(m, tokens), logProbs(out, tokens)) < TOL);
      assert.deepEqual(snapshot(m.weights), before, 'input state dict untouched');
    });
  }
}

test('foldLayerNorm: LN becomes LNPre, LN weights go, reading weights are centred over d_model', () => {
  const m = randomModel({ act_fn: 'gelu' }, 11);
  const { config, weights } = foldLayerNorm(m.config, m.weights);
  assert.equal(config.normalization_type, 'LNPre');
  assert.equal(m.config.normalization_type, 'LN', 'input config untouched');
  assert.ok(!Object.keys(weights).some((k) => /ln(1|2|_final)\./.test(k)));
  const { n_heads: H, d_model: D, d_head: E } = config;
  for (let l = 0; l < config.n_layers; l++) {
    for (const x of ['Q', 'K', 'V']) assert.ok(maxMean(weights[`blocks.${l}.attn.W_${x}`]!.data, H, D, E) < 1e-6);
    assert.ok(maxMean(weights[`blocks.${l}.mlp.W_in`]!.data, 1, D, config.d_mlp!) < 1e-6);
  }
  assert.ok(maxMean(weights['unembed.W_U']!.data, 1, D, config.d_vocab_out) < 1e-6);
});

test('foldLayerNorm computes b_Q += ln1.b W_Q and W_Q *= ln1.w before centring', () => {
  const m = randomModel({ attn_only: true, n_layers: 1 }, 5);
  const { d_model: D, d_head: E } = m.config;
  const w = m.weights;
  const out = foldLayerNorm(m.config, w).weights;
  const lnW = w['blocks.0.ln1.w']!.data;
  const lnB = w['blocks.0.ln1.b']!.data;
  const WQ = w['blocks.0.attn.W_Q']!.data;
  for (const [h, e] of [[0, 0], [2, 3]] as const) {
    let bias = w['blocks.0.attn.b_Q']!.data[h * E + e]!;
    let mean = 0;
    for (let d = 0; d < D; d++) {
      bias += lnB[d]! * WQ[(h * D + d) * E + e]!;
      mean += lnW[d]! * WQ[(h * D + d) * E + e]! / D;
    }
    assert.ok(Math.abs(out['blocks.0.attn.b_Q']!.data[h * E + e]! - bias) < 1e-5);
    const d = 4;
    assert.ok(Math.abs(out['blocks.0.attn.W_Q']!.data[(h * D + d) * E + e]! - (lnW[d]! * WQ[(h * D + d) * E + e]! - mean)) < 1e-5);
  }
});

test('centreWritingWeights: every writing weight has zero mean over d_model', () => {
  const m = randomModel({ act_fn: 'relu' }, 12);
  const { config, weights } = centreWritingWeights(m.config, m.weights);
  const { n_heads: H, d_head: E, d_model: D, d_vocab: V, n_ctx: T } = config;
  assert.ok(maxMean(weights['embed.W_E']!.data, V, D, 1) < 1e-6);
  assert.ok(maxMean(weights['pos_embed.W_pos']!.data, T, D, 1) < 1e-6);
  for (let l = 0; l < config.n_layers; l++) {
    assert.ok(maxMean(weights[`blocks.${l}.attn.W_O`]!.data, H * E, D, 1) < 1e-6);
    assert.ok(maxMean(weights[`blocks.${l}.mlp.W_out`]!.data, config.d_mlp!, D, 1) < 1e-6);
    assert.ok(maxMean(weights[`blocks.${l}.attn.b_O`]!.data, 1, D, 1) < 1e-6);
    assert.ok(maxMean(weights[`blocks.${l}.mlp.b_out`]!.data, 1, D, 1) < 1e-6);
  }
});

test('centreUnembed changes the logits but not the log-probabilities', () => {
  const m = randomModel({ act_fn: 'gelu' }, 13);
  const tokens = randomTokens(m.config, 4);
  const out = centreUnembed(m.config, m.weights);
  assert.ok(maxMean(out.weights['unembed.W_U']!.data, m.config.d_model, m.config.d_vocab_out, 1) < 1e-6);
  assert.ok(maxMean(out.weights['unembed.b_U']!.data, 1, m.config.d_vocab_out, 1) < 1e-6);
  assert.ok(maxAbsDiff(referenceForward(m.config, m.weights, tokens), referenceForward(out.config, out.weights, tokens)) > 1e-2);
  assert.ok(maxAbsDiff(logProbs(m, tokens), logProbs(out, tokens)) < TOL);
});

test('foldValueBiases zeroes b_V and moves Σ_h b_V[h] W_O[h] into b_O', () => {
  const m = randomModel({ attn_only: true, n_layers: 1 }, 14);
  const { n_heads: H, d_head: E, d_model: D } = m.config;
  const out = foldValueBiases(m.config, m.weights).weights;
  assert.ok(out['blocks.0.attn.b_V']!.data.every((x) => x === 0));
  const bV = m.weights['blocks.0.attn.b_V']!.data;
  const WO = m.weights['blocks.0.attn.W_O']!.data;
  for (const d of [0, 5, D - 1]) {
    let want = m.weights['blocks.0.attn.b_O']!.data[d]!;
    for (let he = 0; he < H * E; he++) want += bV[he]! * WO[he * D + d]!;
    assert.ok(Math.abs(out['blocks.0.attn.b_O']!.data[d]! - want) < 1e-5);
  }
});

test('processWeights applies the steps in TransformerLens order and keeps log-probabilities', () => {
  for (const [label, extra] of SHAPES) {
    const m = randomModel(extra, 21);
    const tokens = randomTokens(m.config, 5).map((r) => r.map((t) => t % m.config.d_vocab));
    const all = processWeights(m.config, m.weights);
    assert.deepEqual(all.skipped, [], label);
    assert.equal(all.config.normalization_type, 'LNPre', label);
    assert.ok(maxAbsDiff(logProbs(m, tokens), logProbs(all, tokens)) < TOL, label);
    let manual: ProcessedModel = m;
    for (const step of [foldLayerNorm, centreWritingWeights, centreUnembed, foldValueBiases]) manual = step(manual.config, manual.weights);
    assert.deepEqual(snapshot(all.weights), snapshot(manual.weights), `${label}: same as the steps in order`);
    const some = processWeights(m.config, m.weights, { foldLn: false, centreUnembed: false });
    assert.equal(some.config.normalization_type, m.config.normalization_type);
    assert.ok(maxAbsDiff(logProbs(m, tokens), logProbs(some, tokens)) < TOL, `${label}: subset`);
  }
});

test('without LayerNorm, folding and centring writers are refused alone and skipped by processWeights', async () => {
  const m = await readModelDir('test/fixtures/attn-only-2l');
  assert.throws(() => foldLayerNorm(m.config, m.weights), /no LayerNorm/);
  assert.throws(() => centreWritingWeights(m.config, m.weights), /without LayerNorm/);
  const tokens = randomTokens(m.config, 6);
  const p = processWeights(m.config, m.weights);
  assert.equal(p.skipped.length, 2);
  assert.match(p.skipped.join('; '), /foldLn.*centreWritingWeights/);
  assert.ok(p.weights['blocks.0.attn.b_V']!.data.every((x) => x === 0), 'value biases still folded');
  assert.ok(maxAbsDiff(logProbs(m, tokens), logProbs(p, tokens)) < TOL);
});

test('shortformer: folding LayerNorm and centring writers are refused alone and skipped by processWeights, as TransformerLens does', async () => {
  const m = await readModelDir('test/fixtures/attn-only-2l-shortformer');
  assert.equal(m.config.positional_embedding_type, 'shortformer');
  assert.throws(() => foldLayerNorm(m.config, m.weights), /shortformer/);
  assert.throws(() => centreWritingWeights(m.config, m.weights), /shortformer/);
  const ref = fixtureReference('attn-only-2l-shortformer');
  assert.ok(maxAbsDiff(logProbs(m, ref.tokens), ref.logProbs) < TOL, 'the by-hand forward agrees with PyTorch on shortformer');
  const p = processWeights(m.config, m.weights);
  assert.deepEqual(p.skipped.map((s) => s.split(':')[0]), ['foldLn', 'centreWritingWeights', 'centreUnembed']);
  assert.equal(p.config.normalization_type, 'LN');
  assert.ok(p.weights['blocks.1.attn.b_V']!.data.every((x) => x === 0), 'value biases still folded');
  assert.ok(maxAbsDiff(logProbs(p, ref.tokens), ref.logProbs) < TOL);
  // What goes wrong otherwise: W_pos is added after ln1, so LN's gain folded into W_Q would rescale it too.
  const forced = foldLayerNorm({ ...m.config, positional_embedding_type: 'standard' }, m.weights);
  assert.ok(maxAbsDiff(logProbs({ ...forced, config: { ...forced.config, positional_embedding_type: 'shortformer' } }, ref.tokens), ref.logProbs) > 1e-3);
});

function fixtureReference(name: string): { tokens: number[][]; logProbs: Float64Array } {
  const ref = parseSafetensors(new Uint8Array(readFileSync(`test/fixtures/${name}/reference.safetensors`)), name).tensors;
  const logits = ref['logits']!;
  return { tokens: tokenRows(ref['tokens']!), logProbs: logSoftmax(logits.data as Float32Array, logits.shape[2]!) };
}

for (const name of ['gelu-2l-ln', 'relu-1l-lnpre', 'tl-statedict', 'gpt2-hf']) {
  test(`every step, and all of them, keep the ${name} fixture's reference log-probabilities`, async () => {
    const m = await readModelDir(`test/fixtures/${name}`);
    const ref = fixtureReference(name);
    let cur: ProcessedModel = m;
    for (const [stepName, step] of Object.entries(STEPS)) {
      cur = step(cur.config, cur.weights);
      assert.ok(maxAbsDiff(logProbs(cur, ref.tokens), ref.logProbs) < TOL, `after ${stepName}`);
    }
    const all = processWeights(m.config, m.weights);
    assert.ok(maxAbsDiff(logProbs(all, ref.tokens), ref.logProbs) < TOL);
  });
}
