import { HookedTransformer } from '../../model/hookedTransformer.js';
import { compositionScores } from '../../analysis/composition.js';
import { copyingScores } from '../../analysis/copying.js';
import { timeIt, type BenchResult } from './timing.js';

/**
 * DESIGN.md's `gpt2-circuits`: on GPT-2 small shapes (random weights, std 0.02 as the peer), the OV copying score of
 * all 144 heads over the full vocabulary and the Q, K and V composition scores of every head pair.
 */
export async function benchGpt2Circuits(reps = 3): Promise<BenchResult> {
  const model = new HookedTransformer({
    n_layers: 12, d_model: 768, n_heads: 12, d_head: 64, d_mlp: 3072, d_vocab: 50257, n_ctx: 1024, act_fn: 'gelu',
    normalization_type: 'LN', init_range: 0.02, seed: 0,
  });
  let pairs = 0;
  const ms = await timeIt(async () => {
    const [copy, comp] = [await copyingScores(model), await compositionScores(model, { baselineSamples: 0 })];
    pairs = comp.scores.q.flat().filter((s) => s > 0).length;
    if (copy.scores.flat().length !== 144) throw new Error('gpt2-circuits: expected 144 heads');
  }, reps, 1);
  return {
    workload: 'gpt2-circuits',
    config: 'GPT-2 small shapes: 144 OV copying scores (vocab 50257) + Q/K/V composition for all 144x144 head pairs',
    ms,
    tokens_per_s: null,
    scored_pairs: pairs,
  };
}
