import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { fourierBasis } from './fourier.js';
import { embeddingFrequencyShares, keyFrequencies, logitFrequencyShares, neuronFrequencyShares, type FrequencyShares } from './frequencies.js';
import { modularLogitTable, tableLossAndAccuracy } from './logits.js';
import { excludedLoss, restrictedLoss } from './restrictedLoss.js';
import { sumSquaredWeights } from './weightNorm.js';

/** The split a grokking run trained on: p, and the inputs (row a p + b of the logit table) it trained on. */
export interface ModularSplit {
  p: number;
  trainRows: number[];
  testRows: number[];
}

/** A split from the dataset's rows `[a, b, =, c]`. */
export function modularSplit(p: number, train: readonly (readonly number[])[], test: readonly (readonly number[])[]): ModularSplit {
  const idx = (rows: readonly (readonly number[])[]) => rows.map((r) => r[0]! * p + r[1]!);
  return { p, trainRows: idx(train), testRows: idx(test) };
}

/** Train and test loss and accuracy at '=' (what a grokking run logs while it trains). */
export async function modularLossAccuracy(model: HookedTransformer, split: ModularSplit): Promise<{ train_loss: number; train_accuracy: number; test_loss: number; test_accuracy: number }> {
  const t = await modularLogitTable(model, split.p);
  const tr = tableLossAndAccuracy(t, split.trainRows);
  const te = tableLossAndAccuracy(t, split.testRows);
  return { train_loss: tr.loss, train_accuracy: tr.accuracy, test_loss: te.loss, test_accuracy: te.accuracy };
}

/** Nanda et al.'s progress measures of one checkpoint. */
export interface ProgressMeasures {
  train_loss: number;
  train_accuracy: number;
  test_loss: number;
  test_accuracy: number;
  /** Sum of squared weights over all parameters. */
  sum_squared_weights: number;
  /** Loss on all p^2 inputs of the logits kept along the key frequencies' cos/sin(w (a + b)) directions, bias-corrected. */
  restricted_loss: number;
  /** Training loss of the logits with those directions removed. */
  excluded_loss: number;
  /** Share of the embedding's (non-constant) squared norm in the key frequencies. */
  embedding_key_share: number;
  /** Share of the logit table's (centred) squared norm in the key frequencies' cos/sin(w (a + b)) directions. */
  logit_key_share: number;
}

/** The progress measures of `model` on `split`, with the key frequencies fixed (the final model's, as the paper does). */
export async function progressMeasures(model: HookedTransformer, split: ModularSplit, keyFreqs: readonly number[]): Promise<ProgressMeasures> {
  const t = await modularLogitTable(model, split.p);
  const tr = tableLossAndAccuracy(t, split.trainRows);
  const te = tableLossAndAccuracy(t, split.testRows);
  const share = (s: FrequencyShares) => keyFreqs.reduce((acc, k) => acc + (s[k - 1] ?? 0), 0);
  return {
    train_loss: tr.loss, train_accuracy: tr.accuracy, test_loss: te.loss, test_accuracy: te.accuracy,
    sum_squared_weights: sumSquaredWeights(model.weights),
    restricted_loss: restrictedLoss(t, keyFreqs), excluded_loss: excludedLoss(t, keyFreqs, split.trainRows),
    embedding_key_share: share(embeddingFrequencyShares(model, split.p)), logit_key_share: share(logitFrequencyShares(t)),
  };
}

/** The frequencies a trained model uses, and the shares they were chosen from. */
export interface KeyFrequencyReport {
  keyFrequencies: number[];
  embedding: FrequencyShares;
  neurons: FrequencyShares;
  /** The mean of the embedding's and the neurons' shares, from which the key frequencies are picked. */
  combined: FrequencyShares;
  cover: number;
}

/**
 * The key frequencies of a (trained) model: the fewest frequencies carrying `cover` (default 0.8) of the mean of
 * the embedding's norm shares and the MLP neurons' variance shares.
 */
export async function findKeyFrequencies(model: HookedTransformer, p: number, cover = 0.8): Promise<KeyFrequencyReport> {
  const basis = fourierBasis(p);
  const embedding = embeddingFrequencyShares(model, p, basis);
  const neurons = model.cfg.attn_only ? embedding.map(() => 0) : await neuronFrequencyShares(model, p, basis);
  const combined = embedding.map((e, i) => (model.cfg.attn_only ? e : (e + neurons[i]!) / 2));
  return { keyFrequencies: keyFrequencies(combined, cover), embedding, neurons, combined, cover };
}
