import { add, gelu, geluTanh, matmul, mul, relu, sigmoid, type Node } from '../../engine/index.js';
import type { HookedTransformerConfig } from '../config.js';
import { NO_HOOKS, weightNode, type HookHandler, type HookTable, type WeightNodes, type WeightTable } from './hooks.js';

/** Relative to the MLP (`blocks.{l}.mlp`). `hook_pre_linear` exists in gated MLPs only. */
export const MLP_HOOKS: HookTable = {
  hook_pre: ['batch', 'pos', 'd_mlp'],
  hook_pre_linear: ['batch', 'pos', 'd_mlp'],
  hook_post: ['batch', 'pos', 'd_mlp'],
};

export function mlpWeights(cfg: HookedTransformerConfig): WeightTable {
  const M = cfg.d_mlp!;
  const D = cfg.d_model;
  return cfg.gated_mlp
    ? { W_in: [D, M], W_gate: [D, M], b_in: [M], W_out: [M, D], b_out: [D] }
    : { W_in: [D, M], b_in: [M], W_out: [M, D], b_out: [D] };
}

/** The activation function named by `act_fn` (`gelu_pytorch_tanh` is `gelu_new`'s formula; `silu` is x sigmoid(x)). */
export function activation(cfg: HookedTransformerConfig, x: Node): Node {
  switch (cfg.act_fn) {
    case 'relu': return relu(x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh': return geluTanh(x);
    case 'silu': return mul(x, sigmoid(x));
    default: return gelu(x);
  }
}

/**
 * The MLP `prefix` (e.g. `blocks.0.mlp`) on x `[batch, pos, d_model]`: `act(x W_in + b_in) W_out + b_out`, or for
 * a gated MLP (TransformerLens's GatedMLP) `(act(x W_gate) * (x W_in) + b_in) W_out + b_out`, with hook_pre on
 * `x W_gate` and hook_pre_linear on `x W_in`.
 */
export function mlp(cfg: HookedTransformerConfig, w: WeightNodes, prefix: string, x: Node, hooks: HookHandler = NO_HOOKS): Node {
  const W = (k: string) => weightNode(w, `${prefix}.${k}`);
  if (cfg.gated_mlp) {
    const pre = hooks.at(`${prefix}.hook_pre`, matmul(x, W('W_gate')));
    const linear = hooks.at(`${prefix}.hook_pre_linear`, matmul(x, W('W_in')));
    const post = hooks.at(`${prefix}.hook_post`, add(mul(activation(cfg, pre), linear), W('b_in')));
    return add(matmul(post, W('W_out')), W('b_out'));
  }
  const pre = hooks.at(`${prefix}.hook_pre`, add(matmul(x, W('W_in')), W('b_in')));
  const post = hooks.at(`${prefix}.hook_post`, activation(cfg, pre));
  return add(matmul(post, W('W_out')), W('b_out'));
}
