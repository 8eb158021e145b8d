import { input } from '../../engine/index.js';
import type { Tensor } from '../../engine/tensor.js';
import { BatchIterator, TextWindows } from '../../data/index.js';
import { HookedTransformer } from '../../model/hookedTransformer.js';
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

/**
 * The model on `ids` alone: W_E's rows, W_U's columns and b_U's entries of those ids, renumbered 0..|ids|-1, and a
 * renumbering of token batches. On tokens all among the ids, with the softmax over them (trainingLoss's
 * `vocabulary`), its loss is the full model's: the other ids' rows and columns never enter it, so the loss is flat
 * along them and SGLD there is noise the LLC does not see. Sampling the restricted model gives the same LLC and
 * draws a fifth of the noise for a BPE-2048 model's curriculum of 256 ids.
 */
export function restrictVocabulary(model: HookedTransformer, ids: readonly number[]): { model: HookedTransformer; renumber(t: Tensor<'int64'>): Tensor<'int64'> } {
  const cfg = model.cfg;
  checkVocabulary(ids, Math.min(cfg.d_vocab, cfg.d_vocab_out), 'llc: loss vocabulary');
  const V = ids.length;
  const D = cfg.d_model;
  const w = model.weights;
  const E = w['embed.W_E']!;
  const U = w['unembed.W_U']!;
  const b = w['unembed.b_U'];
  const rows = new Float32Array(V * D);
  const cols = new Float32Array(D * V);
  ids.forEach((t, i) => {
    rows.set(E.data.subarray(t * D, (t + 1) * D), i * D);
    for (let d = 0; d < D; d++) cols[d * V + i] = U.data[d * cfg.d_vocab_out + t]!;
  });
  const weights = {
    ...w, 'embed.W_E': { dtype: 'float32' as const, shape: [V, D], data: rows }, 'unembed.W_U': { dtype: 'float32' as const, shape: [D, V], data: cols },
    ...(b ? { 'unembed.b_U': { dtype: 'float32' as const, shape: [V], data: Float32Array.from(ids, (t) => b.data[t]!) } } : {}),
  };
  const bos = cfg.bos_token_id === null ? -1 : ids.indexOf(cfg.bos_token_id);
  const restricted = new HookedTransformer({ ...cfg, d_vocab: V, d_vocab_out: V, bos_token_id: bos >= 0 ? bos : null }, weights);
  const place = new Map(ids.map((t, i) => [t, i]));
  return {
    model: restricted,
    renumber: (t) => ({
      ...t,
      data: BigInt64Array.from(t.data, (x) => {
        const i = place.get(Number(x));
        if (i === undefined) throw new Error(`llc: token ${x} of a batch is not in the loss vocabulary`);
        return BigInt(i);
      }),
    }),
  };
}

/**
 * The LLC of a transformer at its weights, on next-token loss over `batches` (nβ defaults to m / ln m, m sequences
 * per batch). With `lossVocabulary` (the softmax over those ids; every token of the batches among them) it samples
 * the model restricted to them (restrictVocabulary): the same loss, with only the weights it reads.
 */
export async function estimateTransformerLLC(
  model: HookedTransformer, batches: TokenBatches, options: LLCOptions & { lossFrom?: number; lossVocabulary?: readonly number[] | null } = {},
): Promise<LLCResult> {
  const ids = options.lossVocabulary ?? null;
  const r = ids ? restrictVocabulary(model, ids) : null;
  const next = r ? () => r.renumber(batches.next()) : () => batches.next();
  const first = next();
  const [m, length] = first.shape as [number, number];
  if (m !== batches.batchSize) throw new Error(`llc: batches of ${m} sequences, but batchSize says ${batches.batchSize}`);
  let pending: Tensor<'int64'> | null = first;
  const data = {
    batchSize: m,
    next: () => {
      const t = pending ?? next();
      pending = null;
      return { tokens: t };
    },
  };
  return estimateLLC(transformerSamplingModel(r?.model ?? model, m, length - 1, options.lossFrom ?? 0), data, options);
}

/** Random windows of `length` tokens (BOS first when given) from a token stream, `batchSize` per batch, seeded. */
export function tokenWindowBatches(stream: Int32Array, o: { batchSize: number; length: number; bosTokenId: number | null; seed?: number }): TokenBatches {
  const it = new BatchIterator(new TextWindows(stream, { length: o.length, bosTokenId: o.bosTokenId }), { batchSize: o.batchSize, seed: o.seed ?? 0 });
  return { batchSize: o.batchSize, next: () => it.nextBatch().tokens };
}
