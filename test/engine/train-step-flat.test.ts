// The training step's AdamW over flat parameter vectors (src/train/trainStep.ts) against torch's per-parameter
// AdamW with global-norm clipping, written out in float64 on the host from the per-weight gradients; and its
// state (weights, moments as views of flat buffers) handed to a fresh step continuing bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearSessions, compile, crossEntropy, grad, input, setRuntime, slice, type Tensor } from '../../src/engine/index.js';
import { installNodeRuntime, nodeRuntime } from '../../src/io/nodeRuntime.js';
import { getPreset } from '../../src/train/presets.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { forward } from '../../src/model/forward.js';
import { decays, TrainStep, type OptimizerConfig } from '../../src/train/trainStep.js';

installNodeRuntime();

const cfg = { n_layers: 1, d_model: 8, n_heads: 2, d_head: 4, n_ctx: 6, d_vocab: 11, attn_only: true, normalization_type: 'LN', seed: 3 } as const;
const [B, T] = [3, 5];
const opt: OptimizerConfig = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 0.5 };
const batch = (seed: number): Tensor<'int64'> => ({
  dtype: 'int64', shape: [B, T + 1], data: BigInt64Array.from({ length: B * (T + 1) }, (_, i) => BigInt((i * 7 + seed * 5 + (i >> 2)) % 11)),
});

/** The per-weight gradients of the step's loss at the model's current weights, by grad() on the same graph. */
async function gradients(model: HookedTransformer, tokens: Tensor<'int64'>): Promise<Record<string, Float32Array>> {
  const names = Object.keys(model.weights).sort();
  const w = model.weightNodes();
  const toks = input('tokens', [B, T + 1], 'int64');
  const loss = crossEntropy(forward(model.cfg, w, slice(toks, [0], [T], [1])), slice(toks, [1], [T + 1], [1]));
  const gs = grad(loss, names.map((n) => w[n]!));
  const out = await compile(Object.fromEntries(names.map((n, i) => [`g:${n}`, gs[i]!]))).run({ ...model.weights, tokens });
  return Object.fromEntries(names.map((n) => [n, out[`g:${n}`]!.data as Float32Array]));
}

test('flat AdamW with clipping equals per-parameter AdamW on the host, and reports per-weight norms', async () => {
  const model = new HookedTransformer(cfg);
  const names = Object.keys(model.weights).sort();
  const host = Object.fromEntries(names.map((n) => [n, {
    p: Float64Array.from(model.weights[n]!.data), m: new Float64Array(model.weights[n]!.data.length), v: new Float64Array(model.weights[n]!.data.length),
  }]));
  const step = new TrainStep(model, B, T, opt);
  for (let t = 1; t <= 3; t++) {
    const tokens = batch(t);
    const g = await gradients(model, tokens);
    const lr = 0.01 * t;
    const r = await step.run(tokens, lr);
    // Norms before clipping, per weight and global.
    let total = 0;
    for (const n of names) {
      const sq = g[n]!.reduce((a, x) => a + x * x, 0);
      total += sq;
      assert.ok(Math.abs(r.gradNorms[n]! - Math.sqrt(sq)) <= 1e-5 * Math.sqrt(sq) + 1e-7, `grad norm of ${n}`);
    }
    total = Math.sqrt(total);
    assert.ok(Math.abs(r.gradNorm - total) <= 1e-5 * total, `global norm ${r.gradNorm} vs ${total}`);
    assert.ok(total > opt.maxGradNorm!, 'the test clips');
    const scale = Math.min(1, opt.maxGradNorm! / (total + 1e-6));
    const bc1 = 1 - opt.beta1 ** t;
    const bc2 = 1 - opt.beta2 ** t;
    for (const n of names) {
      const s = host[n]!;
      for (let i = 0; i < s.p.length; i++) {
        const gi = g[n]![i]! * scale;
        if (decays(n)) s.p[i] = s.p[i]! * (1 - lr * opt.weightDecay);
        s.m[i] = opt.beta1 * s.m[i]! + (1 - opt.beta1) * gi;
        s.v[i] = opt.beta2 * s.v[i]! + (1 - opt.beta2) * gi * gi;
        s.p[i] = s.p[i]! - (lr / bc1) * s.m[i]! / (Math.sqrt(s.v[i]! / bc2) + opt.eps);
      }
      const got = model.weights[n]!;
      assert.deepEqual([...got.shape], [...step.m[n]!.shape], `${n}: moment shape`);
      for (let i = 0; i < s.p.length; i++) {
        assert.ok(Math.abs(got.data[i]! - s.p[i]!) <= 2e-6 + 1e-5 * Math.abs(s.p[i]!), `step ${t} ${n}[${i}]: ${got.data[i]} vs ${s.p[i]}`);
        assert.ok(Math.abs(step.m[n]!.data[i]! - s.m[i]!) <= 1e-7 + 1e-4 * Math.abs(s.m[i]!), `step ${t} m ${n}[${i}]`);
        assert.ok(Math.abs(step.v[n]!.data[i]! - s.v[i]!) <= 1e-10 + 1e-4 * Math.abs(s.v[i]!), `step ${t} v ${n}[${i}]`);
      }
    }
  }
});

test('weights and moments handed to a fresh step (a resume) continue exactly as the original step', async () => {
  const a = new HookedTransformer(cfg);
  const stepA = new TrainStep(a, B, T, opt);
  await stepA.run(batch(1), 0.02);
  await stepA.run(batch(2), 0.02);
  // Copies, as a checkpoint read from disk would be.
  const copy = (d: Record<string, Tensor<'float32'>>) => Object.fromEntries(Object.entries(d).map(([k, t]) => [k, { ...t, data: t.data.slice() }]));
  const b = new HookedTransformer(cfg);
  b.weights = copy(a.weights);
  const stepB = new TrainStep(b, B, T, opt);
  stepB.m = copy(stepA.m);
  stepB.v = copy(stepA.v);
  stepB.t = stepA.t;
  const ra = await stepA.run(batch(3), 0.02);
  const rb = await stepB.run(batch(3), 0.02);
  assert.equal(rb.loss, ra.loss);
  for (const n of Object.keys(a.weights)) {
    assert.deepEqual([...b.weights[n]!.data], [...a.weights[n]!.data], n);
    assert.deepEqual([...stepB.v[n]!.data], [...stepA.v[n]!.data], `v ${n}`);
  }
  // A weight replaced by hand (a rollback) is what the next step starts from.
  const before = a.weights['embed.W_E']!;
  a.weights['embed.W_E'] = { ...before, data: new Float32Array(before.data.length) };
  await stepA.run(batch(4), 0.02);
  const we = a.weights['embed.W_E']!.data;
  assert.ok(we.every((x) => Math.abs(x) < 0.05), 'the update started from the zeroed embedding');
});

test('training steps on one, two and four threads give the same weights bit for bit', async () => {
  // The addition preset's model and batch (256 problems of 13 tokens: 3328 embedding lookups into 13 rows), where
  // onnxruntime's racing ScatterND made two threads lose embedding-gradient updates. Any op whose sums depend on
  // how the work is split over threads shows here too.
  const preset = getPreset('addition');
  const [b, t] = [preset.train.batchSize, preset.train.seqLen];
  const batches = Array.from({ length: 3 }, (_, s): Tensor<'int64'> => ({
    dtype: 'int64', shape: [b, t + 1], data: BigInt64Array.from({ length: b * (t + 1) }, (_, i) => BigInt((i * 7 + s * 3 + 1 + (i >> 3)) % 13)),
  }));
  const weightsAfter = async (threads: number): Promise<Record<string, Float32Array>> => {
    await clearSessions();
    setRuntime(nodeRuntime(threads));
    const model = new HookedTransformer(preset.model);
    const step = new TrainStep(model, b, t, opt, preset.train.lossFrom);
    for (const tokens of batches) await step.run(tokens, 1e-3);
    return Object.fromEntries(Object.entries(model.weights).map(([n, w]) => [n, Float32Array.from(w.data as Float32Array)]));
  };
  try {
    const one = await weightsAfter(1);
    for (const threads of [2, 4]) {
      const other = await weightsAfter(threads);
      for (const [n, w] of Object.entries(one)) {
        const differ = w.findIndex((x, i) => x !== other[n]![i]);
        assert.equal(differ, -1, `${n} after 3 steps on ${threads} threads differs from one thread at element ${differ}`);
      }
    }
  } finally {
    await clearSessions();
    setRuntime(nodeRuntime());
  }
});
