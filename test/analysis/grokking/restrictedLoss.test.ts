import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyFrequencies, logitFrequencyShares } from '../../../src/analysis/grokking/frequencies.js';
import { labelOf, tableLossAndAccuracy, type LogitTable } from '../../../src/analysis/grokking/logits.js';
import { excludedLoss, keyFrequencyComponent, restrictedLoss } from '../../../src/analysis/grokking/restrictedLoss.js';

/** L[a, b, c] = sum_k alpha_k cos(w_k (a + b - c)) + bias[c]: the paper's algorithm's logits, by hand. */
function table(p: number, terms: Record<number, number>, bias: (c: number) => number = () => 0): LogitTable {
  const data = new Float64Array(p * p * p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) for (let c = 0; c < p; c++) {
    let v = bias(c);
    for (const [k, alpha] of Object.entries(terms)) v += alpha * Math.cos((2 * Math.PI * Number(k) * (a + b - c)) / p);
    data[(a * p + b) * p + c] = v;
  }
  return { p, data };
}

/** Cross-entropy by hand: the same logits for every row, the label (a + b) mod p. */
function uniformRowLoss(p: number, logits: number[], rows: number[]): number {
  const lse = Math.log(logits.reduce((s, v) => s + Math.exp(v), 0));
  return rows.reduce((s, r) => s + lse - logits[labelOf(p, r)]!, 0) / rows.length;
}

const p = 13;
const K = [2, 5, 6];
const terms = { 2: 3, 5: 2, 6: 4 };

test('a table made of cos(w (a + b - c)) at frequencies K has all its norm in K, and K is its key frequencies', () => {
  const shares = logitFrequencyShares(table(p, terms));
  const outside = shares.filter((_, i) => !K.includes(i + 1)).reduce((s, v) => s + v, 0);
  assert.ok(outside < 1e-12, `share outside K: ${outside}`);
  assert.ok(Math.abs(shares.reduce((s, v) => s + v, 0) - 1) < 1e-9);
  // cos(w(a+b-c)) has the same norm for every k, so the shares are alpha_k^2 / sum alpha^2
  assert.ok(Math.abs(shares[5]! - 16 / 29) < 1e-9);
  assert.deepEqual(keyFrequencies(shares, 0.999), K);
  assert.deepEqual(keyFrequencies(shares, 0.5), [6]);
});

test('restricted loss of such a table equals its full loss, with or without an input-independent bias', () => {
  const plain = table(p, terms);
  const full = tableLossAndAccuracy(plain).loss;
  assert.ok(Math.abs(restrictedLoss(plain, K) - full) < 1e-9);
  assert.equal(tableLossAndAccuracy(plain).accuracy, 1);
  // The projection onto cos/sin(w(a+b)) drops a per-output bias; the paper's bias correction restores it.
  const biased = table(p, terms, (c) => 0.3 * c - 1);
  assert.ok(Math.abs(restrictedLoss(biased, K) - tableLossAndAccuracy(biased).loss) < 1e-9);
  // Leaving a key frequency out is worse: the restricted loss then exceeds the full loss.
  assert.ok(restrictedLoss(plain, [2, 5]) > full + 0.1);
});

test('excluded loss of such a table is the loss of what is left: log p, or the bias alone', () => {
  const rows = Array.from({ length: 40 }, (_, i) => (i * 7) % (p * p));
  assert.ok(Math.abs(excludedLoss(table(p, terms), K, rows) - Math.log(p)) < 1e-9);
  const bias = (c: number) => 0.3 * c - 1;
  const biasLogits = Array.from({ length: p }, (_, c) => bias(c));
  assert.ok(Math.abs(excludedLoss(table(p, terms, bias), K, rows) - uniformRowLoss(p, biasLogits, rows)) < 1e-9);
  // Removing only some of the key frequencies leaves the rest: a loss between the full loss and log p.
  const partial = excludedLoss(table(p, terms), [6], rows);
  assert.ok(partial < Math.log(p) && partial > tableLossAndAccuracy(table(p, terms), rows).loss);
});

test('the key-frequency component is a projection: applying it twice changes nothing', () => {
  const t = table(p, { 1: 1, 3: 2 }, (c) => Math.sin(c));
  for (let i = 0; i < t.data.length; i++) t.data[i]! += Math.cos(i * 0.37) * 0.5;
  const once = keyFrequencyComponent(t, [1, 3]);
  const twice = keyFrequencyComponent(once, [1, 3]);
  for (let i = 0; i < once.data.length; i++) assert.ok(Math.abs(once.data[i]! - twice.data[i]!) < 1e-9);
});
