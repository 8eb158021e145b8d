import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/engine/tensor.js';
import {
  ADDITION_BOS, AdditionProblems, additionAccuracy, additionDecode, additionEvalSet, additionLayout, additionText, additionTokens,
} from '../../src/data/addition.js';
import { BatchIterator } from '../../src/data/batches.js';
import { argmaxTokens, exactMatchAccuracy } from '../../src/data/metrics.js';
import {
  ModularAdditionProblems, modularAdditionAccuracy, modularAdditionDataset, modularTokenStrings, modularVocabSize,
} from '../../src/data/modularAddition.js';

/** Perfect teacher-forced predictions: prediction p is token p + 1. */
const perfect = (rows: number[][]): number[][] => rows.map((r) => [...r.slice(1), 0]);

/** One-hot logits [batch, pos, V] that put the argmax on `ids`. */
function logitsFor(ids: number[][], V: number): Tensor<'float32'> {
  const B = ids.length;
  const T = ids[0]!.length;
  const data = new Float32Array(B * T * V).fill(-1);
  ids.forEach((r, b) => r.forEach((id, t) => (data[(b * T + t) * V + id] = 2)));
  return { dtype: 'float32', shape: [B, T, V], data };
}

test('addition problems are "BOS a+b=c" with fixed-width operands', () => {
  assert.equal(additionText(12, 345, { digits: 3 }), '012+345=0357');
  assert.equal(additionText(999, 999, { digits: 3 }), '999+999=1998');
  assert.equal(additionText(12, 345, { digits: 3, reverseAnswer: true }), '012+345=7530');
  const ids = additionTokens(7, 5, { digits: 1 });
  assert.deepEqual(ids, [ADDITION_BOS, 7, 10, 5, 11, 1, 2]);
  assert.equal(additionDecode(ids), '<|BOS|>7+5=12');
  assert.deepEqual(additionLayout(3), { length: 13, answer: { start: 9, end: 13 } });
  assert.throws(() => additionText(1000, 1, { digits: 3 }), /operands must be integers in \[0, 1000\)/);
  // Operands come from 32 random bits: 9 digits is the most they reach every number of.
  assert.deepEqual(additionLayout(9), { length: 31, answer: { start: 21, end: 31 } });
  assert.throws(() => additionLayout(10), /digits must be an integer in 1\.\.9, got 10/);
});

test('addition accuracy counts a problem only when every answer digit is right', () => {
  const rows = additionEvalSet({ digits: 2, count: 4, seed: 1 });
  assert.equal(rows.length, 4);
  assert.ok(rows.every((r) => r.length === 10));
  const pred = perfect(rows);
  assert.equal(additionAccuracy(pred, rows, 2), 1);
  const wrong = pred.map((r) => [...r]);
  wrong[0]![7] = (rows[0]![8]! + 1) % 10; // the middle answer digit of problem 0
  wrong[1]![2] = 0; // a non-answer position does not count
  assert.equal(additionAccuracy(wrong, rows, 2), 0.75);
  assert.equal(additionAccuracy(logitsFor(wrong, 13), rows, 2), 0.75, 'logits are reduced to their argmax');
  for (const r of rows) {
    const text = additionDecode(r).slice('<|BOS|>'.length);
    const [a, rest] = text.split('+');
    const [b, c] = rest!.split('=');
    assert.equal(Number(a) + Number(b), Number(c));
  }
});

test('addition batches come through the batch iterator', () => {
  const it = new BatchIterator(new AdditionProblems({ digits: 3 }), { batchSize: 5, seed: 0 });
  const b = it.nextBatch();
  assert.deepEqual(b.tokens.shape, [5, 13]);
  b.rows.forEach((info, i) => {
    assert.equal(info.kind, 'addition');
    if (info.kind === 'addition') {
      assert.deepEqual(Array.from(b.tokens.data.subarray(i * 13, (i + 1) * 13), Number), additionTokens(info.a, info.b, { digits: 3 }));
    }
  });
});

test('modular addition: all p^2 pairs, split once by the seed, accuracy read at "="', () => {
  const d = modularAdditionDataset(7, 0.3, 0);
  assert.equal(d.train.length + d.test.length, 49);
  assert.equal(d.train.length, 15);
  const keys = new Set([...d.train, ...d.test].map((r) => `${r[0]},${r[1]}`));
  assert.equal(keys.size, 49);
  for (const r of [...d.train, ...d.test]) assert.deepEqual(r, [r[0], r[1], 7, (r[0]! + r[1]!) % 7]);
  assert.deepEqual(modularAdditionDataset(7, 0.3, 0), d);
  assert.notDeepEqual(modularAdditionDataset(7, 0.3, 1).train, d.train);
  assert.equal(modularVocabSize(7), 8);
  assert.equal(modularTokenStrings(7)[7], '=');

  const pred = perfect(d.test);
  assert.equal(modularAdditionAccuracy(pred, d.test), 1);
  pred[0]![2] = (pred[0]![2]! + 1) % 7;
  pred[1]![0] = 3; // predicting b from a is not part of the task
  assert.equal(modularAdditionAccuracy(pred, d.test), 1 - 1 / d.test.length);

  const src = new ModularAdditionProblems(d.train, 7);
  const b = new BatchIterator(src, { batchSize: 6, seed: 2 }).nextBatch();
  assert.deepEqual(b.tokens.shape, [6, 4]);
  const trainKeys = new Set(d.train.map((r) => r.join(',')));
  for (let i = 0; i < 6; i++) assert.ok(trainKeys.has(Array.from(b.tokens.data.subarray(i * 4, i * 4 + 4)).join(',')));
});

test('exact match on hand-made cases, and argmax takes the first maximum', () => {
  const tokens = [[9, 1, 2, 3], [9, 1, 2, 4]];
  assert.equal(exactMatchAccuracy([[1, 2, 3], [1, 2, 3]], tokens, { start: 2, end: 4 }), 0.5);
  assert.equal(exactMatchAccuracy([[0, 2, 3], [5, 2, 4]], tokens, { start: 2, end: 4 }), 1);
  assert.throws(() => exactMatchAccuracy([[1]], tokens, { start: 2, end: 4 }), /1 rows of predictions for 2 sequences/);
  const logits: Tensor<'float32'> = { dtype: 'float32', shape: [1, 2, 3], data: Float32Array.of(0, 5, 5, 1, 0, -1) };
  assert.deepEqual(argmaxTokens(logits), [[1, 0]]);
});
