import type { Node } from '../../engine/index.js';

/**
 * What the forward pass asks at each hook point. `at` may return the activation unchanged (nothing to do), record
 * it (caching), or return a replacement (interventions, or a placeholder where a JavaScript hook cuts the graph).
 */
export interface HookHandler {
  at(name: string, x: Node): Node;
  /** Whether anything wants `name`: `hook_result` costs n_heads x the memory of attn_out, so it is built only then. */
  wants(name: string): boolean;
}

export const NO_HOOKS: HookHandler = { at: (_n, x) => x, wants: () => false };

/** The model's weights as graph nodes, by TransformerLens name. */
export type WeightNodes = Readonly<Record<string, Node>>;

/** TransformerLens's names for the axes of activations. */
export type Axis = 'batch' | 'pos' | 'head_index' | 'd_head' | 'd_model' | 'd_mlp' | 'query_pos' | 'key_pos' | '1';

/** The hook points a component emits, by their last name part, with TransformerLens's axes. */
export type HookTable = Readonly<Record<string, readonly Axis[]>>;

/** A component's weights, by their last name part, with their shapes. */
export type WeightTable = Record<string, number[]>;

/** The weight node `prefix.leaf`, failing with the name when the model lacks it. */
export function weightNode(w: WeightNodes, name: string): Node {
  const n = w[name];
  if (!n) throw new Error(`forward: missing weight ${name}`);
  return n;
}
