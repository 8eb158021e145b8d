import type { Tensor } from '../engine/tensor.js';

/**
 * Activations by hook name, as TransformerLens's ActivationCache: `cache.get('blocks.1.attn.hook_pattern')` is a
 * `[batch, head, dest, src]` tensor.
 */
export class ActivationCache {
  constructor(readonly tensors: Readonly<Record<string, Tensor<'float32'>>>) {}

  get names(): string[] {
    return Object.keys(this.tensors);
  }

  has(name: string): boolean {
    return name in this.tensors;
  }

  /** The activation at `name`; a name that was not cached throws, listing a few that were. */
  get(name: string): Tensor<'float32'> {
    const t = this.tensors[name];
    if (!t) {
      const some = this.names.slice(0, 6).join(', ');
      throw new Error(`activation ${name} is not in the cache (it holds ${this.names.length}: ${some}${this.names.length > 6 ? ', ...' : ''})`);
    }
    return t;
  }
}
