import { HookedTransformer } from '../../../src/model/hookedTransformer.js';
import { zeroWeights } from '../../support/zeroWeights.js';

/**
 * A two-layer attention-only model whose induction circuit is written by hand (no LayerNorm, zero biases):
 * L0H0 is a previous-token head (positions in Q and K, copies the token into the PREV subspace), L1H0 an
 * induction head (Q: the current token, K: PREV, so K-composition with L0H0; copies the attended token into OUT,
 * the only subspace W_U reads). L0H1 and L1H1 are distractors writing to DEAD, which nothing reads (L1H1 even
 * reads L0H0's output through its K). True edges under resample ablation: embed->L0H0.v, L0H0->L1H0.k,
 * embed->L1H0.q, embed->L1H0.v, L1H0->logits (L0H0's Q and K read only positions, the same in both prompts).
 */
export const V = 10;
export const T = 12;
export const TRUE_EDGES = ['embed->L0H0.v', 'L0H0->L1H0.k', 'embed->L1H0.q', 'embed->L1H0.v', 'L1H0->logits'];

export function handBuiltInduction(): HookedTransformer {
  const E = T;
  const TOK = 0;
  const POS = V;
  const PREV = V + T;
  const OUT = 2 * V + T;
  const DEAD = 3 * V + T;
  const D = 4 * V + T;
  const H = 2;
  const cfg = { n_layers: 2, d_model: D, n_heads: H, d_head: E, d_vocab: V, n_ctx: T, attn_only: true, normalization_type: null, bos_token_id: null, positional_embedding_type: 'standard' as const };
  const m = new HookedTransformer(cfg);
  const { w, set } = zeroWeights(m);
  const s = 5 * Math.sqrt(E); // attention logit 5 on the target
  for (let t = 0; t < V; t++) set('embed.W_E', [t, TOK + t], 1);
  for (let p = 0; p < T; p++) set('pos_embed.W_pos', [p, POS + p], 1);
  for (let t = 0; t < V; t++) set('unembed.W_U', [OUT + t, t], 1);
  // L0H0: previous token
  for (let p = 0; p < T; p++) set('blocks.0.attn.W_Q', [0, POS + p, p], s);
  for (let p = 0; p + 1 < T; p++) set('blocks.0.attn.W_K', [0, POS + p, p + 1], 1);
  for (let t = 0; t < V; t++) { set('blocks.0.attn.W_V', [0, TOK + t, t], 1); set('blocks.0.attn.W_O', [0, t, PREV + t], 1); }
  // L0H1: uniform attention, writes DEAD
  for (let t = 0; t < V; t++) { set('blocks.0.attn.W_V', [1, TOK + t, t], 1); set('blocks.0.attn.W_O', [1, t, DEAD + t], 1); }
  // L1H0: induction, writes OUT; L1H1: the same attention, writes DEAD
  for (const h of [0, 1]) for (let t = 0; t < V; t++) {
    set('blocks.1.attn.W_Q', [h, TOK + t, t], s);
    set('blocks.1.attn.W_K', [h, PREV + t, t], 1);
    set('blocks.1.attn.W_V', [h, TOK + t, t], 1);
    set('blocks.1.attn.W_O', [h, t, (h === 0 ? OUT : DEAD) + t], h === 0 ? 4 : 1);
  }
  return new HookedTransformer(cfg, w);
}
