import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { additionTokens } from '../../../src/data/addition.js';
import { ablateEdgesInZ, ablateHeadsInZ, ablatePairEdges, pairEdgePositions } from '../../../src/analysis/addition/ablation.js';
import { additionInputs } from '../../../src/analysis/addition/accuracy.js';
import type { Tensor } from '../../../src/engine/tensor.js';
import { handBuiltAddition } from './handBuilt.js';

installNodeRuntime();

const t = (shape: number[], data: number[]): Tensor<'float32'> => ({ dtype: 'float32', shape, data: Float32Array.from(data) });

test('pairEdgePositions: each answer digit\'s predictor to the pair `offset` below it, where it exists', () => {
  // 2 digits: BOS d1 d0 + e1 e0 = A2 A1 A0; predictors of A0, A1, A2 are 8, 7, 6.
  assert.deepEqual(pairEdgePositions(2, 0), [{ dest: 8, src: [2, 5] }, { dest: 7, src: [1, 4] }]);
  assert.deepEqual(pairEdgePositions(2, 1), [{ dest: 7, src: [2, 5] }, { dest: 6, src: [1, 4] }]);
  assert.deepEqual(pairEdgePositions(2, 3), []);
});

test('ablateEdgesInZ by hand: an edge\'s pattern x value swapped for its mean (over all, or a reference set), or removed', () => {
  // batch 2, 3 positions, 1 head, d_head 1; v = [1, 2, 3] and [5, 6, 7]; at position 2 the patterns are
  // [0.5, 0.25, 0.25] and [0.1, 0.1, 0.8].
  const v = t([2, 3, 1, 1], [1, 2, 3, 5, 6, 7]);
  const pattern = t([2, 1, 3, 3], [1, 0, 0, 0.5, 0.5, 0, 0.5, 0.25, 0.25, 1, 0, 0, 0.5, 0.5, 0, 0.1, 0.1, 0.8]);
  const z = t([2, 3, 1, 1], [1, 1.5, 0.5 + 0.5 + 0.75, 5, 5.5, 0.5 + 0.6 + 5.6]);
  // Edge 2 <- 0: contributions 0.5 * 1 = 0.5 and 0.1 * 5 = 0.5, mean 0.5: nothing changes.
  const same = ablateEdgesInZ(z, pattern, v, [{ dest: 2, src: [0] }], [0], 'mean');
  assert.deepEqual(Array.from(same.data), Array.from(z.data));
  // Edge 2 <- 1: contributions 0.5 and 0.6, mean 0.55.
  const m = ablateEdgesInZ(z, pattern, v, [{ dest: 2, src: [1] }], [0], 'mean');
  assert.ok(Math.abs(m.data[2]! - (1.75 - 0.5 + 0.55)) < 1e-6 && Math.abs(m.data[5]! - (6.7 - 0.6 + 0.55)) < 1e-6);
  assert.deepEqual([m.data[0], m.data[1], m.data[3], m.data[4]], [1, 1.5, 5, 5.5]);
  // The mean over problem 1 only: 0.6 in both.
  const r = ablateEdgesInZ(z, pattern, v, [{ dest: 2, src: [1] }], [0], 'mean', [[false, true]]);
  assert.ok(Math.abs(r.data[2]! - (1.75 - 0.5 + 0.6)) < 1e-6 && Math.abs(r.data[5]! - 6.7) < 1e-6);
  const zero = ablateEdgesInZ(z, pattern, v, [{ dest: 2, src: [1, 2] }], [0], 'zero');
  assert.ok(Math.abs(zero.data[2]! - 0.5) < 1e-6 && Math.abs(zero.data[5]! - 0.5) < 1e-6);
  assert.throws(() => ablateEdgesInZ(z, pattern, v, [{ dest: 2, src: [1] }], [1], 'mean'), /head 1 is not one of the layer's 1 heads/);
  assert.throws(() => ablateEdgesInZ(z, pattern, v, [{ dest: 2, src: [1] }], [0], 'mean', [[false, false]]), /no problem to take edge 0's mean over/);
  // Whole heads: each position's mean over the batch.
  const h = ablateHeadsInZ(z, [0], 'mean');
  assert.deepEqual(Array.from(h.data).map((x) => +x.toFixed(4)), [3, 3.5, 4.225, 3, 3.5, 4.225]);
});

test('ablatePairEdges on the hand-built model: zero-ablating the pair below removes exactly the make-carry head\'s reading', async () => {
  const d = 3;
  const T = 3 * d + 3;
  const model = handBuiltAddition(d);
  const rows = [[12, 3], [456, 789], [999, 1]].map(([a, b]) => additionTokens(a!, b!, { digits: d }));
  // The logit of token c is residual coordinate c: the position one-hot plus where each head looked.
  const at = (x: Tensor<'float32'>, b: number, p: number, c: number) => x.data[(b * T + p) * 13 + c]!;
  const clean = await model.run(additionInputs(rows));
  // A1's predictor is position 10; head 1 reads D0 (position 3) and D'0 (7) there, head 0 reads D1 (2) and D'1 (6).
  for (const c of [3, 7, 2, 6]) assert.ok(Math.abs(at(clean, 0, 10, c) - 0.5) < 1e-3, `clean ${c}: ${at(clean, 0, 10, c)}`);
  const zero = await ablatePairEdges(model, rows, d, { layer: 0, offset: 1, heads: [1] }, 'zero');
  for (let b = 0; b < rows.length; b++) {
    for (const c of [3, 7]) assert.ok(Math.abs(at(zero, b, 10, c)) < 1e-3, `ablated ${c}: ${at(zero, b, 10, c)}`);
    for (const c of [2, 6]) assert.ok(Math.abs(at(zero, b, 10, c) - 0.5) < 1e-3);
  }
  // Elsewhere nothing moves: the '=' position (8), whose head 1 reads the pair below A3, is ablated too, but A0's
  // predictor (11), which has no pair below, is not.
  assert.ok(Math.abs(at(zero, 0, 8, 1) - at(clean, 0, 8, 1) + 0.5) < 1e-3);
  for (let c = 0; c < 13; c++) assert.ok(Math.abs(at(zero, 1, 11, c) - at(clean, 1, 11, c)) < 1e-6);
  // Every problem attends alike and the values are positions: the mean is each problem's own, so nothing changes.
  const mean = await ablatePairEdges(model, rows, d, { layer: 0, offset: 1, heads: [0, 1] }, 'mean');
  for (let k = 0; k < clean.data.length; k++) assert.ok(Math.abs(mean.data[k]! - clean.data[k]!) < 1e-5);
});
