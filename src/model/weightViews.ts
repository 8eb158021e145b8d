import type { Tensor } from '../engine/tensor.js';
import type { HookedTransformerConfig } from './config.js';
import type { StateDict } from './weights.js';
import { headId } from './heads.js';

/** A low-rank product A B as its two factors, as tensors (the model wraps them in a FactoredMatrix). */
export interface FactorPair {
  /** [d_model, d_head] */
  A: Tensor<'float32'>;
  /** [d_head, d_model] */
  B: Tensor<'float32'>;
}

/**
 * Layer l's attention weight `leaf` (`W_Q`, `W_K`, `b_V`, ...) per query head. With grouped-query attention the
 * stored `_W_K`, `_W_V`, `_b_K`, `_b_V` (one per key-value head) are repeated to every query head that reads them,
 * as TransformerLens's `W_K` / `W_V` properties do (repeat_interleave over heads).
 */
export function attnWeight(cfg: HookedTransformerConfig, w: StateDict, l: number, leaf: string): Tensor<'float32'> {
  const name = `blocks.${l}.attn.${leaf}`;
  const grouped = cfg.n_key_value_heads !== null && /^[Wb]_[KV]$/.test(leaf) ? w[`blocks.${l}.attn._${leaf}`] : undefined;
  if (!grouped) {
    const t = w[name];
    if (!t) throw new Error(`this model has no ${name}`);
    return t;
  }
  const K = grouped.shape[0]!;
  const H = cfg.n_heads;
  const per = grouped.data.length / K;
  const data = new Float32Array(H * per);
  for (let h = 0; h < H; h++) data.set(grouped.data.subarray(Math.floor(h / (H / K)) * per, (Math.floor(h / (H / K)) + 1) * per), h * per);
  return { dtype: 'float32', shape: [H, ...grouped.shape.slice(1)], data };
}

/** One attention weight of every layer stacked: W_Q, W_K, W_V `[L, H, D, E]`, W_O `[L, H, E, D]`, b_* `[L, H, E]` / `[L, D]`. */
export function stackLayers(cfg: HookedTransformerConfig, w: StateDict, name: string): Tensor<'float32'> {
  const parts = Array.from({ length: cfg.n_layers }, (_, l) =>
    name.startsWith('attn.') && cfg.n_key_value_heads !== null ? attnWeight(cfg, w, l, name.slice(5)) : w[`blocks.${l}.${name}`]);
  if (parts.some((p) => !p)) throw new Error(`this model has no ${name} in every layer`);
  const size = parts[0]?.data.length ?? 0;
  const data = new Float32Array(size * cfg.n_layers);
  parts.forEach((p, l) => data.set(p!.data, l * size));
  return { dtype: 'float32', shape: [cfg.n_layers, ...(parts[0]?.shape ?? [])], data };
}

/** Like stackLayers, with layers and heads flattened into one leading axis: `[L * H, ...]` (layer-major). */
export function stackHeads(cfg: HookedTransformerConfig, w: StateDict, name: string): Tensor<'float32'> {
  const t = stackLayers(cfg, w, name);
  return { ...t, shape: [t.shape[0]! * t.shape[1]!, ...t.shape.slice(2)] };
}

function headSlice(t: Tensor<'float32'>, h: number): Float32Array {
  const per = t.data.length / t.shape[0]!;
  return t.data.slice(h * per, (h + 1) * per);
}

function transpose2(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
  return out;
}

/** Head h of layer l's QK circuit W_QK = W_Q W_K^T ([d_model, d_model], rank <= d_head) as factors W_Q, W_K^T. */
export function qkFactors(cfg: HookedTransformerConfig, w: StateDict, l: number, h: number): FactorPair {
  headId(cfg, l, h);
  const { d_model: D, d_head: E } = cfg;
  const q = headSlice(w[`blocks.${l}.attn.W_Q`]!, h);
  const k = headSlice(attnWeight(cfg, w, l, 'W_K'), h);
  return { A: { dtype: 'float32', shape: [D, E], data: q }, B: { dtype: 'float32', shape: [E, D], data: transpose2(k, D, E) } };
}

/** Head h of layer l's OV circuit W_OV = W_V W_O ([d_model, d_model], rank <= d_head) as factors W_V, W_O. */
export function ovFactors(cfg: HookedTransformerConfig, w: StateDict, l: number, h: number): FactorPair {
  headId(cfg, l, h);
  const { d_model: D, d_head: E } = cfg;
  return {
    A: { dtype: 'float32', shape: [D, E], data: headSlice(attnWeight(cfg, w, l, 'W_V'), h) },
    B: { dtype: 'float32', shape: [E, D], data: headSlice(w[`blocks.${l}.attn.W_O`]!, h) },
  };
}
