import type { StateDict } from '../model/weights.js';

/**
 * The weights with positions `trained..to-1` of `pos_embed.W_pos` ([n_ctx, d_model]) replaced by copies of the trained
 * ones, `W_pos[p] = W_pos[p mod trained]`: what a model trained on sequences of `trained` tokens starts the longer ones
 * from (the rows past `trained` had no gradient and are still as initialised). A model without W_pos (rotary) is
 * returned as it is. The other weights are the same tensors; W_pos is a new one.
 */
export function tilePositions(weights: StateDict, trained: number, to: number): StateDict {
  const pos = weights['pos_embed.W_pos'];
  if (!pos) return weights;
  const [nCtx, d] = pos.shape as [number, number];
  if (!Number.isInteger(trained) || trained < 1 || to > nCtx || to <= trained) {
    throw new Error(`tilePositions: cannot extend ${trained} trained positions to ${to} (W_pos has ${nCtx})`);
  }
  const data = Float32Array.from(pos.data);
  for (let p = trained; p < to; p++) data.copyWithin(p * d, (p % trained) * d, (p % trained + 1) * d);
  return { ...weights, 'pos_embed.W_pos': { dtype: 'float32', shape: [nCtx, d], data } };
}
