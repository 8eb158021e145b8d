import { shapeStr, type Node } from '../graph.js';
import { add, div, less, mul, sqrt, where } from '../ops/elementwise.js';
import { reduceSum } from '../ops/reduce.js';

/** Gradients rescaled to a maximum global norm, with the norms a trainer logs. */
export interface ClippedGradients {
  /** g_i * scale. */
  grads: Node[];
  /** ||g_i||_2 per parameter, each of shape `[]` (before clipping). */
  norms: Node[];
  /** sqrt(Σ_i ||g_i||²), shape `[]` (before clipping): what torch's clip_grad_norm_ returns. */
  totalNorm: Node;
  /** min(1, maxNorm / (totalNorm + 1e-6)), shape `[]`. */
  scale: Node;
}

/**
 * Clipping by global gradient norm as torch.nn.utils.clip_grad_norm_ (2-norm):
 *
 *   total = sqrt(Σ_i ||g_i||²),   scale = min(1, maxNorm / (total + 1e-6)),   g_i ← g_i scale
 *
 * `maxNorm` is a number baked into the graph or a scalar node fed at run time.
 */
export function clipGradNorm(grads: readonly Node[], maxNorm: number | Node): ClippedGradients {
  if (grads.length === 0) throw new Error('clipGradNorm: no gradients');
  if (typeof maxNorm !== 'number' && maxNorm.shape.length !== 0) {
    throw new Error(`clipGradNorm: maxNorm must be a scalar, got ${shapeStr(maxNorm.shape)}`);
  }
  const squares = grads.map((g) => reduceSum(mul(g, g)));
  const norms = squares.map(sqrt);
  const totalNorm = sqrt(squares.reduce((a, b) => add(a, b)));
  const coef = div(maxNorm, add(totalNorm, 1e-6));
  const scale = where(less(coef, 1), coef, 1);
  return { grads: grads.map((g) => mul(g, scale)), norms, totalNorm, scale };
}
