// Gradients of the indexing ops. The adjoint of a gather is a scatter-add, so repeated indices must accumulate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compile, constant, gather, gatherElements, gatherND, grad, input, int64Tensor, mul, reduceSum, scatterElementsAdd, scatterNDAdd,
  tanh, tensor, type Node,
} from '../../src/engine/index.js';
import { assertGradchecked, gradcheck } from './gradcheck.js';

const int64 = (values: number[], shape: number[]): Node => constant(int64Tensor(values, shape));
const int32 = (values: number[], shape: number[]): Node => constant(tensor(Int32Array.from(values), shape));

test('gather: embedding lookup with repeated indices', async () => {
  const idx = int64([0, 2, 2, 4, 0, 0], [2, 3]);
  await gradcheck([[5, 3]], ([w]) => gather(w!, idx));
});

test('gather: scalar index, int32 indices and negative indices (counted from the end)', async () => {
  await gradcheck([[4, 3]], ([w]) => gather(w!, constant(int64Tensor([2], []))));
  await gradcheck([[4, 3]], ([w]) => gather(w!, int32([3, 1, 3], [3])));
  await gradcheck([[4, 3]], ([w]) => gather(w!, int64([-1, 0, 3, -4], [2, 2])));
});

test('gather gradient is a scatter-add: a row looked up k times gets k times the adjoint', async () => {
  const w = input('w', [4, 2], 'float64');
  const [g] = grad(reduceSum(gather(w, int64([1, 3, 1, 1], [4]))), [w]);
  const out = await compile({ g: g! }).run({ w: tensor(new Float64Array(8), [4, 2]) });
  assert.deepEqual([...(out.g.data as Float64Array)], [0, 0, 3, 3, 0, 0, 1, 1]);
});

test('an embedding gradient over thousands of repeated tokens loses no update on several threads', async () => {
  // onnxruntime's ScatterND-add races when two threads add to one row: on two cores it lost updates on most runs
  // at these sizes (3328 lookups is the addition preset's batch), different ones each run. The lowering must add
  // every one, for a few rows (a one-hot product) and for many (a scatter). A lost update is off by a whole update
  // (order 1); float32 rounding of the sums is under 1e-3 here.
  const d = 128;
  for (const [n, vocab] of [[3328, 13], [32768, 13], [32768, 300]] as const) {
    const ids = Array.from({ length: n }, (_, i) => (i * 7 + (i >> 5)) % vocab);
    const adj = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 0.37));
    const w = input('w', [vocab, d]);
    const a = input('a', [n, d]);
    const [g] = grad(reduceSum(mul(gather(w, int64(ids, [n])), a)), [w]);
    const expected = new Float64Array(vocab * d);
    ids.forEach((t, i) => { for (let j = 0; j < d; j++) expected[t * d + j]! += adj[i * d + j]!; });
    const program = compile({ g: g! });
    for (let run = 0; run < 8; run++) {
      const out = await program.run({ w: tensor(new Float32Array(vocab * d), [vocab, d]), a: tensor(adj, [n, d]) });
      const got = out.g.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
      assert.ok(worst < 1e-3, `${n} lookups into ${vocab} rows, run ${run}: largest error ${worst}`);
    }
  }
});

test('scatterNDAdd into more rows than a one-hot product takes: rows, elements and negative indices against a host sum', async () => {
  // 12 x 20 x 3: k = 1 addresses 12 rows of 60 (the one-hot product), k = 2 addresses 240 rows of 3 (the scatter).
  const shape = [12, 20, 3];
  const data = Float64Array.from({ length: 720 }, (_, i) => Math.cos(i));
  for (const [k, idx] of [[1, [3, -1, 3, 0, 11]], [2, [3, 4, -1, -20, 3, 4, 0, 19, 11, 0]]] as const) {
    const m = idx.length / k;
    const r = shape.slice(k).reduce((p, q) => p * q, 1);
    const upd = Float64Array.from({ length: m * r }, (_, i) => Math.sin(i + 1));
    const out = await compile({ y: scatterNDAdd(input('d', shape, 'float64'), int64([...idx], [m, k]), input('u', [m, ...shape.slice(k)], 'float64')) })
      .run({ d: tensor(data, shape), u: tensor(upd, [m, ...shape.slice(k)]) });
    const expected = Float64Array.from(data);
    for (let i = 0; i < m; i++) {
      let row = 0;
      for (let j = 0; j < k; j++) row = row * shape[j]! + ((idx[i * k + j]! + shape[j]!) % shape[j]!);
      for (let c = 0; c < r; c++) expected[row * r + c]! += upd[i * r + c]!;
    }
    const got = out.y.data as Float64Array;
    expected.forEach((e, i) => assert.ok(Math.abs(got[i]! - e) < 1e-12, `k = ${k}, element ${i}: ${got[i]} vs ${e}`));
  }
});

test('scatterNDAdd of integers (no one-hot product for them) with repeated rows', async () => {
  const out = await compile({ y: scatterNDAdd(constant(tensor(Int32Array.of(1, 2, 3, 4, 5, 6), [3, 2])), int64([2, 0, 2], [3, 1]), constant(tensor(Int32Array.of(10, 20, 30, 40, 50, 60), [3, 2]))) }).run({});
  assert.deepEqual([...(out.y.data as Int32Array)], [31, 42, 3, 4, 65, 86]);
});

test('gather along axis 1 refuses to differentiate rather than giving a wrong gradient', () => {
  const w = input('w', [3, 4], 'float64');
  assert.throws(() => grad(reduceSum(gather(w, int64([0, 1], [2]), 1)), [w]), /axis 0/);
});

test('gatherElements along the last axis and along axis 0, with repeats', async () => {
  const last = int64([0, 3, 3, 1, 1, 1], [2, 3]);
  await gradcheck([[2, 4]], ([x]) => gatherElements(x!, last, -1));
  const first = int64([2, 0, 2, 2, 1, 0], [2, 3]);
  await gradcheck([[3, 3]], ([x]) => gatherElements(x!, first, 0));
});

test('scatterNDAdd: data and updates, rows with repeated indices', async () => {
  const idx = int64([1, 3, 1], [3, 1]);
  await gradcheck([[4, 2], [3, 2]], ([d, u]) => tanh(scatterNDAdd(d!, idx, u!)));
});

test('scatterNDAdd with full-coordinate indices (k = 2): data and updates', async () => {
  const idx = int64([0, 1, 2, 0, 0, 1], [3, 2]);
  await gradcheck([[3, 2], [3]], ([d, u]) => tanh(scatterNDAdd(d!, idx, u!)));
});

test('gatherElements and scatterElementsAdd with int32 indices', async () => {
  const idx = int32([2, 2, 0, 1], [2, 2]);
  await gradcheck([[2, 3]], ([x]) => gatherElements(x!, idx, 1));
  await gradcheck([[2, 3], [2, 2]], ([d, u]) => tanh(scatterElementsAdd(d!, idx, u!, 1)));
});

test('scatterElementsAdd along axes 0 and 1, with repeats', async () => {
  const idx1 = int64([0, 0, 2, 1, 2, 2], [2, 3]);
  await gradcheck([[2, 3], [2, 3]], ([d, u]) => tanh(scatterElementsAdd(d!, idx1, u!, 1)));
  const idx0 = int64([1, 0, 1], [1, 3]);
  await gradcheck([[2, 3], [1, 3]], ([d, u]) => tanh(scatterElementsAdd(d!, idx0, u!, 0)));
});

test('gatherND (the adjoint of scatterNDAdd) with repeats, rows and single elements', async () => {
  await gradcheck([[3, 2, 2]], ([x]) => gatherND(x!, int64([0, 1, 2, 0, 0, 1], [3, 2])));
  await gradcheck([[3, 2]], ([x]) => gatherND(x!, int32([2, 2, 0], [3, 1])));
});

test('gradchecks every op gradCoverage.ts lists for this file', () => assertGradchecked('grad-indexing'));
