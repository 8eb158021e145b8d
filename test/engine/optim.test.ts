// AdamW and gradient clipping as graphs, against by-hand float64 references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, compile, constant, grad, input, mul, reduceSum, tanh, tensor, Rng, type Node, type Tensor } from '../../src/engine/index.js';
import {
  adamw, adamwStepFeeds, adamwStepInputs, clipGradNorm, momentInputs, ADAMW_DEFAULTS, type AdamWConfig,
} from '../../src/engine/optim/index.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';

installNodeRuntime();

const shapes: Record<string, number[]> = { w: [3, 4], b: [4], ln: [2, 2] };
const names = Object.keys(shapes);
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

interface HostState { p: Float64Array; m: Float64Array; v: Float64Array }

/** torch.optim.AdamW.step for one parameter, written out in float64 on the host. */
function referenceStep(s: HostState, g: Float64Array, t: number, lr: number, c: AdamWConfig, decay: boolean): void {
  const bc1 = 1 - c.beta1 ** t;
  const bc2 = 1 - c.beta2 ** t;
  for (let i = 0; i < s.p.length; i++) {
    if (decay) s.p[i] = s.p[i]! * (1 - lr * c.weightDecay);
    s.m[i] = c.beta1 * s.m[i]! + (1 - c.beta1) * g[i]!;
    s.v[i] = c.beta2 * s.v[i]! + (1 - c.beta2) * g[i]! * g[i]!;
    s.p[i] = s.p[i]! - (lr / bc1) * s.m[i]! / (Math.sqrt(s.v[i]! / bc2) + c.eps);
  }
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: lengths`);
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= rtol * (1e-8 + Math.abs(want[i]!)), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

async function runAdamW(dtype: 'float32' | 'float64', cfg: AdamWConfig, decayMask: boolean[], steps: number, rtol: number): Promise<void> {
  const rng = new Rng(11);
  const params = names.map((n) => input(n, shapes[n]!, dtype));
  const grads = names.map((n) => input(`grad.${n}`, shapes[n]!, dtype));
  const { m, v } = momentInputs(params);
  const upd = adamw(params, grads, m, v, { ...adamwStepInputs(dtype), ...cfg, decayMask });
  const outs: Record<string, Node> = {};
  names.forEach((n, i) => {
    outs[`p.${n}`] = upd.params[i]!;
    outs[`m.${n}`] = upd.m[i]!;
    outs[`v.${n}`] = upd.v[i]!;
  });
  const step = compile(outs);

  const host: HostState[] = names.map((n) => ({
    p: Float64Array.from({ length: size(shapes[n]!) }, () => rng.normal()),
    m: new Float64Array(size(shapes[n]!)),
    v: new Float64Array(size(shapes[n]!)),
  }));
  const as = (x: Float64Array, shape: readonly number[]): Tensor =>
    dtype === 'float64' ? tensor(Float64Array.from(x), shape) : tensor(Float32Array.from(x), shape);
  let state: Record<string, Tensor> = {};
  names.forEach((n, i) => {
    state[n] = as(host[i]!.p, shapes[n]!);
    state[`adamw.exp_avg.${n}`] = as(host[i]!.m, shapes[n]!);
    state[`adamw.exp_avg_sq.${n}`] = as(host[i]!.v, shapes[n]!);
  });
  for (let t = 1; t <= steps; t++) {
    const lr = 0.01 * (1 + 0.5 * Math.cos(t)); // a schedule: the same compiled graph, a different lr each step
    // Gradients of mixed magnitudes, some near zero, so eps and the bias corrections both matter.
    const gs = names.map((n) => Float64Array.from({ length: size(shapes[n]!) }, (_, k) => rng.normal() * (k % 3 === 0 ? 1e-6 : 1)));
    const feeds: Record<string, Tensor> = { ...state, ...adamwStepFeeds(t, lr, cfg, dtype) };
    names.forEach((n, i) => (feeds[`grad.${n}`] = as(gs[i]!, shapes[n]!)));
    const out = await step.run(feeds);
    names.forEach((_, i) => referenceStep(host[i]!, gs[i]!, t, lr, cfg, decayMask[i]!));
    state = {};
    names.forEach((n, i) => {
      state[n] = out[`p.${n}`]!;
      state[`adamw.exp_avg.${n}`] = out[`m.${n}`]!;
      state[`adamw.exp_avg_sq.${n}`] = out[`v.${n}`]!;
      close(out[`p.${n}`]!.data as Float64Array, host[i]!.p, rtol, `step ${t} ${n}`);
      close(out[`m.${n}`]!.data as Float64Array, host[i]!.m, rtol, `step ${t} exp_avg ${n}`);
      close(out[`v.${n}`]!.data as Float64Array, host[i]!.v, rtol, `step ${t} exp_avg_sq ${n}`);
    });
  }
}

test('AdamW in float64 matches the by-hand reference over 6 steps, with a learning-rate schedule and a decay mask', async () => {
  await runAdamW('float64', { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 }, [true, false, false], 6, 1e-12);
});

test('AdamW with torch defaults, every parameter decayed, and in float32', async () => {
  await runAdamW('float64', { ...ADAMW_DEFAULTS }, [true, true, true], 4, 1e-12);
  await runAdamW('float32', { ...ADAMW_DEFAULTS }, [true, true, true], 4, 2e-5);
});

test('AdamW with beta1 below 0.5 (the other branch of torch lerp) and no weight decay', async () => {
  await runAdamW('float64', { beta1: 0.3, beta2: 0.9, eps: 1e-6, weightDecay: 0 }, [true, true, false], 3, 1e-12);
});

test('weight decay alone: zero gradient shrinks decayed parameters by (1 - lr λ) and leaves the others', async () => {
  const p = [input('a', [2], 'float64'), input('b', [2], 'float64')];
  const zero = p.map((x) => input(`g.${x.name}`, [2], 'float64'));
  const { m, v } = momentInputs(p);
  const upd = adamw(p, zero, m, v, { ...adamwStepInputs('float64'), weightDecay: 0.5, decayMask: [true, false] });
  const z = (): Tensor => tensor(new Float64Array(2), [2]);
  const out = await compile({ newA: upd.params[0]!, newB: upd.params[1]! }).run({
    a: tensor(Float64Array.of(2, -4), [2]), b: tensor(Float64Array.of(2, -4), [2]), 'g.a': z(), 'g.b': z(),
    'adamw.exp_avg.a': z(), 'adamw.exp_avg.b': z(), 'adamw.exp_avg_sq.a': z(), 'adamw.exp_avg_sq.b': z(),
    ...adamwStepFeeds(1, 0.1, ADAMW_DEFAULTS, 'float64'),
  });
  close(out.newA.data as Float64Array, [2 * 0.95, -4 * 0.95], 1e-15, 'decayed');
  assert.deepEqual([...(out.newB.data as Float64Array)], [2, -4]);
});

test('adamw rejects mismatched lists, shapes and non-scalar step inputs', () => {
  const p = [input('p', [2, 3])];
  const g = [input('g', [3, 2])];
  const { m, v } = momentInputs(p);
  const sc = adamwStepInputs();
  assert.throws(() => adamw(p, [], m, v, sc), /1 params but 0 grads/);
  assert.throws(() => adamw(p, g, m, v, sc), /parameter p is \[2, 3\] but its grad is \[3, 2\]/);
  assert.throws(() => adamw(p, p, m, v, { ...sc, lr: input('lr', [1]) }), /lr must be a scalar/);
  assert.throws(() => adamw(p, p, m, v, { ...sc, decayMask: [true, false] }), /2 decay flags/);
  assert.throws(() => momentInputs([p[0]!, tanh(p[0]!)]), /parameter 1 is not a named input/);
  assert.throws(() => adamwStepFeeds(0, 1e-3), /step must be an integer >= 1/);
});

test('adamwStepFeeds: lr and the bias corrections 1 - beta^t', () => {
  const f = adamwStepFeeds(3, 0.25, { beta1: 0.5, beta2: 0.75 }, 'float64', 'opt');
  assert.deepEqual(Object.keys(f).sort(), ['opt.bias_correction1', 'opt.bias_correction2', 'opt.lr']);
  assert.equal(f['opt.lr']!.data[0], 0.25);
  assert.equal(f['opt.bias_correction1']!.data[0], 1 - 0.125);
  assert.equal(f['opt.bias_correction2']!.data[0], 1 - 0.421875);
  assert.deepEqual(f['opt.lr']!.shape, []);
});

async function clipRun(gs: number[][], maxNorm: number): Promise<Record<string, Tensor>> {
  const nodes = gs.map((g, i) => input(`g${i}`, [g.length], 'float64'));
  const c = clipGradNorm(nodes, maxNorm);
  const outs: Record<string, Node> = { total: c.totalNorm, scale: c.scale };
  c.grads.forEach((g, i) => (outs[`c${i}`] = g));
  c.norms.forEach((n, i) => (outs[`n${i}`] = n));
  const feeds: Record<string, Tensor> = {};
  gs.forEach((g, i) => (feeds[`g${i}`] = tensor(Float64Array.from(g), [g.length])));
  return compile(outs).run(feeds);
}

test('clipGradNorm scales by maxNorm / (total + 1e-6) when the total norm is larger', async () => {
  // Norms by hand: ||(3, 4)|| = 5, ||(12)|| = 12; total sqrt(25 + 144) = 13.
  const out = await clipRun([[3, 4], [12]], 6.5);
  assert.equal(out.n0!.data[0], 5);
  assert.equal(out.n1!.data[0], 12);
  assert.equal(out.total!.data[0], 13);
  const scale = 6.5 / (13 + 1e-6);
  close(out.scale!.data as Float64Array, [scale], 1e-15, 'scale');
  close(out.c0!.data as Float64Array, [3 * scale, 4 * scale], 1e-15, 'clipped 0');
  close(out.c1!.data as Float64Array, [12 * scale], 1e-15, 'clipped 1');
});

test('clipGradNorm leaves gradients alone when the total norm is within maxNorm', async () => {
  const out = await clipRun([[3, 4], [12]], 100);
  assert.equal(out.scale!.data[0], 1);
  assert.deepEqual([...(out.c0!.data as Float64Array)], [3, 4]);
  assert.deepEqual([...(out.c1!.data as Float64Array)], [12]);
  assert.equal(out.total!.data[0], 13);
});

test('clipGradNorm with maxNorm fed at run time', async () => {
  const g = input('g', [2], 'float64');
  const maxNorm = input('max_norm', [], 'float64');
  const c = clipGradNorm([g], maxNorm);
  const p = compile({ c: c.grads[0]! });
  const run = async (mx: number) => [...((await p.run({ g: tensor(Float64Array.of(6, 8), [2]), max_norm: tensor(Float64Array.of(mx), []) })).c.data as Float64Array)];
  close(await run(5), [3, 4], 1e-6, 'clipped to 5');
  assert.deepEqual(await run(20), [6, 8]);
  assert.throws(() => clipGradNorm([g], input('bad', [2], 'float64')), /maxNorm must be a scalar/);
});

test('a whole step in one graph (loss, grad, clip with a fed maxNorm, AdamW) against the host, clipping on and off', async () => {
  // L = Σ_i Σ (a_i p_i² / 2 + b_i p_i), so dL/dp_i = a_i p_i + b_i can be written down on the host.
  const rng = new Rng(23);
  const coef = names.map((n) => ({
    a: Float64Array.from({ length: size(shapes[n]!) }, () => 0.5 + rng.uniform()),
    b: Float64Array.from({ length: size(shapes[n]!) }, () => rng.normal()),
  }));
  const params = names.map((n) => input(n, shapes[n]!, 'float64'));
  const loss = params
    .map((p, i) => reduceSum(add(mul(mul(p, p), constant(tensor(coef[i]!.a.map((x) => x / 2), p.shape))), mul(p, constant(tensor(coef[i]!.b, p.shape))))))
    .reduce((x, y) => add(x, y));
  const maxNorm = input('max_norm', [], 'float64');
  const clipped = clipGradNorm(grad(loss, params), maxNorm);
  const { m, v } = momentInputs(params);
  const cfg: AdamWConfig = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.05 };
  const decayMask = [true, false, true];
  const upd = adamw(params, clipped.grads, m, v, { ...adamwStepInputs('float64'), ...cfg, decayMask });
  const outs: Record<string, Node> = { scale: clipped.scale };
  names.forEach((n, i) => {
    outs[`p.${n}`] = upd.params[i]!;
    outs[`m.${n}`] = upd.m[i]!;
    outs[`v.${n}`] = upd.v[i]!;
  });
  const step = compile(outs);

  const host: HostState[] = names.map((n) => ({
    p: Float64Array.from({ length: size(shapes[n]!) }, () => rng.normal()),
    m: new Float64Array(size(shapes[n]!)),
    v: new Float64Array(size(shapes[n]!)),
  }));
  const state: Record<string, Tensor> = {};
  names.forEach((n, i) => {
    state[n] = tensor(Float64Array.from(host[i]!.p), shapes[n]!);
    state[`adamw.exp_avg.${n}`] = tensor(new Float64Array(size(shapes[n]!)), shapes[n]!);
    state[`adamw.exp_avg_sq.${n}`] = tensor(new Float64Array(size(shapes[n]!)), shapes[n]!);
  });
  const scales: number[] = [];
  for (let t = 1; t <= 5; t++) {
    const mx = t % 2 === 1 ? 0.5 : 100; // odd steps clip, even steps do not
    const lr = 0.05;
    const out = await step.run({ ...state, max_norm: tensor(Float64Array.of(mx), []), ...adamwStepFeeds(t, lr, cfg, 'float64') });
    const gs = host.map((h, i) => h.p.map((p, k) => coef[i]!.a[k]! * p + coef[i]!.b[k]!));
    const total = Math.sqrt(gs.reduce((s2, g) => s2 + g.reduce((q, x) => q + x * x, 0), 0));
    const scale = Math.min(1, mx / (total + 1e-6));
    scales.push(scale);
    close(out.scale!.data as Float64Array, [scale], 1e-12, `step ${t} scale`);
    host.forEach((h, i) => referenceStep(h, gs[i]!.map((g) => g * scale), t, lr, cfg, decayMask[i]!));
    names.forEach((n, i) => {
      state[n] = out[`p.${n}`]!;
      state[`adamw.exp_avg.${n}`] = out[`m.${n}`]!;
      state[`adamw.exp_avg_sq.${n}`] = out[`v.${n}`]!;
      close(out[`p.${n}`]!.data as Float64Array, host[i]!.p, 1e-12, `step ${t} ${n}`);
      close(out[`m.${n}`]!.data as Float64Array, host[i]!.m, 1e-12, `step ${t} exp_avg ${n}`);
      close(out[`v.${n}`]!.data as Float64Array, host[i]!.v, 1e-12, `step ${t} exp_avg_sq ${n}`);
    });
  }
  assert.ok(scales.some((x) => x < 0.5) && scales.some((x) => x === 1), `both regimes exercised: ${scales.join(', ')}`);
});
