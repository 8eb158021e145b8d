import {
  add, causalMask, div, matmul, reduceSum, reshape, softmax, transpose, type Node,
} from '../../engine/index.js';
import type { HookedTransformerConfig } from '../config.js';
import { NO_HOOKS, weightNode, type HookHandler, type HookTable, type WeightNodes, type WeightTable } from './hooks.js';

/** Relative to the attention layer (`blocks.{l}.attn`). */
export const ATTENTION_HOOKS: HookTable = {
  hook_q: ['batch', 'pos', 'head_index', 'd_head'],
  hook_k: ['batch', 'pos', 'head_index', 'd_head'],
  hook_v: ['batch', 'pos', 'head_index', 'd_head'],
  hook_attn_scores: ['batch', 'head_index', 'query_pos', 'key_pos'],
  hook_pattern: ['batch', 'head_index', 'query_pos', 'key_pos'],
  hook_z: ['batch', 'pos', 'head_index', 'd_head'],
  hook_result: ['batch', 'pos', 'head_index', 'd_model'],
};

export function attentionWeights(cfg: HookedTransformerConfig): WeightTable {
  const { n_heads: H, d_model: D, d_head: E } = cfg;
  // In this order: seeded initialisation draws the weights in the order of the table.
  return { W_Q: [H, D, E], W_K: [H, D, E], W_V: [H, D, E], b_Q: [H, E], b_K: [H, E], b_V: [H, E], W_O: [H, E, D], b_O: [D] };
}

/**
 * The attention layer `prefix` (e.g. `blocks.1.attn`) on x `[batch, pos, d_model]` (ln1's output); `qkInput`
 * replaces x as the queries' and keys' input (shortformer: x + W_pos). Returns attn_out `[batch, pos, d_model]`.
 * `hook_result` (each head's output) is built only when wanted, as in TransformerLens.
 */
export function attention(cfg: HookedTransformerConfig, w: WeightNodes, prefix: string, x: Node, hooks: HookHandler = NO_HOOKS, qkInput: Node = x): Node {
  const [, T] = x.shape as [number, number];
  const { n_heads: H, d_head: E, d_model: D } = cfg;
  const W = (k: string) => weightNode(w, `${prefix}.${k}`);
  // x [b, pos, d_model] @ W [d_model, n_heads * d_head] + b, viewed as [b, pos, head, d_head]. (One fused QKV
  // product is no faster here, and slicing it apart costs a padded copy per slice in the backward pass.)
  const proj = (name: 'Q' | 'K' | 'V', from: Node) => reshape(add(
    matmul(from, reshape(transpose(W(`W_${name}`), [1, 0, 2]), [D, H * E])), reshape(W(`b_${name}`), [H * E])), [-1, T, H, E]);
  const q = hooks.at(`${prefix}.hook_q`, proj('Q', qkInput));
  const k = hooks.at(`${prefix}.hook_k`, proj('K', qkInput));
  const v = hooks.at(`${prefix}.hook_v`, proj('V', x));

  // scores[b, h, dest, src] = q . k / sqrt(d_head), masked to -inf where src > dest
  const scores = hooks.at(`${prefix}.hook_attn_scores`,
    causalMask(div(matmul(transpose(q, [0, 2, 1, 3]), transpose(k, [0, 2, 3, 1])), Math.sqrt(E))));
  const pattern = hooks.at(`${prefix}.hook_pattern`, softmax(scores, -1));
  const z = hooks.at(`${prefix}.hook_z`, transpose(matmul(pattern, transpose(v, [0, 2, 1, 3])), [0, 2, 1, 3]));

  if (hooks.wants(`${prefix}.hook_result`)) {
    // result[b, pos, h, :] = z[b, pos, h, :] W_O[h]; summing over heads (plus b_O) gives attn_out.
    const result = hooks.at(`${prefix}.hook_result`, transpose(matmul(transpose(z, [0, 2, 1, 3]), W('W_O')), [0, 2, 1, 3]));
    return add(reduceSum(result, 2), W('b_O'));
  }
  return add(matmul(reshape(z, [-1, T, H * E]), reshape(W('W_O'), [H * E, D])), W('b_O'));
}
