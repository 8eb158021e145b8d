import { Rng, type Tensor } from '../../engine/index.js';
import { HookedTransformer } from '../../model/hookedTransformer.js';
import { TrainStep } from '../../train/trainStep.js';
import { timeIt, type BenchResult } from './timing.js';

/**
 * DESIGN.md's `toy-train`, through the trainer's own step (TrainStep): 2 layers, attention only, no LayerNorm,
 * d_model 256, 8 heads of 32, n_ctx 256, d_vocab 2048, 16 sequences of 256 random tokens, one full AdamW step.
 */
export async function benchToyTrain(reps = 5): Promise<BenchResult> {
  const model = new HookedTransformer({
    n_layers: 2, d_model: 256, n_heads: 8, d_head: 32, n_ctx: 256, d_vocab: 2048, attn_only: true,
    normalization_type: null, init_range: 0.02, seed: 0,
  });
  const B = 16;
  const T = 256;
  const rng = new Rng(0);
  const data = new BigInt64Array(B * (T + 1));
  for (let i = 0; i < data.length; i++) data[i] = BigInt(rng.int(2048));
  const tokens: Tensor<'int64'> = { dtype: 'int64', shape: [B, T + 1], data };
  // torch.optim.AdamW's defaults, as the peer uses them; no clipping.
  const step = new TrainStep(model, B, T, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: null });
  let loss = 0;
  const ms = await timeIt(async () => {
    loss = (await step.run(tokens, 1e-3)).loss;
  }, reps, 2);
  return {
    workload: 'toy-train',
    config: '2L attn-only d256 h8 ctx256 vocab2048 batch16',
    ms,
    tokens_per_s: (B * T) / (ms / 1000),
    loss,
  };
}
