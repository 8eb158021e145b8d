import { test } from 'node:test';
import assert from 'node:assert/strict';
import { additionPositions, additionTokens, carryCase, cascadeProblems, isHeldOut, heldOutProblems, ADDITION_HELD_OUT_EVERY } from '../../../src/data/addition.js';
import { cascadeDepth, carryIn, digitCarry, digitCarryAccuracy } from '../../../src/analysis/addition/carries.js';
import { scoreAddition } from '../../../src/analysis/addition/accuracy.js';
import type { Tensor } from '../../../src/engine/tensor.js';

test('carry cases by hand: none, simple, cascading ("use sum 9"), and each digit\'s carry-in', () => {
  // [a, b, case, depth] for 3 digits, worked out on paper.
  const cases: [number, number, string, number][] = [
    [123, 456, 'none', 0], // 579: no column reaches 10
    [45, 54, 'none', 0], // 099: sums of 9 with nothing to pass on
    [15, 17, 'simple', 0], // 5 + 7 = 12 carries into a column summing to 2
    [909, 191, 'cascade', 1], // 9 + 1 = 10; the tens' 0 + 9 = 9 receives the carry and passes it on: 1100
    [445, 555, 'cascade', 2], // 5 + 5 = 10 passes through 4 + 5 = 9 twice: 1000
    [95, 5, 'cascade', 1], // 5 + 5 = 10 passes through 9 + 0 = 9: 100
    [99, 99, 'simple', 0], // 9 + 9 = 18 makes a carry; 9 + 9 + 1 makes its own
    [0, 0, 'none', 0],
  ];
  for (const [a, b, kind, depth] of cases) assert.deepEqual(carryCase(a, b, 3), { kind, depth }, `${a} + ${b}`);
  // 445 + 555 = 1000: carry into tens, hundreds and thousands; the thousands' carry passed through two 9s.
  assert.deepEqual([0, 1, 2, 3].map((i) => carryIn(445, 555, i)), [0, 1, 1, 1]);
  assert.deepEqual([0, 1, 2, 3].map((i) => cascadeDepth(445, 555, i)), [-1, 0, 1, 2]);
  assert.deepEqual([1, 2, 3].map((i) => digitCarry(445, 555, i)), ['make', 'cascade', 'cascade']);
  assert.deepEqual([1, 2, 3].map((i) => digitCarry(45, 54, i)), ['none', 'none', 'none']);
  assert.deepEqual([1, 2, 3].map((i) => digitCarry(99, 99, i)), ['make', 'make', 'none']);
});

test('held-out pairs: about 1 in ADDITION_HELD_OUT_EVERY, and heldOutProblems draws only from them', () => {
  let n = 0;
  for (let a = 0; a < 300; a++) for (let b = 0; b < 300; b++) if (isHeldOut(a, b)) n++;
  const share = n / 90000;
  assert.ok(Math.abs(share - 1 / ADDITION_HELD_OUT_EVERY) < 0.004, `share ${share}`);
  const ps = heldOutProblems(3, 200, 7, (a, b) => carryCase(a, b, 3).kind === 'cascade');
  assert.equal(new Set(ps.map((p) => p.a * 1000 + p.b)).size, 200);
  for (const p of ps) assert.ok(isHeldOut(p.a, p.b) && carryCase(p.a, p.b, 3).kind === 'cascade');
  assert.throws(() => heldOutProblems(1, 5, 0, (a, b) => a + b > 100, 1000), /found only 0 of 5/);
});

test('cascadeProblems: held-out sums whose carry passes through at least `depth` sum-9 pairs; all of them when rare', () => {
  const deep = cascadeProblems(3, 2, 1000, 3);
  // By enumeration: every held-out 3-digit pair whose thousands digit comes from a carry through two 9s.
  let all = 0;
  for (let a = 0; a < 1000; a++) for (let b = 0; b < 1000; b++) if (isHeldOut(a, b) && carryCase(a, b, 3).depth >= 2) all++;
  assert.equal(deep.length, all);
  for (const p of deep) assert.ok(isHeldOut(p.a, p.b) && carryCase(p.a, p.b, 3).depth >= 2, `${p.a} + ${p.b}`);
  const one = cascadeProblems(4, 1, 50, 1);
  assert.equal(one.length, 50);
  for (const p of one) assert.ok(carryCase(p.a, p.b, 4).depth >= 1);
  assert.throws(() => cascadeProblems(2, 2, 5, 0), /a cascade of depth 2 needs more than 2 digits/);
});

/** Logits that predict the true next token at every position except the answer digits listed as wrong. */
function logitsFor(rows: number[][], wrong: [row: number, place: number][], digits: number): Tensor<'float32'> {
  const T = rows[0]!.length - 1;
  const V = 13;
  const data = new Float32Array(rows.length * T * V);
  const pos = additionPositions(digits);
  rows.forEach((r, b) => {
    for (let p = 0; p < T; p++) data[(b * T + p) * V + r[p + 1]!] = 5;
  });
  for (const [b, i] of wrong) {
    const p = pos.predictor[i]!;
    const t = rows[b]![p + 1]!;
    data[(b * T + p) * V + t] = 0;
    data[(b * T + p) * V + (t + 1) % 10] = 5;
  }
  return { dtype: 'float32', shape: [rows.length, T, V], data };
}

test('scoring by hand: exact match, per-digit accuracy, and the split by carry case and by carry-in', () => {
  const d = 3;
  const problems: [number, number][] = [[123, 456], [15, 17], [445, 555], [95, 5]];
  const rows = problems.map(([a, b]) => additionTokens(a, b, { digits: d }));
  // Wrong: 445 + 555's thousands digit (a carry cascading through two 9s) and 95 + 5's hundreds (through one).
  const logits = logitsFor(rows, [[2, 3], [3, 2]], d);
  const s = scoreAddition(logits, rows, d);
  assert.equal(s.accuracy, 0.5);
  assert.deepEqual(s.perDigit, [1, 1, 0.75, 0.75]);
  assert.deepEqual(s.byCase, { none: { count: 1, accuracy: 1 }, simple: { count: 1, accuracy: 1 }, cascade: { count: 2, accuracy: 0 } });
  const c = digitCarryAccuracy(logits, rows, d);
  // Carry-ins of A1..A3: 123+456 none x3; 15+17 make, none, none; 445+555 make, cascade(1), cascade(2); 95+5 make, cascade(1), none.
  assert.deepEqual([c.none.count, c.none.correct], [6, 6]);
  assert.deepEqual([c.make.count, c.make.correct], [3, 3]);
  assert.deepEqual([c.cascade.count, c.cascade.correct], [3, 1]);
  assert.deepEqual(c.byDepth[1], { count: 2, correct: 1, accuracy: 0.5 });
  assert.deepEqual(c.byDepth[2], { count: 1, correct: 0, accuracy: 0 });
});
