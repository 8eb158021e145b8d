import type { StateDict } from '../../model/weights.js';

/**
 * The sum of squared weights over every parameter of the model (the quantity weight decay shrinks; the paper's
 * "total sum of squared weights", which falls through circuit formation and cleanup).
 */
export function sumSquaredWeights(weights: StateDict): number {
  let s = 0;
  for (const t of Object.values(weights)) for (let i = 0; i < t.data.length; i++) s += t.data[i]! * t.data[i]!;
  return s;
}
