import type { Tensor } from '../engine/tensor.js';
import { PROBE_LENGTHS, tokenRows } from '../data/index.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import { detectHeads, inContextLearningScore } from './detectors.js';

/**
 * What a run logs about its heads while it trains (DESIGN.md's training dynamics): every head's induction,
 * previous-token and duplicate-token scores on the training probe (repeat length `PROBE_LENGTHS.training`, 4
 * sequences), the largest induction score, and the in-context-learning score on the held-out batch `icl`.
 * `context` is how many positions the model has trained on (default n_ctx): during a sequence-length warm-up
 * the probe's repeat is shortened to fit in it and the in-context-learning score reads the batch's first `context`
 * tokens, since positions past it have had no gradient, and the record says so (`probe_context`). Nothing for a
 * model without layers.
 */
export async function trainingProbes(model: HookedTransformer, icl: Tensor<'int64'>, context?: number): Promise<Record<string, unknown>> {
  if (model.cfg.n_layers === 0) return {};
  const T = Math.min(model.cfg.n_ctx, context ?? model.cfg.n_ctx);
  const d = await detectHeads(model, { batch: 4, length: Math.min(PROBE_LENGTHS.training, Math.floor((T - 1) / 2)) });
  const rows = tokenRows(icl).map((r) => r.slice(0, T));
  const per = await model.loss(rows, { perToken: true });
  return {
    induction_scores: round(d.induction), previous_token_scores: round(d.previousToken), duplicate_token_scores: round(d.duplicateToken),
    max_induction_score: Math.max(...d.induction.flat()), icl_score: inContextLearningScore(per),
    ...(T < model.cfg.n_ctx ? { probe_context: T } : {}),
  };
}

function round(m: number[][]): number[][] {
  return m.map((r) => r.map((v) => Math.round(v * 1e4) / 1e4));
}
