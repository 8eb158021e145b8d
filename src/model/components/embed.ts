import { add, expand, fill, gather, slice, type Node } from '../../engine/index.js';
import type { HookedTransformerConfig } from '../config.js';
import { NO_HOOKS, weightNode, type HookHandler, type HookTable, type WeightNodes, type WeightTable } from './hooks.js';

export const EMBED_HOOKS: HookTable = {
  hook_embed: ['batch', 'pos', 'd_model'],
  hook_pos_embed: ['batch', 'pos', 'd_model'],
};

export function embedWeights(cfg: HookedTransformerConfig): Record<string, WeightTable> {
  // Rotary models have no positional embedding matrix (position enters the attention scores).
  if (cfg.positional_embedding_type === 'rotary') return { embed: { W_E: [cfg.d_vocab, cfg.d_model] } };
  return { embed: { W_E: [cfg.d_vocab, cfg.d_model] }, pos_embed: { W_pos: [cfg.n_ctx, cfg.d_model] } };
}

/** The token and positional embeddings of `tokens` [batch, pos], and the residual stream they start. */
export interface Embedded {
  /** `[batch, pos, d_model]` */
  embed: Node;
  /** `[batch, pos, d_model]`: TransformerLens's hook_pos_embed repeats the positional rows over the batch. */
  posEmbed: Node;
  /** The residual stream's start: embed + posEmbed, or embed alone in a shortformer or rotary model. */
  resid: Node;
}

export function embed(cfg: HookedTransformerConfig, w: WeightNodes, tokens: Node, hooks: HookHandler = NO_HOOKS): Embedded {
  const [B, T] = tokens.shape as [number, number];
  const e = hooks.at('hook_embed', gather(weightNode(w, 'embed.W_E'), tokens));
  // Rotary: no hook_pos_embed (as in TransformerLens); posEmbed is a zero placeholder nothing reads.
  if (cfg.positional_embedding_type === 'rotary') return { embed: e, posEmbed: fill(0, [B, T, cfg.d_model], e.dtype), resid: e };
  const pos = hooks.at('hook_pos_embed', expand(slice(weightNode(w, 'pos_embed.W_pos'), [0], [T], [0]), [B, T, cfg.d_model]));
  // Shortformer: position enters only the queries' and keys' inputs (after ln1); the residual stream is tokens alone.
  return { embed: e, posEmbed: pos, resid: cfg.positional_embedding_type === 'shortformer' ? e : add(e, pos) };
}
