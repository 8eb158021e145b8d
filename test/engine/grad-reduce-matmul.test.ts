// Gradients of the reductions (chosen axes, with and without keepdims) and of matmul in every shape it is used in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, grad, input, matmul, mul, reduceMax, reduceMean, reduceSum, tensor, type Node } from '../../src/engine/index.js';
import { assertGradchecked, gradcheck } from './gradcheck.js';

const reductions: [string, (x: Node, axes?: number | readonly number[], keep?: boolean) => Node][] = [
  ['reduceSum', reduceSum],
  ['reduceMean', reduceMean],
  ['reduceMax', reduceMax],
];

const axesCases: [string, number | readonly number[] | undefined][] = [
  ['all axes', undefined],
  ['axis 1', 1],
  ['axis -1', -1],
  ['axes [0, 2]', [0, 2]],
];

for (const [name, op] of reductions) {
  for (const [label, axes] of axesCases) {
    for (const keep of [false, true]) {
      test(`${name} over ${label}${keep ? ', keepdims' : ''}`, async () => {
        await gradcheck([[2, 3, 4]], ([x]) => op(x!, axes, keep));
      });
    }
  }
}

test('reduceMax splits the adjoint equally between tied maxima (as torch.amax)', async () => {
  const x = input('x', [2, 3], 'float64');
  const [g] = grad(reduceSum(reduceMax(x, 1)), [x]);
  const out = await compile({ g: g! }).run({ x: tensor(Float64Array.from([1, 5, 5, 2, 0, -1]), [2, 3]) });
  assert.deepEqual([...(out.g.data as Float64Array)], [0, 0.5, 0.5, 1, 0, 0]);
});

test('an empty axis list reduces nothing (numpy axis=()), rather than everything as ONNX would', async () => {
  const x = input('x', [2, 3], 'float64');
  for (const op of [reduceSum, reduceMean, reduceMax]) {
    const y = op(x, [], true);
    assert.deepEqual(y.shape, [2, 3]);
    const out = await compile({ y: mul(y, 1) }).run({ x: tensor(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]) });
    assert.deepEqual(out.y.shape, [2, 3]);
    assert.deepEqual([...(out.y.data as Float64Array)], [1, 2, 3, 4, 5, 6]);
  }
});

test('reduceMean of a reduceSum (chained reductions)', async () => {
  await gradcheck([[3, 2, 5]], ([x]) => reduceMean(mul(reduceSum(x!, 2, true), x!), [0, 1]));
});

const products: [string, readonly number[], readonly number[]][] = [
  ['2-D', [3, 4], [4, 5]],
  ['batched', [2, 3, 4], [2, 4, 5]],
  ['batch dims that broadcast', [2, 1, 3, 4], [3, 4, 2]],
  ['[B,T,D] @ [D,E] (a shared weight)', [2, 3, 4], [4, 5]],
  ['[D,E] on the right of a batch of matrices: [T,D] @ [B,D,E]', [3, 4], [2, 4, 5]],
  ['4-D heads: [B,H,T,D] @ [B,H,D,T]', [2, 2, 3, 4], [2, 2, 4, 3]],
];

for (const [label, sa, sb] of products) {
  test(`matmul ${label}`, async () => {
    await gradcheck([sa, sb], ([a, b]) => matmul(a!, b!));
  });
}

test('matmul of a matrix with itself (both adjoints accumulate into one input)', async () => {
  await gradcheck([[3, 3]], ([a]) => matmul(a!, a!));
});

test('gradchecks every op gradCoverage.ts lists for this file', () => assertGradchecked('grad-reduce-matmul'));
