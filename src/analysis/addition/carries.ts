import type { Tensor } from '../../engine/tensor.js';
import { additionOperands, additionPositions } from '../../data/addition.js';

/** The carry into column i of a + b (0 or 1; column 0 has none). Column `digits` is the sum's leading digit. */
export function carryIn(a: number, b: number, i: number): number {
  let carry = 0;
  for (let k = 0; k < i; k++) carry = (Math.floor(a / 10 ** k) % 10) + (Math.floor(b / 10 ** k) % 10) + carry >= 10 ? 1 : 0;
  return carry;
}

/**
 * How an answer digit's carry-in arises (Quirke and Barez 2023): `none` (no carry in), `make` (the pair below sums
 * to 10 or more: the carry is made right below), `cascade` (the pair below sums to exactly 9 and passes on a carry
 * from further down: "use sum 9").
 */
export type DigitCarry = 'none' | 'make' | 'cascade';

export function digitCarry(a: number, b: number, i: number): DigitCarry {
  const depth = cascadeDepth(a, b, i);
  return depth < 0 ? 'none' : depth === 0 ? 'make' : 'cascade';
}

/**
 * How far answer digit A_i's carry-in travels: -1 with no carry in, 0 when the pair right below makes it, k when
 * it passes through k pairs summing to exactly 9 from where it is made.
 */
export function cascadeDepth(a: number, b: number, i: number): number {
  if (carryIn(a, b, i) === 0) return -1;
  let k = 0;
  for (let j = i - 1; j >= 0 && (Math.floor(a / 10 ** j) % 10) + (Math.floor(b / 10 ** j) % 10) === 9; j--) k++;
  return k;
}

/** Correct predictions of some answer digits. */
export interface DigitTally { count: number; correct: number; accuracy: number }

/**
 * Per-digit accuracy of answer digits A_1..A_n split by their carry-in (A_0 has none and is left out), and of the
 * cascading ones by depth (`cascadeDepth`: 1, 2, ...).
 */
export type DigitCarryAccuracy = Record<DigitCarry, DigitTally> & { byDepth: Record<number, DigitTally> };

/** Per-digit accuracy by how each digit's carry-in arises, from `[batch, pos, vocab]` logits on the problems. Pure. */
export function digitCarryAccuracy(logits: Tensor<'float32'>, rows: readonly (readonly number[])[], digits: number): DigitCarryAccuracy {
  const pos = additionPositions(digits);
  const [, T, V] = logits.shape as [number, number, number];
  const tally = (): DigitTally => ({ count: 0, correct: 0, accuracy: NaN });
  const out: DigitCarryAccuracy = { none: tally(), make: tally(), cascade: tally(), byDepth: {} };
  rows.forEach((row, b) => {
    const { a, b: bb } = additionOperands(row, digits);
    for (let i = 1; i <= digits; i++) {
      const p = pos.predictor[i]!;
      const v = logits.data.subarray((b * T + p) * V, (b * T + p + 1) * V);
      let best = 0;
      for (let k = 1; k < V; k++) if (v[k]! > v[best]!) best = k;
      const depth = cascadeDepth(a, bb, i);
      const tallies = [out[depth < 0 ? 'none' : depth === 0 ? 'make' : 'cascade']];
      if (depth > 0) tallies.push(out.byDepth[depth] ??= tally());
      for (const c of tallies) {
        c.count++;
        if (best === row[p + 1]) c.correct++;
      }
    }
  });
  for (const c of [out.none, out.make, out.cascade, ...Object.values(out.byDepth)]) c.accuracy = c.count ? c.correct / c.count : NaN;
  return out;
}
