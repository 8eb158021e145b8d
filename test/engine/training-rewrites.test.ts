// The training step's rewrites: attention's softmax backward by rowsum(dz ∘ z), cross-entropy's backward from the
// forward's log-softmax, leading-axis sums as products with ones, and the compile-time simplifications (merged
// common subexpressions, implicit broadcasts). Each against finite differences or a float64 host reference, and
// each checked to have fired (a rewrite that silently stops applying would otherwise pass).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, compile, crossEntropy, expand, grad, input, matmul, mul, reduceSum, reshape, Rng, softmax, topoSort, type Node, type Tensor,
} from '../../src/engine/index.js';
import { gradcheck } from './gradcheck.js';

const rng = new Rng(11);
const f32 = (shape: readonly number[]): Tensor<'float32'> => ({
  dtype: 'float32', shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
});

/** The reductions in a gradient graph, by the shape they reduce. */
const reducedShapes = (nodes: readonly Node[]) => topoSort(nodes).filter((n) => n.op === 'reduceSum').map((n) => n.inputs[0]!.shape.join('x'));

test('softmax read by a product: gradients by rowsum(dz * z) match finite differences, for scores and values', async () => {
  // [batch, head, query, key] scores and [batch, head, key, d_head] values with d_head < keys: the rewrite applies.
  await gradcheck([[2, 3, 6, 6], [2, 3, 6, 2]], ([s, v]) => matmul(softmax(s!, -1), v!));
  // Masked-like scores (large negative entries) and a value axis of 1.
  await gradcheck([{ shape: [1, 2, 5, 5], sample: (r) => (r.uniform() < 0.3 ? -30 : r.normal()) }, [1, 2, 5, 1]], ([s, v]) => matmul(softmax(s!, -1), v!));
});

test('the softmax rewrite fires only where it saves work, and its product is the forward one', async () => {
  const s = input('s', [2, 3, 6, 6]);
  const short = input('v', [2, 3, 6, 2]);
  const z = matmul(softmax(s, -1), short);
  const [gs] = grad(reduceSum(mul(z, z)), [s]);
  // The rowwise dot runs over d_head (2), never over the keys (6).
  assert.deepEqual(reducedShapes([gs!]).filter((r) => r.endsWith('x6')), []);
  assert.ok(reducedShapes([gs!]).includes('2x3x6x2'));
  // Compiled with the forward, the rebuilt `pattern @ v` merges with it: forward, dz @ vᵀ, and nothing else.
  const p = compile({ z, gs: gs! });
  assert.equal(p.graph.opTypes.filter((o) => o === 'MatMul').length, 2);
  // Values as wide as the keys: no saving, the usual Σ g y over the keys.
  const wide = input('w', [2, 3, 6, 6]);
  const [gw] = grad(reduceSum(mul(matmul(softmax(s, -1), wide), 1)), [s]);
  assert.ok(reducedShapes([gw!]).includes('2x3x6x6'));
  // And the compiled float32 gradient equals the float64 host formula y (g - Σ g y).
  const sv = f32([2, 3, 6, 6]);
  const vv = f32([2, 3, 6, 2]);
  const out = await p.run({ s: sv, v: vv });
  const host = hostSoftmaxProductGrad(sv.data, vv.data, [2, 3, 6, 2]);
  const got = out.gs!.data as Float32Array;
  for (let i = 0; i < host.length; i++) assert.ok(Math.abs(got[i]! - host[i]!) <= 1e-5 + 1e-5 * Math.abs(host[i]!), `element ${i}: ${got[i]} vs ${host[i]}`);
});

/** d/ds Σ z², z = softmax(s) v, in float64: g = 2 z vᵀ, ds = y (g - Σ_j g y). */
function hostSoftmaxProductGrad(s: Float32Array, v: Float32Array, [B, H, T, E]: readonly number[]): Float64Array {
  const ds = new Float64Array(B! * H! * T! * T!);
  for (let bh = 0; bh < B! * H!; bh++) {
    for (let i = 0; i < T!; i++) {
      const row = Array.from({ length: T! }, (_, j) => s[(bh * T! + i) * T! + j]!);
      const mx = Math.max(...row);
      const ex = row.map((x) => Math.exp(x - mx));
      const sum = ex.reduce((a, b) => a + b, 0);
      const y = ex.map((x) => x / sum);
      const z = Array.from({ length: E! }, (_, e) => y.reduce((a, yj, j) => a + yj * v[(bh * T! + j) * E! + e]!, 0));
      const g = Array.from({ length: T! }, (_, j) => z.reduce((a, ze, e) => a + 2 * ze * v[(bh * T! + j) * E! + e]!, 0));
      const dot = g.reduce((a, gj, j) => a + gj * y[j]!, 0);
      for (let j = 0; j < T!; j++) ds[(bh * T! + i) * T! + j] = y[j]! * (g[j]! - dot);
    }
  }
  return ds;
}

test('cross-entropy: the gradient reuses the forward log-softmax and equals (softmax - onehot) / N', async () => {
  const [N, V] = [5, 7];
  const logits = input('logits', [N, V]);
  const targets: Tensor<'int64'> = { dtype: 'int64', shape: [N], data: BigInt64Array.from([0, 6, 3, 3, 1], BigInt) };
  const loss = crossEntropy(logits, input('t', [N], 'int64'));
  const [g] = grad(loss, [logits]);
  const p = compile({ loss, g: g! });
  assert.equal(p.graph.opTypes.filter((o) => o === 'LogSoftmax').length, 1);
  assert.ok(!p.graph.opTypes.includes('Softmax'), p.graph.opTypes.join(' '));
  const x = f32([N, V]);
  const out = await p.run({ logits: x, t: targets });
  let lossRef = 0;
  for (let r = 0; r < N; r++) {
    const row = Array.from(x.data.subarray(r * V, (r + 1) * V));
    const mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((a, v) => a + Math.exp(v - mx), 0));
    const t = Number(targets.data[r]);
    lossRef += (lse - row[t]!) / N;
    for (let c = 0; c < V; c++) {
      const want = (Math.exp(row[c]! - lse) - (c === t ? 1 : 0)) / N;
      assert.ok(Math.abs((out.g!.data[c + r * V] as number) - want) < 1e-6, `row ${r} col ${c}`);
    }
  }
  assert.ok(Math.abs(Number(out.loss!.data[0]) - lossRef) < 1e-5);
});

test('float32 sums over leading axes run as products with ones and match float64 sums', async () => {
  const x = input('x', [16, 8, 5]);
  const p = compile({ a: reduceSum(x, [0, 1], true), b: reduceSum(x, [0]), c: reduceSum(x, [1, 2]), d: reduceSum(x, [2]) });
  // Two leading reductions (over 128 and 16 rows) become MatMuls; the others stay ReduceSum.
  assert.equal(p.graph.opTypes.filter((o) => o === 'MatMul').length, 2);
  assert.equal(p.graph.opTypes.filter((o) => o === 'ReduceSum').length, 2);
  const xv = f32([16, 8, 5]);
  const out = await p.run({ x: xv });
  assert.deepEqual([...out.a!.shape], [1, 1, 5]);
  assert.deepEqual([...out.b!.shape], [8, 5]);
  const at = (i: number, j: number, k: number) => xv.data[(i * 8 + j) * 5 + k]!;
  for (let k = 0; k < 5; k++) {
    let s = 0;
    for (let i = 0; i < 16; i++) for (let j = 0; j < 8; j++) s += at(i, j, k);
    assert.ok(Math.abs((out.a!.data[k] as number) - s) < 1e-5, `a[${k}]`);
    for (let j = 0; j < 8; j++) {
      let t = 0;
      for (let i = 0; i < 16; i++) t += at(i, j, k);
      assert.ok(Math.abs((out.b!.data[j * 5 + k] as number) - t) < 1e-5, `b[${j}, ${k}]`);
    }
  }
  // A bias's gradient (the sum of the adjoint over batch and position) goes through the same lowering.
  const bias = input('bias', [5]);
  const [gb] = grad(reduceSum(mul(add(x, bias), add(x, bias))), [bias]);
  const bv = f32([5]);
  const gout = await compile({ gb: gb! }).run({ x: xv, bias: bv });
  assert.deepEqual([...gout.gb!.shape], [5]);
  for (let k = 0; k < 5; k++) {
    let want = 0;
    for (let i = 0; i < 16; i++) for (let j = 0; j < 8; j++) want += 2 * (at(i, j, k) + bv.data[k]!);
    assert.ok(Math.abs((gout.gb!.data[k] as number) - want) < 1e-4 * Math.max(1, Math.abs(want)), `d bias[${k}]`);
  }
});

test('compile merges common subexpressions and keeps broadcasts implicit, with the same values', async () => {
  const x = input('x', [3, 4]);
  const w = input('w', [4, 2]);
  // Two identical products: one MatMul, the second output an Identity of it.
  const dup = compile({ a: matmul(x, w), b: matmul(x, w) });
  assert.equal(dup.graph.opTypes.filter((o) => o === 'MatMul').length, 1);
  const xv = f32([3, 4]);
  const wv = f32([4, 2]);
  const d = await dup.run({ x: xv, w: wv });
  assert.deepEqual([...d.a!.data], [...d.b!.data]);

  // expand(s) read by an add, and expand(s) * 0.5 then added: no Expand kernel, values as the materialised form.
  const s = reduceSum(x, [1], true);
  const y = add(add(x, expand(s, [3, 4])), mul(expand(s, [3, 4]), 0.5));
  const p = compile({ y });
  assert.ok(!p.graph.opTypes.includes('Expand'), p.graph.opTypes.join(' '));
  const out = await p.run({ x: xv });
  for (let r = 0; r < 3; r++) {
    const sum = Math.fround([0, 1, 2, 3].reduce((a, c) => Math.fround(a + xv.data[r * 4 + c]!), 0));
    for (let c = 0; c < 4; c++) {
      const want = Math.fround(Math.fround(xv.data[r * 4 + c]! + sum) + Math.fround(sum * 0.5));
      assert.ok(Math.abs((out.y!.data[r * 4 + c] as number) - want) <= 1e-6 * Math.max(1, Math.abs(want)), `y[${r}, ${c}]`);
    }
  }
  // An output that is itself a broadcast keeps its shape.
  const e = await compile({ e: expand(reshape(s, [3, 1]), [3, 4]) }).run({ x: xv });
  assert.deepEqual([...e.e!.shape], [3, 4]);
});

test('a wide weight gets its gradient as (gᵀ a)ᵀ, matching finite differences', async () => {
  // [batch, pos, k] and 2-D inputs against [k, n] weights with n > k (the unembedding's shape), and a tall one.
  await gradcheck([[2, 3, 3], [3, 7]], ([x, w]) => matmul(x!, w!));
  await gradcheck([[4, 3], [3, 7]], ([x, w]) => matmul(x!, w!));
  await gradcheck([[4, 5], [5, 2]], ([x, w]) => matmul(x!, w!));
  const x = input('x', [2, 3, 3]);
  const w = input('w', [3, 7]);
  const [gw] = grad(reduceSum(matmul(x, w)), [w]);
  // The product is [7, 3] (n rows), transposed back to the weight's [3, 7].
  assert.equal(gw!.op, 'transpose');
  assert.deepEqual([...gw!.inputs[0]!.shape], [7, 3]);
  // Attention's dV = patternᵀ dz (a square pattern, narrow values) as (dzᵀ pattern)ᵀ; its finite-difference check
  // is the values' gradient in the softmax test above. A square value matrix keeps patternᵀ dz.
  const p = input('p', [2, 3, 6, 6]);
  const v = input('v', [2, 3, 6, 2]);
  const [gv2] = grad(reduceSum(matmul(p, v)), [v]);
  assert.equal(gv2!.op, 'transpose');
  assert.deepEqual([...gv2!.inputs[0]!.shape], [2, 3, 2, 6]);
  const sq = input('sq', [2, 3, 6, 6]);
  const [gsq] = grad(reduceSum(matmul(p, sq)), [sq]);
  assert.equal(gsq!.op, 'matmul');
});
