import { add, matmul, reshape, type Node } from '../../engine/index.js';
import type { HookedTransformerConfig } from '../config.js';
import { weightNode, type WeightNodes, type WeightTable } from './hooks.js';

export function unembedWeights(cfg: HookedTransformerConfig): WeightTable {
  return { W_U: [cfg.d_model, cfg.d_vocab_out], b_U: [cfg.d_vocab_out] };
}

/**
 * `x W_U + b_U` for x `[..., d_model]` -> `[..., d_vocab_out]`, as one 2-D product whose result is the output itself
 * (the reshapes cost nothing), rather than a batched product that onnxruntime reshapes with a copy of the logits.
 */
export function unembed(cfg: HookedTransformerConfig, w: WeightNodes, x: Node): Node {
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((a, b) => a * b, 1);
  const flat = add(matmul(reshape(x, [rows, cfg.d_model]), weightNode(w, 'unembed.W_U')), weightNode(w, 'unembed.b_U'));
  return reshape(flat, [...lead, cfg.d_vocab_out]);
}
