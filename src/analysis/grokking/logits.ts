import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { logSumExp } from '../../model/cache/host.js';

/**
 * The logit table of a modular-addition model: logits at '=' (position 2) for every input `a b =`, over the p
 * number tokens (the '=' logit left out, as the paper does), `[p^2, p]` row-major with row a p + b.
 */
export interface LogitTable {
  p: number;
  data: Float64Array;
}

/** Rows `[a, b, =]` for all p^2 pairs, in the table's order (a p + b). */
export function allPairInputs(p: number): number[][] {
  const rows: number[][] = [];
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) rows.push([a, b, p]);
  return rows;
}

/** Runs the model on all p^2 inputs (in chunks) and reads the logit table. */
export async function modularLogitTable(model: HookedTransformer, p: number, chunk = 4096): Promise<LogitTable> {
  const V = model.cfg.d_vocab_out;
  if (model.cfg.d_vocab < p + 1 || V < p) throw new Error(`modular addition mod ${p} needs d_vocab >= ${p + 1} (the model has ${model.cfg.d_vocab})`);
  const inputs = allPairInputs(p);
  const data = new Float64Array(p * p * p);
  for (let s = 0; s < inputs.length; s += chunk) {
    const rows = inputs.slice(s, s + chunk);
    const out = await model.run(rows);
    for (let i = 0; i < rows.length; i++) {
      const base = (i * 3 + 2) * V;
      for (let c = 0; c < p; c++) data[(s + i) * p + c] = out.data[base + c]!;
    }
  }
  return { p, data };
}

/** The correct answer of each row: (a + b) mod p. */
export function labelOf(p: number, row: number): number {
  return (Math.floor(row / p) + (row % p)) % p;
}

/**
 * Mean cross-entropy (in float64, as the paper's `cross_entropy_high_precision`) and accuracy of a logit table on
 * the given rows (all rows when `rows` is omitted).
 */
export function tableLossAndAccuracy(t: LogitTable, rows?: readonly number[]): { loss: number; accuracy: number } {
  const { p, data } = t;
  const idx = rows ?? Array.from({ length: p * p }, (_, i) => i);
  let loss = 0;
  let correct = 0;
  for (const r of idx) {
    const o = r * p;
    let arg = 0;
    for (let c = 1; c < p; c++) if (data[o + c]! > data[o + arg]!) arg = c;
    const y = labelOf(p, r);
    loss += logSumExp(data, o, o + p) - data[o + y]!;
    if (arg === y) correct++;
  }
  return { loss: loss / idx.length, accuracy: correct / idx.length };
}
