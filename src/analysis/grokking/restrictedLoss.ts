import { sumDirections } from './fourier.js';
import { tableLossAndAccuracy, type LogitTable } from './logits.js';

/**
 * The part of a logit table along the key frequencies' cos(w (a + b)) and sin(w (a + b)) directions: for every
 * output c, the column (over the p^2 inputs) projected onto those 2|K| orthonormal directions (the paper's
 * `get_component_cos_xpy + get_component_sin_xpy`, summed over the key frequencies).
 */
export function keyFrequencyComponent(t: LogitTable, freqs: readonly number[]): LogitTable {
  const { p, data } = t;
  const out = new Float64Array(data.length);
  const n = p * p;
  for (const k of new Set(freqs)) {
    const { cos, sin } = sumDirections(p, k);
    for (const d of [cos, sin]) {
      for (let c = 0; c < p; c++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += d[i]! * data[i * p + c]!;
        for (let i = 0; i < n; i++) out[i * p + c]! += d[i]! * dot;
      }
    }
  }
  return { p, data: out };
}

/**
 * Restricted loss (the paper's "trig loss"): the loss of the logits kept only along the key frequencies'
 * cos/sin(w (a + b)) directions, with the paper's bias correction: the mean over inputs of (original - kept) is
 * added back to every row, restoring any input-independent bias the projection dropped. On all p^2 inputs unless
 * `rows` is given.
 */
export function restrictedLoss(t: LogitTable, freqs: readonly number[], rows?: readonly number[]): number {
  const kept = keyFrequencyComponent(t, freqs);
  const { p } = t;
  const n = p * p;
  const bias = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let c = 0; c < p; c++) bias[c]! += (t.data[i * p + c]! - kept.data[i * p + c]!) / n;
  for (let i = 0; i < n; i++) for (let c = 0; c < p; c++) kept.data[i * p + c]! += bias[c]!;
  return tableLossAndAccuracy(kept, rows).loss;
}

/**
 * Excluded loss: the loss on the training rows of the logits with the key frequencies' cos/sin(w (a + b))
 * directions removed (no bias correction), as the paper defines it. It rises when the model's training
 * performance comes to rest on the generalising algorithm.
 */
export function excludedLoss(t: LogitTable, freqs: readonly number[], trainRows: readonly number[]): number {
  const part = keyFrequencyComponent(t, freqs);
  const rest = new Float64Array(t.data.length);
  for (let i = 0; i < rest.length; i++) rest[i] = t.data[i]! - part.data[i]!;
  return tableLossAndAccuracy({ p: t.p, data: rest }, trainRows).loss;
}
