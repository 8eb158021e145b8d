import { additionPositions } from '../../../src/data/addition.js';
import { HookedTransformer } from '../../../src/model/hookedTransformer.js';
import { zeroWeights } from '../../support/zeroWeights.js';

/**
 * A one-layer attention-only model for `digits`-digit addition whose attention is written by hand (no LayerNorm,
 * zero biases, positions one-hot in the residual stream): from the position predicting answer digit A_i, head 0
 * attends to D_i and D'_i (base add, where that pair exists) and head 1 to D_{i-1} and D'_{i-1} (make carry); every
 * other query attends uniformly. Each head's value is its source's position, written back one-hot, and the logit
 * of token c is the residual stream's coordinate c (so logits show where the heads looked).
 */
export function handBuiltAddition(digits: number): HookedTransformer {
  const T = 3 * digits + 3;
  const pos = additionPositions(digits);
  const cfg = { n_layers: 1, d_model: T, n_heads: 2, d_head: T, d_vocab: 13, n_ctx: T, attn_only: true, normalization_type: null, bos_token_id: null, positional_embedding_type: 'standard' as const };
  const m = new HookedTransformer(cfg);
  const { w, set } = zeroWeights(m);
  const s = 12 * Math.sqrt(T); // attention logit 12 on each target
  for (let p = 0; p < T; p++) set('pos_embed.W_pos', [p, p], 1);
  for (let i = 0; i <= digits; i++) {
    const q = pos.predictor[i]!;
    for (const [h, j] of [[0, i], [1, i - 1]] as const) {
      if (j < 0 || j >= digits) continue;
      for (const k of [pos.a[j]!, pos.b[j]!]) set('blocks.0.attn.W_Q', [h, q, k], s);
    }
  }
  for (const h of [0, 1]) {
    for (let k = 0; k < T; k++) {
      set('blocks.0.attn.W_K', [h, k, k], 1);
      set('blocks.0.attn.W_V', [h, k, k], 1);
      set('blocks.0.attn.W_O', [h, k, k], 1);
    }
  }
  for (let k = 0; k < Math.min(T, 13); k++) set('unembed.W_U', [k, k], 1);
  return new HookedTransformer(cfg, w);
}
