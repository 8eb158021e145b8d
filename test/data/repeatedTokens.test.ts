import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchIterator } from '../../src/data/batches.js';
import { RepeatedRandomTokens, repeatedTokenPositions, repeatedTokensEvalSet } from '../../src/data/repeatedTokens.js';

test('training sequences repeat a span whose length and place change from sequence to sequence', () => {
  const src = new RepeatedRandomTokens({ length: 65, dVocab: 50, bosTokenId: 49, repeat: { min: 4, max: 24, exclude: [10] } });
  const it = new BatchIterator(src, { batchSize: 32, seed: 1 });
  const lengths = new Set<number>();
  const froms = new Set<number>();
  const gaps = new Set<number>();
  for (let s = 0; s < 8; s++) {
    const b = it.nextBatch();
    const lengthsThisBatch = new Set<number>();
    b.rows.forEach((info, i) => {
      assert.equal(info.kind, 'repeated-random');
      if (info.kind !== 'repeated-random') return;
      const r = Array.from(b.tokens.data.subarray(i * 65, (i + 1) * 65), Number);
      const { from, to, length } = info.repeat;
      assert.equal(r[0], 49);
      assert.equal(r.indexOf(49, 1), -1, 'BOS only at position 0');
      assert.notEqual(length, 10, 'held-out length never trained on');
      assert.deepEqual(r.slice(to, to + length), r.slice(from, from + length));
      lengths.add(length);
      lengthsThisBatch.add(length);
      froms.add(from);
      gaps.add(to - from);
    });
    assert.ok(lengthsThisBatch.size > 5, 'lengths vary within every batch');
  }
  assert.equal(lengths.size, 20);
  assert.ok(froms.size > 20 && gaps.size > 20, 'offsets vary');
  assert.match(src.describe(), /span of 4-24 tokens \(not 10\)/);
});

test('the evaluation probe is BOS + N random tokens + the same N', () => {
  const set = repeatedTokensEvalSet({ batch: 3, length: 7, dVocab: 20, bosTokenId: 19, seed: 42 });
  assert.equal(set.tokens.length, 3);
  for (const r of set.tokens) {
    assert.equal(r.length, 15);
    assert.equal(r[0], 19);
    assert.deepEqual(r.slice(1, 8), r.slice(8, 15));
    assert.ok(r.slice(1).every((t) => t >= 0 && t < 19));
  }
  assert.notDeepEqual(set.tokens, repeatedTokensEvalSet({ batch: 3, length: 7, dVocab: 20, bosTokenId: 19, seed: 43 }).tokens);
});

test('positions where induction is possible, and where each head type looks', () => {
  const p = repeatedTokenPositions(4, true);
  // BOS a b c d a b c d: positions 0..8.
  assert.deepEqual(p.firstCopy, [1, 5]);
  assert.deepEqual(p.secondCopy, [5, 9]);
  assert.deepEqual(p.dest, [5, 6, 7, 8]);
  assert.deepEqual(p.inductionSrc, [2, 3, 4, 5]);
  assert.deepEqual(p.duplicateSrc, [1, 2, 3, 4]);
  assert.deepEqual(p.previousSrc, [4, 5, 6, 7]);
  assert.deepEqual(p.predictable, [5, 6, 7]);
  const seq = ['BOS', 'a', 'b', 'c', 'd', 'a', 'b', 'c', 'd'];
  p.dest.forEach((i, k) => {
    assert.equal(seq[p.duplicateSrc[k]!], seq[i]);
    assert.equal(seq[p.inductionSrc[k]! - 1], seq[i], 'the induction source follows an earlier copy of the current token');
  });
  p.predictable.forEach((i, k) => assert.equal(seq[i + 1], seq[p.inductionSrc[k]!]));
  assert.deepEqual(repeatedTokenPositions(3, false).dest, [3, 4, 5]);
});

test('spans that cannot fit are refused with a clear message', () => {
  assert.throws(() => new RepeatedRandomTokens({ length: 9, dVocab: 10, bosTokenId: null, repeat: { min: 5, max: 6 } }), /none fits twice in 9 tokens/);
  assert.throws(() => new RepeatedRandomTokens({ length: 9, dVocab: 1, bosTokenId: 0, repeat: { min: 1, max: 2 } }), /non-BOS token/);
});
