// Fused lowering (engine/fuse.ts): LayerNorm becomes one LayerNormalization only where nothing else reads its
// parts, and the fused values match a float64 host LayerNorm, with and without the scale requested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, compile, grad, input, layerNorm, matmul, mul, reduceSum, Rng, type Tensor } from '../../src/engine/index.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';

installNodeRuntime();

const rng = new Rng(5);
const [R, D] = [6, 10];
const f32 = (n: number, scale = 1, shift = 0) => Float32Array.from({ length: n }, () => shift + scale * rng.normal());
const x: Tensor<'float32'> = { dtype: 'float32', shape: [2, 3, D], data: f32(R * D, 2, 3) };
const w: Tensor<'float32'> = { dtype: 'float32', shape: [D], data: f32(D) };
const b: Tensor<'float32'> = { dtype: 'float32', shape: [D], data: f32(D) };

/** LayerNorm of each row in float64: (x - mean) / sqrt(var + eps) * w + b, and the scale. */
function hostLayerNorm(withAffine: boolean, eps = 1e-5): { y: Float64Array; scale: Float64Array } {
  const y = new Float64Array(R * D);
  const scale = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    const row = Array.from(x.data.subarray(r * D, (r + 1) * D));
    const mean = row.reduce((s, v) => s + v, 0) / D;
    const s = Math.sqrt(row.reduce((a, v) => a + (v - mean) ** 2, 0) / D + eps);
    scale[r] = s;
    for (let i = 0; i < D; i++) y[r * D + i] = withAffine ? ((row[i]! - mean) / s) * w.data[i]! + b.data[i]! : (row[i]! - mean) / s;
  }
  return { y, scale };
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  assert.ok(worst < tol, `${what}: max error ${worst}`);
}

const count = (ops: readonly string[], op: string) => ops.filter((o) => o === op).length;

test('a LayerNorm with weight and bias lowers to one LayerNormalization, scale from its InvStdDev', async () => {
  const xi = input('x', x.shape);
  const parts = layerNorm(xi, input('w', [D]), input('b', [D]));
  const p = compile({ y: parts.normalized, scale: parts.scale });
  assert.equal(count(p.graph.opTypes, 'LayerNormalization'), 1);
  assert.equal(count(p.graph.opTypes, 'ReduceMean'), 0);
  assert.equal(count(p.graph.opTypes, 'Sub'), 0);
  const out = await p.run({ x, w, b });
  const want = hostLayerNorm(true);
  close(out.y.data as Float32Array, want.y, 2e-5, 'normalized');
  close(out.scale.data as Float32Array, want.scale, 2e-5, 'scale');
  assert.deepEqual(out.scale.shape, [2, 3, 1]);
});

test('LNPre (no weight or bias) fuses too; the scale costs nothing when not asked for', async () => {
  const parts = layerNorm(input('x', x.shape), null, null);
  const p = compile({ y: parts.normalized });
  assert.deepEqual(p.graph.opTypes.filter((o) => o !== 'Reshape'), ['LayerNormalization']);
  close((await p.run({ x })).y.data as Float32Array, hostLayerNorm(false).y, 2e-5, 'LNPre');
});

test('a LayerNorm whose parts are read elsewhere, or differentiated, stays decomposed and exact', async () => {
  const xi = input('x', x.shape);
  const wi = input('w', [D]);
  const parts = layerNorm(xi, wi, input('b', [D]));
  // The pre-affine value is read by another output: folding w and b would lose it, so only the core fuses.
  const pre = parts.normalized.inputs[0]!.inputs[0]!;
  const p1 = compile({ y: parts.normalized, pre });
  assert.equal(count(p1.graph.opTypes, 'LayerNormalization'), 1);
  const o1 = await p1.run({ x, w, b });
  close(o1.y.data as Float32Array, hostLayerNorm(true).y, 2e-5, 'normalized beside pre');
  close(o1.pre.data as Float32Array, hostLayerNorm(false).y, 2e-5, 'pre-affine');
  // A gradient reads the centred input and the scale: no fusion, nothing computed twice.
  const loss = reduceSum(mul(parts.normalized, add(xi, 1)));
  const [gx] = grad(loss, [xi]);
  const p2 = compile({ loss, gx: gx! });
  assert.equal(count(p2.graph.opTypes, 'LayerNormalization'), 0);
});

test('GPT-2-style model: every LayerNorm of a cached run is fused and matches the host LayerNorm of its input', async () => {
  const m = new HookedTransformer({
    n_layers: 2, d_model: 16, n_heads: 2, d_head: 8, d_mlp: 32, d_vocab: 30, n_ctx: 8, act_fn: 'gelu', normalization_type: 'LN', init_range: 0.5, seed: 1,
  });
  for (const k of ['blocks.1.ln2.w', 'blocks.1.ln2.b']) m.weights[k] = { dtype: 'float32', shape: [16], data: f32(16) };
  const { cache } = await m.runWithCache([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]]);
  const ops = [...(m as unknown as { programs: Map<string, { graph: { opTypes: string[] } }> }).programs.values()][0]!.graph.opTypes;
  assert.equal(count(ops, 'LayerNormalization'), 5);
  const mid = cache.get('blocks.1.hook_resid_mid').data;
  const wv = m.weights['blocks.1.ln2.w']!.data;
  const bv = m.weights['blocks.1.ln2.b']!.data;
  const want = new Float64Array(mid.length);
  const scales = new Float64Array(mid.length / 16);
  for (let r = 0; r < mid.length / 16; r++) {
    const row = Array.from(mid.subarray(r * 16, r * 16 + 16));
    const mean = row.reduce((s, v) => s + v, 0) / 16;
    const s = Math.sqrt(row.reduce((a, v) => a + (v - mean) ** 2, 0) / 16 + m.cfg.eps);
    scales[r] = s;
    for (let i = 0; i < 16; i++) want[r * 16 + i] = ((row[i]! - mean) / s) * wv[i]! + bv[i]!;
  }
  close(cache.get('blocks.1.ln2.hook_normalized').data, want, 1e-4, 'ln2.hook_normalized');
  close(cache.get('blocks.1.ln2.hook_scale').data, scales, 1e-5, 'ln2.hook_scale');
});

test('a rank-3 x W + b output runs as a 2-D product written in place, viewed back on the host', async () => {
  const xi = input('x', x.shape);
  const W: Tensor<'float32'> = { dtype: 'float32', shape: [D, 4], data: f32(D * 4) };
  const bias: Tensor<'float32'> = { dtype: 'float32', shape: [4], data: f32(4) };
  const y = add(matmul(xi, input('W', [D, 4])), input('bias', [4]));
  const p = compile({ y, twice: mul(y, 2) });
  assert.deepEqual(p.graph.outputs.find((o) => o.name === 'y')!.shape, [R, 4]);
  const out = await p.run({ x, W, bias });
  assert.deepEqual(out.y.shape, [2, 3, 4]);
  const want = new Float64Array(R * 4);
  for (let r = 0; r < R; r++) for (let j = 0; j < 4; j++) {
    let s = bias.data[j]!;
    for (let k = 0; k < D; k++) s += x.data[r * D + k]! * W.data[k * 4 + j]!;
    want[r * 4 + j] = s;
  }
  close(out.y.data as Float32Array, want, 1e-4, 'x W + b');
  close(out.twice.data as Float32Array, want.map((v) => 2 * v), 2e-4, 'read downstream');
  assert.deepEqual(out.twice.shape, [2, 3, 4]);
});
