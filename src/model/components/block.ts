import { add, type Node } from '../../engine/index.js';
import type { HookedTransformerConfig } from '../config.js';
import { attention, ATTENTION_HOOKS, attentionWeights } from './attention.js';
import { NO_HOOKS, type HookHandler, type HookTable, type WeightNodes, type WeightTable } from './hooks.js';
import { layerNorm, layerNormHooks, layerNormWeights } from './layerNorm.js';
import { mlp, MLP_HOOKS, mlpWeights } from './mlp.js';

/** Relative to the block (`blocks.{l}`). */
export const BLOCK_HOOKS: HookTable = {
  hook_resid_pre: ['batch', 'pos', 'd_model'],
  hook_attn_out: ['batch', 'pos', 'd_model'],
  hook_resid_mid: ['batch', 'pos', 'd_model'],
  hook_mlp_out: ['batch', 'pos', 'd_model'],
  hook_resid_post: ['batch', 'pos', 'd_model'],
};

/** The block's sub-components by name, each with its hook points and weights (empty for an absent part). */
export function blockParts(cfg: HookedTransformerConfig): Record<string, { hooks: HookTable; weights: WeightTable }> {
  const parts: Record<string, { hooks: HookTable; weights: WeightTable }> = {
    ln1: { hooks: layerNormHooks(cfg), weights: layerNormWeights(cfg) },
    attn: { hooks: ATTENTION_HOOKS, weights: attentionWeights(cfg) },
  };
  if (cfg.use_normalization_before_and_after) parts['ln1_post'] = { hooks: layerNormHooks(cfg), weights: layerNormWeights(cfg) };
  if (!cfg.attn_only) {
    parts['ln2'] = { hooks: layerNormHooks(cfg), weights: layerNormWeights(cfg) };
    parts['mlp'] = { hooks: MLP_HOOKS, weights: mlpWeights(cfg) };
    if (cfg.use_normalization_before_and_after) parts['ln2_post'] = { hooks: layerNormHooks(cfg), weights: layerNormWeights(cfg) };
  }
  return parts;
}

/**
 * Transformer block `l` on the residual stream `[batch, pos, d_model]`: attention reads ln1 of it, the MLP (unless
 * attention-only) reads ln2 of the stream after attention; both add their outputs. `posEmbed` enters the queries'
 * and keys' input in a shortformer model. With `parallel_attn_mlp` (GPT-NeoX) the MLP reads ln2 of the stream
 * before the block and there is no hook_resid_mid; with `use_normalization_before_and_after` (Gemma 2) attention's
 * and the MLP's outputs pass through ln1_post and ln2_post before hook_attn_out and hook_mlp_out.
 */
export function transformerBlock(cfg: HookedTransformerConfig, w: WeightNodes, l: number, resid: Node, posEmbed: Node, hooks: HookHandler = NO_HOOKS): Node {
  const p = `blocks.${l}`;
  const post = (name: string, x: Node) => cfg.use_normalization_before_and_after ? layerNorm(cfg, w, `${p}.${name}`, x, hooks) : x;
  let x = hooks.at(`${p}.hook_resid_pre`, resid);
  const normed = layerNorm(cfg, w, `${p}.ln1`, x, hooks);
  const qkIn = cfg.positional_embedding_type === 'shortformer' ? add(normed, posEmbed) : normed;
  const attnOut = hooks.at(`${p}.hook_attn_out`, post('ln1_post', attention(cfg, w, `${p}.attn`, normed, hooks, qkIn)));
  if (cfg.attn_only) {
    x = add(x, attnOut);
  } else if (cfg.parallel_attn_mlp) {
    const mlpOut = hooks.at(`${p}.hook_mlp_out`, post('ln2_post', mlp(cfg, w, `${p}.mlp`, layerNorm(cfg, w, `${p}.ln2`, x, hooks), hooks)));
    x = add(add(x, attnOut), mlpOut);
  } else {
    x = hooks.at(`${p}.hook_resid_mid`, add(x, attnOut));
    x = add(x, hooks.at(`${p}.hook_mlp_out`, post('ln2_post', mlp(cfg, w, `${p}.mlp`, layerNorm(cfg, w, `${p}.ln2`, x, hooks), hooks))));
  }
  return hooks.at(`${p}.hook_resid_post`, x);
}
