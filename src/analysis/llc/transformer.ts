import { input } from '../../engine/index.js';
import type { Tensor } from '../../engine/tensor.js';
import { BatchIterator, TextWindows } from '../../data/index.js';
import type { HookedTransformer } from '../../model/hookedTransformer.js';
import type { SamplingModel } from '../../train/sgld.js';
import { checkVocabulary, trainingLoss } from '../../train/trainingLoss.js';
import { estimateLLC, type LLCOptions, type LLCResult } from './estimate.js';

/** Token batches `[batchSize, seqLen + 1]`: inputs and their next tokens, as a training step takes them. */
export interface TokenBatches {
  batchSize: number;
  next(): Tensor<'int64'>;
}

/**
 * A HookedTransformer as a sampling model: every weight is a parameter (w0 = the model's weights, which are not
 * changed), the loss is the mean next-token loss of a `tokens` batch `[batchSize, seqLen + 1]`, as in training:
 * position i predicts token i + 1, for positions from `lossFrom` on (0: all; a grokking run counts only '='), the
 * softmax over `vocabulary` alone when given (a curriculum on a few ids of a BPE trained on that loss: trainingLoss).
 */
export function transformerSamplingModel(model: HookedTransformer, batchSize: number, seqLen: number, lossFrom = 0, vocabulary: readonly number[] | null = null): SamplingModel {
  if (seqLen > model.cfg.n_ctx) throw new Error(`llc: sequence length ${seqLen} exceeds n_ctx ${model.cfg.n_ctx}`);
  if (!Number.isInteger(lossFrom) || lossFrom < 0 || lossFrom >= seqLen) throw new Error(`llc: lossFrom must be an integer from 0 to ${seqLen - 1}, got ${lossFrom}`);
  if (vocabulary) checkVocabulary(vocabulary, model.cfg.d_vocab_out, 'llc: loss vocabulary');
  return {
    params: { ...model.weights },
    buildLoss: (p) => trainingLoss(model.cfg, { ...p }, input('tokens', [batchSize, seqLen + 1], 'int64'), { lossFrom, vocabulary }),
  };
}

/** The LLC of a transformer at its weights, on next-token loss over `batches` (nβ defaults to m / ln m, m sequences per batch). */
export async function estimateTransformerLLC(
  model: HookedTransformer, batches: TokenBatches, options: LLCOptions & { lossFrom?: number; lossVocabulary?: readonly number[] | null } = {},
): Promise<LLCResult> {
  const first = batches.next();
  const [m, length] = first.shape as [number, number];
  if (m !== batches.batchSize) throw new Error(`llc: batches of ${m} sequences, but batchSize says ${batches.batchSize}`);
  let pending: Tensor<'int64'> | null = first;
  const data = {
    batchSize: m,
    next: () => {
      const t = pending ?? batches.next();
      pending = null;
      return { tokens: t };
    },
  };
  return estimateLLC(transformerSamplingModel(model, m, length - 1, options.lossFrom ?? 0, options.lossVocabulary ?? null), data, options);
}

/** Random windows of `length` tokens (BOS first when given) from a token stream, `batchSize` per batch, seeded. */
export function tokenWindowBatches(stream: Int32Array, o: { batchSize: number; length: number; bosTokenId: number | null; seed?: number }): TokenBatches {
  const it = new BatchIterator(new TextWindows(stream, { length: o.length, bosTokenId: o.bosTokenId }), { batchSize: o.batchSize, seed: o.seed ?? 0 });
  return { batchSize: o.batchSize, next: () => it.nextBatch().tokens };
}
