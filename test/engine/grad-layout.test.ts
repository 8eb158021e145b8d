// Gradients of the layout ops: they move values around, so their adjoints move the adjoint back.
import { test } from 'node:test';
import {
  add, concat, expand, mul, pad, reshape, slice, split, squeeze, tanh, transpose, unsqueeze, mT, type Node,
} from '../../src/engine/index.js';
import { assertGradchecked, gradcheck } from './gradcheck.js';

// Layout ops are linear; a tanh afterwards makes the adjoint depend on where each value went.
test('reshape, including an inferred -1', async () => {
  await gradcheck([[2, 3, 4]], ([x]) => tanh(reshape(x!, [4, -1])));
  await gradcheck([[6]], ([x]) => tanh(reshape(x!, [3, 2])));
});

test('transpose, a 3-D permutation and mT', async () => {
  await gradcheck([[2, 3, 4]], ([x]) => tanh(transpose(x!, [2, 0, 1])));
  await gradcheck([[2, 3, 4]], ([x]) => tanh(mT(x!)));
});

test('slice on one axis, on several, with negative bounds', async () => {
  await gradcheck([[4, 5]], ([x]) => tanh(slice(x!, [1], [3], [0])));
  await gradcheck([[3, 4, 5]], ([x]) => tanh(slice(x!, [1, 0, 2], [3, 2, 5])));
  await gradcheck([[4, 5]], ([x]) => tanh(slice(x!, [-3], [-1], [1])));
});

test('pad on both ends of two axes', async () => {
  await gradcheck([[2, 3]], ([x]) => tanh(pad(x!, [1, 0, 2, 1])));
});

test('concat along axis 0 and along the last axis, including the same input twice', async () => {
  await gradcheck([[2, 3], [1, 3]], ([a, b]) => tanh(concat([a!, b!], 0)));
  await gradcheck([[2, 3], [2, 1]], ([a, b]) => tanh(concat([a!, b!, a!], -1)));
});

test('split into unequal pieces used differently', async () => {
  await gradcheck([[2, 6]], ([x]) => {
    const [p, q, r] = split(x!, [1, 3, 2], 1) as [Node, Node, Node];
    return concat([mul(p, p), tanh(q), mul(r, 3)], 1);
  });
});

test('expand: new leading axes and size-1 axes', async () => {
  await gradcheck([[3, 1]], ([x]) => tanh(expand(x!, [2, 3, 4])));
  await gradcheck([[]], ([x]) => tanh(expand(x!, [2, 2])));
});

test('unsqueeze and squeeze', async () => {
  await gradcheck([[2, 3]], ([x]) => tanh(add(unsqueeze(x!, 1), unsqueeze(x!, -1))));
  await gradcheck([[2, 1, 3]], ([x]) => tanh(squeeze(x!, 1)));
});

test('gradchecks every op gradCoverage.ts lists for this file', () => assertGradchecked('grad-layout'));
