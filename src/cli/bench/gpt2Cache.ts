import { Rng } from '../../engine/index.js';
import { HookedTransformer } from '../../model/hookedTransformer.js';
import { timeIt, type BenchResult } from './timing.js';

/**
 * DESIGN.md's `gpt2-cache`: GPT-2 small shapes with random weights, 4 sequences of 256 tokens, logits plus every
 * activation cached (TransformerLens's default cache: every hook point but hook_result).
 */
export async function benchGpt2Cache(reps = 3): Promise<BenchResult> {
  const model = new HookedTransformer({
    n_layers: 12, d_model: 768, n_heads: 12, d_head: 64, d_mlp: 3072, d_vocab: 50257, n_ctx: 1024, act_fn: 'gelu',
    normalization_type: 'LN', init_range: 0.02, seed: 0,
  });
  const rng = new Rng(1);
  const B = 4;
  const T = 256;
  const tokens = Array.from({ length: B }, () => Array.from({ length: T }, () => rng.int(50257)));
  let cached = 0;
  let bytes = 0;
  const ms = await timeIt(async () => {
    const { cache } = await model.runWithCache(tokens);
    cached = cache.names.length;
    bytes = cache.bytes;
  }, reps, 1);
  model.clearCompiled();
  return {
    workload: 'gpt2-cache',
    config: 'GPT-2 small shapes, batch 4x256, all activations cached',
    ms,
    tokens_per_s: (B * T) / (ms / 1000),
    activations: cached,
    cache_bytes: bytes,
  };
}
