import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchIterator, describeBatch, describeMix, evaluationBatches, replayBatch, spreadWindows, textMix, type Batch } from '../../src/data/batches.js';
import { TextWindows } from '../../src/data/sources.js';

const stream = Int32Array.from({ length: 5000 }, (_, i) => (i * 7919) % 100);
const rows = (b: Batch): number[][] => {
  const [B, T] = b.tokens.shape as [number, number];
  return Array.from({ length: B }, (_, i) => Array.from(b.tokens.data.subarray(i * T, (i + 1) * T), Number));
};
const mix = () => textMix(stream, { length: 33, bosTokenId: 100, repeatShare: 0.25, repeatLengths: { min: 3, max: 12 } });

test('batches are [batch, n_ctx + 1] int64 windows of the stream, BOS first, and the same for the same seed', () => {
  const a = new BatchIterator(mix(), { batchSize: 8, seed: 3 });
  const b = new BatchIterator(mix(), { batchSize: 8, seed: 3 });
  const c = new BatchIterator(mix(), { batchSize: 8, seed: 4 });
  for (let s = 0; s < 5; s++) {
    const x = a.nextBatch();
    assert.equal(x.step, s);
    assert.equal(x.tokens.dtype, 'int64');
    assert.deepEqual(x.tokens.shape, [8, 33]);
    assert.deepEqual(rows(x), rows(b.nextBatch()));
    assert.notDeepEqual(rows(x), rows(c.nextBatch()));
    rows(x).forEach((r, i) => {
      assert.equal(r[0], 100);
      const info = x.rows[i]!;
      assert.ok(info.kind === 'text' || info.kind === 'text-repeat');
      if (info.kind === 'text') assert.deepEqual(r.slice(1), Array.from(stream.subarray(info.start, info.start + 32)));
    });
  }
});

test('a resumed iterator continues with exactly the batches of an uninterrupted one', () => {
  const straight = new BatchIterator(mix(), { batchSize: 4, seed: 11 });
  const expected = Array.from({ length: 12 }, () => straight.nextBatch());
  const first = new BatchIterator(mix(), { batchSize: 4, seed: 11 });
  for (let i = 0; i < 5; i++) first.nextBatch();
  const saved = JSON.parse(JSON.stringify(first.state()));
  const resumed = new BatchIterator(mix(), { batchSize: 4, seed: 11 }, saved);
  assert.equal(resumed.step, 5);
  for (let i = 5; i < 12; i++) {
    const got = resumed.nextBatch();
    assert.equal(got.step, i);
    assert.deepEqual(rows(got), rows(expected[i]!));
    assert.deepEqual(got.rows, expected[i]!.rows);
  }
  assert.deepEqual(replayBatch(mix(), { batchSize: 4, seed: 11 }, 7), expected[7]);
});

test('resuming with other data or another batch size is refused with both descriptions', () => {
  const it = new BatchIterator(mix(), { batchSize: 4, seed: 1 });
  it.nextBatch();
  const state = it.state();
  assert.throws(() => new BatchIterator(mix(), { batchSize: 8, seed: 1 }, state), /checkpoint's data .* differs/);
  const other = textMix(stream, { length: 33, bosTokenId: 100, repeatShare: 0.5, repeatLengths: { min: 3, max: 12 } });
  assert.throws(() => new BatchIterator(other, { batchSize: 4, seed: 1 }, state), /differs/);
});

test('the repeat share is honoured and each repeated row really holds its span twice', () => {
  const it = new BatchIterator(mix(), { batchSize: 64, seed: 5 });
  let repeats = 0;
  let total = 0;
  const lengths = new Set<number>();
  for (let s = 0; s < 20; s++) {
    const b = it.nextBatch();
    const summary = describeBatch(b);
    assert.equal((summary.counts.text ?? 0) + (summary.counts['text-repeat'] ?? 0), 64);
    repeats += summary.counts['text-repeat'] ?? 0;
    total += 64;
    rows(b).forEach((r, i) => {
      const info = b.rows[i]!;
      if (info.kind !== 'text-repeat') return;
      const { from, to, length } = info.repeat;
      lengths.add(length);
      assert.ok(from >= 1 && to >= from + length && to + length <= 33 && length >= 3 && length <= 12);
      assert.deepEqual(r.slice(to, to + length), r.slice(from, from + length));
    });
  }
  assert.ok(Math.abs(repeats / total - 0.25) < 0.04, `repeat share ${repeats / total}`);
  assert.equal(lengths.size, 10, 'every length 3..12 is drawn');
});

test('the data description states the mix for reproduce', () => {
  const d = new BatchIterator(mix(), { batchSize: 16, seed: 2 }).describe();
  assert.deepEqual(d.mix.map((m) => [m.kind, m.share]), [['text', 0.75], ['text-repeat', 0.25]]);
  const line = describeMix(d);
  assert.match(line, /^75% text windows of 33 tokens \(BOS first\) from a stream of 5000 tokens; 25% text windows .* span of 3-12 tokens repeated later in each \(batch 16, seed 2\)$/);
});

test('a single source needs no mix, and bad mixes are refused', () => {
  const src = new TextWindows(stream, { length: 17, bosTokenId: null });
  const b = new BatchIterator(src, { batchSize: 2, seed: 0 }).nextBatch();
  assert.deepEqual(b.tokens.shape, [2, 17]);
  assert.throws(() => new BatchIterator([], { batchSize: 2, seed: 0 }), /empty/);
  assert.throws(() => new BatchIterator([{ source: src, share: 0 }], { batchSize: 2, seed: 0 }), /sum to 0/);
  assert.throws(() => new TextWindows(Int32Array.of(1, 2), { length: 17, bosTokenId: null }), /fewer than one window/);
});

test('evaluation batches are fixed, non-overlapping windows', () => {
  const a = evaluationBatches(stream, { batchSize: 4, length: 65, bosTokenId: 100, maxBatches: 3 });
  const b = evaluationBatches(stream, { batchSize: 4, length: 65, bosTokenId: 100, maxBatches: 3 });
  assert.equal(a.length, 3);
  assert.deepEqual(a, b);
  const starts = a.flatMap((t) => Array.from({ length: 4 }, (_, i) => Number(t.data[i * 65 + 1])));
  assert.equal(starts[0], stream[0]);
  const small = Int32Array.from({ length: 200 }, (_, i) => i);
  const windows = evaluationBatches(small, { batchSize: 2, length: 33, bosTokenId: null, maxBatches: 10 });
  assert.equal(windows.length, 3, '200 tokens hold 6 windows of 33');
  const firsts = windows.flatMap((t) => [Number(t.data[0]), Number(t.data[33])]);
  assert.deepEqual(firsts, [0, 33, 66, 99, 132, 165]);
});

test('spreadWindows samples the whole stream: evenly spaced, non-overlapping, BOS first', () => {
  const s = Int32Array.from({ length: 1000 }, (_, i) => i);
  const w = spreadWindows(s, 11, 5000, 4); // 10 stream tokens per window: 100 fit, every 25th is taken
  assert.deepEqual(w.map((r) => r[0]), [5000, 5000, 5000, 5000]);
  assert.deepEqual(w.map((r) => r[1]), [0, 250, 500, 750]);
  assert.deepEqual(w[3], [5000, 750, 751, 752, 753, 754, 755, 756, 757, 758, 759]);
  assert.equal(spreadWindows(s, 100, null, 50).length, 10, 'no more windows than fit');
  assert.deepEqual(spreadWindows(s, 100, null, 50).map((r) => r[0]), [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  assert.deepEqual(spreadWindows(Int32Array.of(1, 2), 10, null, 3), []);
});
