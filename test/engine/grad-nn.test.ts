// Gradients of the transformer's building blocks: softmax, LayerNorm, GELU, cross-entropy, the causal mask.
import { test } from 'node:test';
import {
  causalMask, constant, crossEntropy, tensor, gelu, geluTanh, int64Tensor, layerNorm, logSoftmax, matmul, mT, softmax,
} from '../../src/engine/index.js';
import { assertGradchecked, gradcheck } from './gradcheck.js';

for (const axis of [-1, 0, 1]) {
  test(`softmax along axis ${axis}`, async () => {
    await gradcheck([[2, 3, 4]], ([x]) => softmax(x!, axis));
  });
  test(`logSoftmax along axis ${axis}`, async () => {
    await gradcheck([[2, 3, 4]], ([x]) => logSoftmax(x!, axis));
  });
}

test('layerNorm without weight and bias (LNPre)', async () => {
  await gradcheck([[2, 3, 5]], ([x]) => layerNorm(x!, null, null).normalized);
});

test('layerNorm with weight and bias', async () => {
  await gradcheck([[2, 3, 5], [5], [5]], ([x, w, b]) => layerNorm(x!, w!, b!).normalized);
});

test('layerNorm scale (hook_scale)', async () => {
  await gradcheck([[3, 4]], ([x]) => layerNorm(x!, null, null).scale);
});

test('gelu (exact)', async () => {
  await gradcheck([{ shape: [3, 4], sample: (r) => 3 * r.normal() }], ([x]) => gelu(x!));
});

test('geluTanh (gelu_new)', async () => {
  await gradcheck([{ shape: [3, 4], sample: (r) => 3 * r.normal() }], ([x]) => geluTanh(x!));
});

const targets = constant(int64Tensor([0, 4, 4, 2, 1, 3], [2, 3]));

test('crossEntropy, mean over positions', async () => {
  await gradcheck([[2, 3, 5]], ([logits]) => crossEntropy(logits!, targets, 'mean'));
});

test('crossEntropy, per token', async () => {
  await gradcheck([[2, 3, 5]], ([logits]) => crossEntropy(logits!, targets, 'none'));
});

test('crossEntropy with int32 targets over a 2-D batch of positions', async () => {
  const t32 = constant(tensor(Int32Array.from([3, 0, 3, 1]), [4]));
  await gradcheck([[4, 5]], ([logits]) => crossEntropy(logits!, t32, 'mean'));
});

test('causalMask then softmax (an attention pattern)', async () => {
  await gradcheck([[2, 4, 4]], ([scores]) => softmax(causalMask(scores!), -1));
});

test('causalMask with fewer queries than keys (the last queries of a longer context)', async () => {
  await gradcheck([[2, 5]], ([scores]) => softmax(causalMask(scores!), -1));
});

test('attention head end to end: softmax(mask(q k^T / sqrt d)) v', async () => {
  await gradcheck([[3, 2], [3, 2], [3, 2]], ([q, k, v]) => {
    const scores = matmul(q!, mT(k!));
    return matmul(softmax(causalMask(scores), -1), v!);
  });
});

test('gradchecks every op gradCoverage.ts lists for this file', () => assertGradchecked('grad-nn'));
