import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { additionPositions, additionTokens } from '../../../src/data/addition.js';
import { digitAttention, digitAttentionFromPattern } from '../../../src/analysis/addition/attention.js';
import { pairReads } from '../../../src/analysis/addition/pairs.js';
import type { Tensor } from '../../../src/engine/tensor.js';
import { handBuiltAddition } from './handBuilt.js';

installNodeRuntime();

test('additionPositions: where D_i, D\'_i and A_i sit in BOS a + b = c', () => {
  // 3 digits: BOS d2 d1 d0 + e2 e1 e0 = A3 A2 A1 A0 at positions 0..12.
  const p = additionPositions(3);
  assert.deepEqual(p.a, [3, 2, 1]);
  assert.deepEqual(p.b, [7, 6, 5]);
  assert.deepEqual(p.answer, [12, 11, 10, 9]);
  assert.deepEqual(p.predictor, [11, 10, 9, 8]);
  const row = additionTokens(123, 456, { digits: 3 }); // BOS 1 2 3 + 4 5 6 = 0 5 7 9
  assert.deepEqual([row[p.a[0]!], row[p.b[0]!], row[p.answer[0]!], row[p.answer[3]!]], [3, 6, 9, 0]);
});

test('digitAttentionFromPattern on a hand-built pattern: the tables, the pairs each digit reads, each head\'s offset', () => {
  const d = 3;
  const pos = additionPositions(d);
  const T = 3 * d + 3;
  const B = 2;
  const H = 3;
  const data = new Float32Array(B * H * T * T);
  const put = (b: number, h: number, q: number, k: number, v: number) => { data[((b * H + h) * T + q) * T + k] = v; };
  for (let b = 0; b < B; b++) {
    for (let i = 0; i <= d; i++) {
      const q = pos.predictor[i]!;
      // H0: base add (A3 has no pair 3: it looks at BOS); H1: make carry (A0: BOS); H2: D_i only in problem 0,
      // D'_{i-1} only in problem 1 (a mean of 0.5 on each pair, under the 0.6 threshold below).
      if (i < d) { put(b, 0, q, pos.a[i]!, 0.5); put(b, 0, q, pos.b[i]!, 0.5); } else put(b, 0, q, 0, 1);
      if (i > 0) { put(b, 1, q, pos.a[i - 1]!, 0.7); put(b, 1, q, pos.b[i - 1]!, 0.3); } else put(b, 1, q, 0, 1);
      if (b === 0 && i < d) put(b, 2, q, pos.a[i]!, 1);
      else if (b === 1 && i > 0) put(b, 2, q, pos.b[i - 1]!, 1);
      else put(b, 2, q, 0, 1);
    }
  }
  const pattern: Tensor<'float32'> = { dtype: 'float32', shape: [B, H, T, T], data };
  const att = digitAttentionFromPattern(pattern, d);
  assert.deepEqual(att.columns.map((c) => c.label), ['D2', 'D1', 'D0', "D'2", "D'1", "D'0"]);
  assert.deepEqual(att.rows.map((r) => r.label), ['A3', 'A2', 'A1', 'A0']);
  // Head 1, row A2 (index 1): 0.7 on D1, 0.3 on D'1.
  assert.deepEqual(att.table[1]![1], [0, 0.699999988079071, 0, 0, 0.30000001192092896, 0]);
  assert.equal(att.pair[0]![2]![2], 1);
  assert.ok(Math.abs(att.pair[1]![3]![2]! - 1) < 1e-6);
  assert.equal(att.pair[2]![1]![1], 0.5);
  assert.equal(att.pair[2]![1]![0], 0.5);
  const r = pairReads(att, 0.6);
  assert.deepEqual(r.digits.map((x) => x.reads), [[0], [1, 0], [2, 1], [2]]);
  assert.deepEqual(r.offsets.map((o) => o.offsets), [[0, 0, 0, null], [null, 1, 1, 1], [null, null, null, null]]);
  assert.throws(() => digitAttentionFromPattern({ dtype: 'float32', shape: [1, 1, 5, 5], data: new Float32Array(25) }, 3), /does not cover 3-digit problems/);
});

test('digitAttention on a hand-built model: head 0 reads D_i, D\'_i and head 1 the pair below, as built', async () => {
  const d = 3;
  const model = handBuiltAddition(d);
  const rows = [[12, 3], [456, 789], [999, 1], [50, 50]].map(([a, b]) => additionTokens(a!, b!, { digits: d }));
  const att = await digitAttention(model, rows, d);
  for (let i = 0; i < d; i++) assert.ok(att.pair[0]![i]![i]! > 0.999, `H0 A${i}: ${att.pair[0]![i]![i]}`);
  for (let i = 1; i <= d; i++) assert.ok(att.pair[1]![i]![i - 1]! > 0.999, `H1 A${i}: ${att.pair[1]![i]![i - 1]}`);
  const r = pairReads(att);
  assert.deepEqual(r.digits.map((x) => x.reads), [[0], [1, 0], [2, 1], [2]]);
  assert.deepEqual(r.offsets.map((o) => o.offsets), [[0, 0, 0, null], [null, 1, 1, 1]]);
  // Within a pair the two digits share the attention equally.
  const a2 = att.table[0]![1]!; // row A2
  assert.ok(Math.abs(a2[0]! - 0.5) < 1e-3 && Math.abs(a2[3]! - 0.5) < 1e-3, JSON.stringify(a2));
});
