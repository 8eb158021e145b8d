import { div, mul, tanh, type Node } from '../engine/index.js';
import type { HookedTransformerConfig } from './config.js';
import { embed, layerNorm, NO_HOOKS, transformerBlock, unembed, type HookHandler, type WeightNodes } from './components/index.js';

export { NO_HOOKS, type HookHandler, type WeightNodes };

/**
 * The HookedTransformer forward pass: tokens [batch, pos] (int64) -> logits [batch, pos, d_vocab_out], calling
 * `hooks.at` at every TransformerLens hook point. The components (src/model/components) hold the details.
 */
export function forward(cfg: HookedTransformerConfig, w: WeightNodes, tokens: Node, hooks: HookHandler = NO_HOOKS): Node {
  const T = tokens.shape[1]!;
  if (T > cfg.n_ctx) throw new Error(`forward: ${T} positions is more than the model's n_ctx (${cfg.n_ctx})`);
  const { resid: start, posEmbed } = embed(cfg, w, tokens, hooks);
  let resid = start;
  for (let l = 0; l < cfg.n_layers; l++) resid = transformerBlock(cfg, w, l, resid, posEmbed, hooks);
  const logits = unembed(cfg, w, layerNorm(cfg, w, 'ln_final', resid, hooks));
  const cap = cfg.output_logits_soft_cap;
  return cap > 0 ? mul(tanh(div(logits, cap)), cap) : logits; // Gemma 2's final soft-capping

}
