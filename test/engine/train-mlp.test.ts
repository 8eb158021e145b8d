// A whole training step (loss, gradients, clipping, AdamW) as one compiled graph, run until a small network learns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, compile, crossEntropy, grad, input, int64Tensor, matmul, tanh, tensor, zeros, Rng, type Node, type Tensor,
} from '../../src/engine/index.js';
import { adamw, adamwStepFeeds, adamwStepInputs, clipGradNorm, momentInputs } from '../../src/engine/optim/index.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';

installNodeRuntime();

const N = 96; // samples (one full batch)
const D = 4; // features
const H = 24; // hidden units
const C = 3; // classes

/** Points in three interleaved spiral-ish clusters: not linearly separable, so the hidden layer has work to do. */
function dataset(rng: Rng): { x: Float32Array; y: number[] } {
  const x = new Float32Array(N * D);
  const y: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = i % C;
    const r = 0.3 + 0.7 * rng.uniform();
    const angle = (2 * Math.PI * c) / C + 2.5 * r + 0.2 * rng.normal();
    const feats = [r * Math.cos(angle), r * Math.sin(angle), 0.1 * rng.normal(), 0.1 * rng.normal()];
    feats.forEach((f, k) => (x[i * D + k] = f));
    y.push(c);
  }
  return { x, y };
}

test('a two-layer tanh MLP trains with a falling loss under grad + clip + AdamW in one compiled step', async () => {
  const rng = new Rng(2024);
  const shapes: Record<string, number[]> = { W1: [D, H], b1: [H], W2: [H, C], b2: [C] };
  const names = Object.keys(shapes);
  const params = names.map((n) => input(n, shapes[n]!));
  const [W1, b1, W2, b2] = params as [Node, Node, Node, Node];
  const xIn = input('x', [N, D]);
  const yIn = input('y', [N], 'int64');
  const logits = add(matmul(tanh(add(matmul(xIn, W1), b1)), W2), b2);
  const loss = crossEntropy(logits, yIn);

  const clipped = clipGradNorm(grad(loss, params), 1.0);
  const { m, v } = momentInputs(params);
  // Decay the weight matrices only, the usual exclusion of biases.
  const upd = adamw(params, clipped.grads, m, v, { ...adamwStepInputs(), weightDecay: 0.01, decayMask: [true, false, true, false] });
  const outs: Record<string, Node> = { loss, gradNorm: clipped.totalNorm };
  names.forEach((n, i) => {
    outs[`next.${n}`] = upd.params[i]!;
    outs[`next_m.${n}`] = upd.m[i]!;
    outs[`next_v.${n}`] = upd.v[i]!;
    outs[`norm.${n}`] = clipped.norms[i]!;
  });
  const step = compile(outs);
  assert.equal(params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0), D * H + H + H * C + C);

  const { x, y } = dataset(rng);
  let state: Record<string, Tensor> = {};
  for (const n of names) {
    const s = shapes[n]!;
    state[n] = n.startsWith('W') ? tensor(rng.normals(s.reduce((a, b) => a * b, 1), 1 / Math.sqrt(s[0]!)), s) : zeros('float32', s);
    state[`adamw.exp_avg.${n}`] = zeros('float32', s);
    state[`adamw.exp_avg_sq.${n}`] = zeros('float32', s);
  }
  const data = { x: tensor(x, [N, D]), y: int64Tensor(y, [N]) };

  const losses: number[] = [];
  const steps = 150;
  for (let t = 1; t <= steps; t++) {
    const out = await step.run({ ...data, ...state, ...adamwStepFeeds(t, 0.03) });
    losses.push(Number(out.loss.data[0]));
    // The per-weight norms combine to the total norm that was clipped.
    const sumSq = names.reduce((s, n) => s + Number(out[`norm.${n}`]!.data[0]) ** 2, 0);
    assert.ok(Math.abs(Math.sqrt(sumSq) - Number(out.gradNorm.data[0])) < 1e-4 * (1 + Math.sqrt(sumSq)), `step ${t}: norms`);
    state = {};
    for (const n of names) {
      state[n] = out[`next.${n}`]!;
      state[`adamw.exp_avg.${n}`] = out[`next_m.${n}`]!;
      state[`adamw.exp_avg_sq.${n}`] = out[`next_v.${n}`]!;
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(losses.slice(0, 10));
  const last = mean(losses.slice(-10));
  assert.ok(losses.every(Number.isFinite), 'finite losses');
  assert.ok(Math.abs(losses[0]! - Math.log(C)) < 0.5, `starts near log ${C}: ${losses[0]}`);
  assert.ok(last < 0.35 * first, `loss falls: first ten ${first.toFixed(3)}, last ten ${last.toFixed(3)}`);
  // Falling, not merely lower at the end: each window of 25 steps improves on the one before.
  for (let w = 25; w + 25 <= steps; w += 25) {
    assert.ok(mean(losses.slice(w, w + 25)) < mean(losses.slice(w - 25, w)), `window at step ${w}`);
  }

  // The trained parameters classify the training set well.
  const fwd = compile({ logits: add(matmul(tanh(add(matmul(xIn, W1), b1)), W2), b2) });
  const lg = (await fwd.run({ x: data.x, ...state })).logits.data as Float32Array;
  let correct = 0;
  for (let i = 0; i < N; i++) {
    const row = [...lg.subarray(i * C, i * C + C)];
    if (row.indexOf(Math.max(...row)) === y[i]) correct++;
  }
  assert.ok(correct / N > 0.9, `accuracy ${correct}/${N}`);
});
