import { Rng } from '../../../src/engine/index.js';
import { HookedTransformer } from '../../../src/model/hookedTransformer.js';
import { initWeights, type StateDict } from '../../../src/model/weights.js';
import type { ConfigInput } from '../../../src/model/config.js';

/**
 * A small GPT-2-like model (LayerNorm, MLPs with gelu_new, two layers) whose weights are all random, biases and
 * LayerNorm weights included, so every term of the edge gradients (each LayerNorm's scale, the biases) matters.
 */
export function smallGpt2(overrides: ConfigInput = {}, seed = 7): HookedTransformer {
  const cfg: ConfigInput = {
    n_layers: 2, d_model: 16, n_heads: 2, d_head: 8, d_mlp: 32, d_vocab: 23, n_ctx: 16, act_fn: 'gelu_new',
    normalization_type: 'LN', init_range: 0.4, seed, bos_token_id: null, ...overrides,
  };
  const base = new HookedTransformer(cfg);
  const rng = new Rng(seed + 1);
  const w: StateDict = initWeights(base.cfg, seed);
  for (const [name, t] of Object.entries(w)) {
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    if (leaf === 'w') t.data.forEach((_, i) => { t.data[i] = 1 + 0.3 * rng.normal(); });
    else if (leaf.startsWith('b')) t.data.forEach((_, i) => { t.data[i] = 0.2 * rng.normal(); });
  }
  return new HookedTransformer(base.cfg, w);
}
