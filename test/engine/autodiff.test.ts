// grad() beyond single ops: activations as targets, unrelated targets, vector-Jacobian products, and a check
// that the harness itself catches a wrong derivative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, apply, compile, constant, detach, grad, input, matmul, mul, reduceSum, reshape, rewrite, tanh, tensor, Rng, type Tensor,
} from '../../src/engine/index.js';
import { defineOp } from '../../src/engine/graph.js';
import { gradcheck } from './gradcheck.js';

function normals(rng: Rng, shape: readonly number[]): Tensor<'float64'> {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, () => rng.normal()), shape);
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

test('gradient with respect to an intermediate activation matches finite differences on that activation', async () => {
  const rng = new Rng(5);
  const x = input('x', [3, 4], 'float64');
  const W = input('W', [4, 2], 'float64');
  const h = matmul(x, W); // the activation
  const loss = reduceSum(mul(tanh(h), constant(normals(rng, [3, 2]))));
  const feeds = { x: normals(rng, [3, 4]), W: normals(rng, [4, 2]) };
  const [gh, gx] = grad(loss, [h, x]);
  const got = await compile({ gh: gh!, gx: gx!, h }).run(feeds);

  // Cut the graph at h: the downstream loss as a function of a fed h.
  const hIn = input('h', h.shape, 'float64');
  const [lossOfH] = rewrite([loss], new Map([[h.id, hIn]]));
  const forward = compile({ loss: lossOfH! });
  const hv = Float64Array.from(got.h.data as Float64Array);
  const numeric = new Float64Array(hv.length);
  const eps = 1e-6;
  for (let k = 0; k < hv.length; k++) {
    const h0 = hv[k]!;
    hv[k] = h0 + eps;
    const up = Number((await forward.run({ h: tensor(hv, h.shape) })).loss.data[0]);
    hv[k] = h0 - eps;
    const down = Number((await forward.run({ h: tensor(hv, h.shape) })).loss.data[0]);
    hv[k] = h0;
    numeric[k] = (up - down) / (2 * eps);
  }
  close(got.gh.data as Float64Array, numeric, 1e-6, 'dL/dh');

  // Asking for h alongside x must not disturb x's gradient: dL/dx = dL/dh W^T.
  const Wv = feeds.W.data;
  const ghv = got.gh.data as Float64Array;
  const expect = new Float64Array(12);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let e = 0; e < 2; e++) expect[i * 4 + j]! += ghv[i * 2 + e]! * Wv[j * 2 + e]!;
  close(got.gx.data as Float64Array, expect, 1e-12, 'dL/dx');
});

test('a node that y does not depend on gets zeros of its shape', async () => {
  const x = input('x', [2, 3], 'float64');
  const unrelated = input('u', [4], 'float64');
  const alsoUnrelated = tanh(unrelated);
  const [gx, gu, gt] = grad(reduceSum(mul(x, x)), [x, unrelated, alsoUnrelated]);
  assert.deepEqual(gu!.shape, [4]);
  assert.deepEqual(gt!.shape, [4]);
  const out = await compile({ gx: gx!, gu: gu!, gt: gt! }).run({ x: tensor(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]) });
  assert.deepEqual([...(out.gx.data as Float64Array)], [2, 4, 6, 8, 10, 12]);
  assert.deepEqual([...(out.gu.data as Float64Array)], [0, 0, 0, 0]);
  assert.deepEqual([...(out.gt.data as Float64Array)], [0, 0, 0, 0]);
});

test('the gradient of y with respect to y is one', async () => {
  const x = input('x', [3], 'float64');
  const y = reduceSum(tanh(x));
  const [gy] = grad(y, [y]);
  const out = await compile({ gy: gy! }).run({ x: tensor(new Float64Array(3), [3]) });
  assert.deepEqual([...(out.gy.data as Float64Array)], [1]);
});

test('detach passes the value and stops the gradient', async () => {
  const x = input('x', [2], 'float64');
  // d/dx (x * detach(x)) = detach(x), not 2x.
  const [g] = grad(reduceSum(mul(x, detach(x))), [x]);
  const out = await compile({ g: g! }).run({ x: tensor(Float64Array.of(3, -1), [2]) });
  assert.deepEqual([...(out.g.data as Float64Array)], [3, -1]);
});

test('a seed adjoint gives the vector-Jacobian product of a non-scalar output', async () => {
  const x = input('x', [2, 2], 'float64');
  const seed = input('seed', [2, 2], 'float64');
  const [g] = grad(mul(x, x), [x], seed);
  const out = await compile({ g: g! }).run({
    x: tensor(Float64Array.from([1, 2, 3, 4]), [2, 2]),
    seed: tensor(Float64Array.from([1, 0, -1, 0.5]), [2, 2]),
  });
  assert.deepEqual([...(out.g.data as Float64Array)], [2, 0, -6, 4]);
});

test('grad refuses a non-scalar y without a seed, and an integer y', () => {
  const x = input('x', [2], 'float64');
  assert.throws(() => grad(tanh(x), [x]), /scalar.*\[2\]/);
  assert.throws(() => grad(input('n', [], 'int64'), [x]), /float/);
});

test('a node used by several branches accumulates their adjoints', async () => {
  // x feeds tanh, both sides of an outer product, and a product with itself.
  await gradcheck([[3]], ([x]) => add(mul(tanh(x!), x!), reduceSum(matmul(reshape(x!, [3, 1]), reshape(x!, [1, 3])), 0)));
});

// A deliberately wrong derivative: the harness must notice.
defineOp('testWrongSquare', {
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  lower: (ctx, _n, ins) => ctx.emit('Mul', [ins[0]!, ins[0]!])[0]!,
  vjp: (n, g) => [mul(g, n.inputs[0]!)], // should be 2 g x
});

test('gradcheck fails on a wrong vjp', async () => {
  await assert.rejects(gradcheck([[3]], ([x]) => apply('testWrongSquare', [x!])), /analytic .* vs numeric/);
});

defineOp('testWrongShapeVjp', {
  infer: ([x]) => ({ shape: [], dtype: x!.dtype }),
  lower: (ctx, _n, ins) => ctx.emit('ReduceSum', [ins[0]!], { keepdims: 0 })[0]!,
  vjp: (_n, g) => [g], // should be broadcast back to the input's shape
});

test('a vjp that returns the wrong shape fails at build time, naming the op', () => {
  const x = input('x', [2, 3], 'float64');
  assert.throws(() => grad(apply('testWrongShapeVjp', [x]), [x]), /vjp of testWrongShapeVjp gave \[\] for its input 0 of shape \[2, 3\]/);
  assert.throws(() => grad(tanh(x), [x], input('s', [3, 2], 'float64')), /seed \[3, 2\] does not have y's shape \[2, 3\]/);
});
