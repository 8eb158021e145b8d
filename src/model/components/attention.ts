import {
  add, causalMask, constant, div, expand, matmul, mul, reduceSum, reshape, softmax, tanh, transpose, type Node, type Tensor,
} from '../../engine/index.js';
import { isLocalLayer, kvHeads, type HookedTransformerConfig } from '../config.js';
import { NO_HOOKS, weightNode, type HookHandler, type HookTable, type WeightNodes, type WeightTable } from './hooks.js';
import { applyRotary } from './rotary.js';

/**
 * Relative to the attention layer (`blocks.{l}.attn`). With grouped-query attention, hook_k, hook_v and
 * hook_rot_k have n_key_value_heads heads, as in TransformerLens's GroupedQueryAttention.
 */
export const ATTENTION_HOOKS: HookTable = {
  hook_q: ['batch', 'pos', 'head_index', 'd_head'],
  hook_k: ['batch', 'pos', 'head_index', 'd_head'],
  hook_v: ['batch', 'pos', 'head_index', 'd_head'],
  hook_rot_q: ['batch', 'pos', 'head_index', 'd_head'],
  hook_rot_k: ['batch', 'pos', 'head_index', 'd_head'],
  hook_attn_scores: ['batch', 'head_index', 'query_pos', 'key_pos'],
  hook_pattern: ['batch', 'head_index', 'query_pos', 'key_pos'],
  hook_z: ['batch', 'pos', 'head_index', 'd_head'],
  hook_result: ['batch', 'pos', 'head_index', 'd_model'],
};

/**
 * The attention weights with their shapes. Grouped-query attention stores keys and values per key-value head as
 * TransformerLens does: `_W_K`, `_W_V` `[n_key_value_heads, d_model, d_head]`, `_b_K`, `_b_V`; query head h
 * reads key-value head `floor(h / (n_heads / n_key_value_heads))` (TransformerLens's repeat_interleave).
 */
export function attentionWeights(cfg: HookedTransformerConfig): WeightTable {
  const { n_heads: H, d_model: D, d_head: E } = cfg;
  // In this order: seeded initialisation draws the weights in the order of the table.
  if (cfg.n_key_value_heads !== null) {
    const K = cfg.n_key_value_heads;
    return { W_Q: [H, D, E], _W_K: [K, D, E], _W_V: [K, D, E], b_Q: [H, E], _b_K: [K, E], _b_V: [K, E], W_O: [H, E, D], b_O: [D] };
  }
  return { W_Q: [H, D, E], W_K: [H, D, E], W_V: [H, D, E], b_Q: [H, E], b_K: [H, E], b_V: [H, E], W_O: [H, E, D], b_O: [D] };
}

/** The name of a key or value weight (`W_K`, `b_V`, ...) as this config stores it (`_W_K` with grouped-query attention). */
export function kvWeightName(cfg: HookedTransformerConfig, leaf: 'W_K' | 'W_V' | 'b_K' | 'b_V'): string {
  return cfg.n_key_value_heads !== null ? `_${leaf}` : leaf;
}

const localMasks = new Map<string, Node>();

/** The additive mask of a local layer: 0 where dest - window < src <= dest, -inf elsewhere. */
function localMask(T: number, window: number, dtype: 'float32' | 'float64'): Node {
  const key = `${T}/${window}/${dtype}`;
  let m = localMasks.get(key);
  if (!m) {
    const bias = dtype === 'float64' ? new Float64Array(T * T) : new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) bias[i * T + j] = j <= i && j > i - window ? 0 : -Infinity;
    m = constant({ dtype, shape: [T, T], data: bias } as Tensor);
    if (localMasks.size > 64) localMasks.clear();
    localMasks.set(key, m);
  }
  return m;
}

/** The layer number of `blocks.{l}.attn`. */
function layerOf(prefix: string): number {
  const m = /^blocks\.(\d+)\./.exec(`${prefix}.`);
  return m ? Number(m[1]) : -1;
}

/**
 * The attention layer `prefix` (e.g. `blocks.1.attn`) on x `[batch, pos, d_model]` (ln1's output); `qkInput`
 * replaces x as the queries' and keys' input (shortformer: x + W_pos). Returns attn_out `[batch, pos, d_model]`.
 * Rotary models rotate q and k after hook_q / hook_k (hook_rot_q / hook_rot_k). Scores are q.k / attn_scale,
 * soft-capped when `attn_scores_soft_cap` > 0, then masked (causal, or a window in local layers).
 * `hook_result` (each head's output) is built only when wanted, as in TransformerLens.
 */
export function attention(cfg: HookedTransformerConfig, w: WeightNodes, prefix: string, x: Node, hooks: HookHandler = NO_HOOKS, qkInput: Node = x): Node {
  const [, T] = x.shape as [number, number];
  const { n_heads: H, d_head: E, d_model: D } = cfg;
  const K = kvHeads(cfg);
  const W = (k: string) => weightNode(w, `${prefix}.${k}`);
  // x [b, pos, d_model] @ W [d_model, heads * d_head] + b, viewed as [b, pos, heads, d_head]. (One fused QKV
  // product is no faster here, and slicing it apart costs a padded copy per slice in the backward pass.)
  const proj = (wName: string, bName: string, heads: number, from: Node) => reshape(add(
    matmul(from, reshape(transpose(W(wName), [1, 0, 2]), [D, heads * E])), reshape(W(bName), [heads * E])), [-1, T, heads, E]);
  let q = hooks.at(`${prefix}.hook_q`, proj('W_Q', 'b_Q', H, qkInput));
  let k = hooks.at(`${prefix}.hook_k`, proj(kvWeightName(cfg, 'W_K'), kvWeightName(cfg, 'b_K'), K, qkInput));
  let v = hooks.at(`${prefix}.hook_v`, proj(kvWeightName(cfg, 'W_V'), kvWeightName(cfg, 'b_V'), K, x));
  if (cfg.positional_embedding_type === 'rotary') {
    q = hooks.at(`${prefix}.hook_rot_q`, applyRotary(cfg, q));
    k = hooks.at(`${prefix}.hook_rot_k`, applyRotary(cfg, k));
  }
  if (K !== H) {
    // Each key-value head serves H / K consecutive query heads.
    const grouped = (t: Node) => reshape(expand(reshape(t, [-1, T, K, 1, E]), [t.shape[0]!, T, K, H / K, E]), [-1, T, H, E]);
    k = grouped(k);
    v = grouped(v);
  }

  // scores[b, h, dest, src] = q . k / attn_scale, soft-capped, masked to -inf where src > dest (or outside the window)
  let scores = matmul(transpose(q, [0, 2, 1, 3]), transpose(k, [0, 2, 3, 1]));
  if (cfg.attn_scale !== 1) scores = div(scores, cfg.attn_scale);
  const cap = cfg.attn_scores_soft_cap;
  if (cap > 0) scores = mul(tanh(div(scores, cap)), cap);
  const local = isLocalLayer(cfg, layerOf(prefix));
  scores = hooks.at(`${prefix}.hook_attn_scores`, local
    ? add(scores, localMask(T, cfg.window_size!, scores.dtype === 'float64' ? 'float64' : 'float32'))
    : causalMask(scores));
  const pattern = hooks.at(`${prefix}.hook_pattern`, softmax(scores, -1));
  const z = hooks.at(`${prefix}.hook_z`, transpose(matmul(pattern, transpose(v, [0, 2, 1, 3])), [0, 2, 1, 3]));

  if (hooks.wants(`${prefix}.hook_result`)) {
    // result[b, pos, h, :] = z[b, pos, h, :] W_O[h]; summing over heads (plus b_O) gives attn_out.
    const result = hooks.at(`${prefix}.hook_result`, transpose(matmul(transpose(z, [0, 2, 1, 3]), W('W_O')), [0, 2, 1, 3]));
    return add(reduceSum(result, 2), W('b_O'));
  }
  return add(matmul(reshape(z, [-1, T, H * E]), reshape(W('W_O'), [H * E, D])), W('b_O'));
}
