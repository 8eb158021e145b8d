import { add, gelu, geluTanh, matmul, relu, type Node } from '../../engine/index.js';
import type { HookedTransformerConfig } from '../config.js';
import { NO_HOOKS, weightNode, type HookHandler, type HookTable, type WeightNodes, type WeightTable } from './hooks.js';

/** Relative to the MLP (`blocks.{l}.mlp`). */
export const MLP_HOOKS: HookTable = {
  hook_pre: ['batch', 'pos', 'd_mlp'],
  hook_post: ['batch', 'pos', 'd_mlp'],
};

export function mlpWeights(cfg: HookedTransformerConfig): WeightTable {
  const M = cfg.d_mlp!;
  return { W_in: [cfg.d_model, M], b_in: [M], W_out: [M, cfg.d_model], b_out: [cfg.d_model] };
}

/** The activation function named by `act_fn`. */
export function activation(cfg: HookedTransformerConfig, x: Node): Node {
  return cfg.act_fn === 'relu' ? relu(x) : cfg.act_fn === 'gelu_new' ? geluTanh(x) : gelu(x);
}

/** The MLP `prefix` (e.g. `blocks.0.mlp`) on x `[batch, pos, d_model]`: `act(x W_in + b_in) W_out + b_out`. */
export function mlp(cfg: HookedTransformerConfig, w: WeightNodes, prefix: string, x: Node, hooks: HookHandler = NO_HOOKS): Node {
  const W = (k: string) => weightNode(w, `${prefix}.${k}`);
  const pre = hooks.at(`${prefix}.hook_pre`, add(matmul(x, W('W_in')), W('b_in')));
  const post = hooks.at(`${prefix}.hook_post`, activation(cfg, pre));
  return add(matmul(post, W('W_out')), W('b_out'));
}
