import type { Tensor } from '../../engine/tensor.js';
import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { additionPositions } from '../../data/addition.js';
import { additionInputs } from './accuracy.js';

/**
 * Where each head looks from the position that predicts each answer digit (Quirke and Barez 2023's per-digit
 * streams): the attention, averaged over problems, from the predictor of answer digit A_i to every operand digit.
 */
export interface DigitAttention {
  digits: number;
  layer: number;
  /** Number of problems averaged over. */
  problems: number;
  /**
   * Operand positions in sequence order, the columns of `table`: a's digits then b's, most significant first, e.g.
   * `D3 D2 D1 D0 D'3 D'2 D'1 D'0` for 4 digits.
   */
  columns: { label: string; operand: 'a' | 'b'; place: number; position: number }[];
  /** Answer digits in prediction order, the rows of `table`: `A4 A3 ... A0` (A_i is place 10^i). */
  rows: { label: string; place: number; position: number }[];
  /** Per head: `[row][column]`, the mean attention from the row's predictor position to the column's position. */
  table: number[][][];
  /** Per head: `[place i][place j]`, the mean attention from A_i's predictor to the pair D_j and D'_j together. */
  pair: number[][][];
}

/**
 * The digit-attention tables from an attention pattern `[batch, head, dest, src]` on addition problems (layout
 * `BOS a + b = c`, sum most significant first). Pure: the tests pass hand-built patterns.
 */
export function digitAttentionFromPattern(pattern: Tensor<'float32'>, digits: number, layer = 0): DigitAttention {
  const pos = additionPositions(digits);
  const [B, H, Tq, Tk] = pattern.shape as [number, number, number, number];
  const need = pos.predictor[0]! + 1;
  if (pattern.shape.length !== 4 || Tq < need || Tk < need) {
    throw new Error(`digitAttention: pattern [${pattern.shape.join(', ')}] does not cover ${digits}-digit problems (${need} positions)`);
  }
  const columns = [
    ...pos.a.map((p, place) => ({ label: `D${place}`, operand: 'a' as const, place, position: p })).reverse(),
    ...pos.b.map((p, place) => ({ label: `D'${place}`, operand: 'b' as const, place, position: p })).reverse(),
  ];
  const rows = pos.predictor.map((p, place) => ({ label: `A${place}`, place, position: p })).reverse();
  const mean = (h: number, q: number, k: number) => {
    let s = 0;
    for (let b = 0; b < B; b++) s += pattern.data[((b * H + h) * Tq + q) * Tk + k]!;
    return s / B;
  };
  const table = Array.from({ length: H }, (_, h) => rows.map((r) => columns.map((c) => mean(h, r.position, c.position))));
  const pair = Array.from({ length: H }, (_, h) => pos.predictor.map((q) => pos.a.map((pa, j) => mean(h, q, pa) + mean(h, q, pos.b[j]!))));
  return { digits, layer, problems: B, columns, rows, table, pair };
}

/** The digit-attention tables of `model`'s layer `layer` on the problems (full rows `BOS a + b = c`). */
export async function digitAttention(model: HookedTransformer, rows: readonly (readonly number[])[], digits: number, layer = 0): Promise<DigitAttention> {
  const name = `blocks.${layer}.attn.hook_pattern`;
  const { cache } = await model.runWithCache(additionInputs(rows), { names: [name] });
  return digitAttentionFromPattern(cache.get(name), digits, layer);
}
