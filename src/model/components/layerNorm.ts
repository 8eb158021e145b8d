import { add, div, mul, reduceMean, sqrt, sub, type Node } from '../../engine/index.js';
import type { HookedTransformerConfig } from '../config.js';
import { NO_HOOKS, weightNode, type HookHandler, type HookTable, type WeightNodes, type WeightTable } from './hooks.js';

/** TransformerLens's LayerNorm, LayerNormPre, RMSNorm and RMSNormPre: `ln1`, `ln2`, `ln_final` (and Gemma 2's `ln1_post`, `ln2_post`). */
export const LAYER_NORM_HOOKS: HookTable = {
  hook_scale: ['batch', 'pos', '1'],
  hook_normalized: ['batch', 'pos', 'd_model'],
};

export function layerNormHooks(cfg: HookedTransformerConfig): HookTable {
  return cfg.normalization_type === null ? {} : LAYER_NORM_HOOKS;
}

export function layerNormWeights(cfg: HookedTransformerConfig): WeightTable {
  const n = cfg.normalization_type;
  return n === 'LN' ? { w: [cfg.d_model], b: [cfg.d_model] } : n === 'RMS' ? { w: [cfg.d_model] } : {};
}

/** Whether the normalisation is RMSNorm (no centring, no bias). */
export function isRms(cfg: HookedTransformerConfig): boolean {
  return cfg.normalization_type === 'RMS' || cfg.normalization_type === 'RMSPre';
}

export interface LayerNormOptions {
  /**
   * A frozen scale (`hook_scale`'s value, broadcastable to `[..., 1]`) used instead of computing one: with it the
   * LayerNorm is linear in its input, as path expansion and direct logit attribution need.
   */
  scale?: Node;
  /** Add the bias `b` (default true). Path expansion counts the bias as a term of its own. */
  bias?: boolean;
}

/**
 * LayerNorm over the last axis as TransformerLens computes it: centre, `scale = sqrt(mean(x^2) + eps)`,
 * `x / scale`, then `* w + b` for LN (LNPre stops before). RMSNorm does not centre and has no bias, and its
 * `hook_normalized` is `x / scale` before the gain `w`, as in TransformerLens (RMSPre stops there). The identity
 * when the model has no normalisation. Any leading axes are allowed.
 */
export function layerNorm(cfg: HookedTransformerConfig, w: WeightNodes, name: string, x: Node, hooks: HookHandler = NO_HOOKS, opts: LayerNormOptions = {}): Node {
  if (cfg.normalization_type === null) return x;
  if (isRms(cfg)) {
    const scale = hooks.at(`${name}.hook_scale`, opts.scale ?? sqrt(add(reduceMean(mul(x, x), -1, true), cfg.eps)));
    const normalized = hooks.at(`${name}.hook_normalized`, div(x, scale));
    return cfg.normalization_type === 'RMS' ? mul(normalized, weightNode(w, `${name}.w`)) : normalized;
  }
  const centred = sub(x, reduceMean(x, -1, true));
  const scale = hooks.at(`${name}.hook_scale`, opts.scale ?? sqrt(add(reduceMean(mul(centred, centred), -1, true), cfg.eps)));
  let normalized = div(centred, scale);
  if (cfg.normalization_type === 'LN') {
    normalized = mul(normalized, weightNode(w, `${name}.w`));
    if (opts.bias ?? true) normalized = add(normalized, weightNode(w, `${name}.b`));
  }
  return hooks.at(`${name}.hook_normalized`, normalized);
}
