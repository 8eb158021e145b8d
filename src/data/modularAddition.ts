import { Rng } from '../engine/random.js';
import { int64Tensor, type Tensor } from '../engine/tensor.js';
import { exactMatchAccuracy, type TokenRows } from './metrics.js';
import type { SequenceInfo, SequenceSource } from './sources.js';

/**
 * Modular addition, the grokking setting (Power et al.; Nanda et al.'s progress measures): the sequence is
 * `a b = c` with c = (a + b) mod p; tokens 0..p-1 are the numbers and p is '='. There is no BOS: the model reads
 * three tokens and only the prediction at '=' (position 2) matters, so train on that position's loss.
 */
export interface ModularAdditionDataset {
  readonly p: number;
  /** Rows `[a, b, p, (a + b) mod p]`. */
  readonly train: number[][];
  readonly test: number[][];
}

/** Vocabulary size of the task: p numbers and '='. */
export function modularVocabSize(p: number): number {
  return p + 1;
}

/** The string of each token, for views: '0' .. 'p-1', then '='. */
export function modularTokenStrings(p: number): string[] {
  return [...Array.from({ length: p }, (_, i) => String(i)), '='];
}

/** The sequence `[a, b, =, (a + b) mod p]`. */
export function modularAdditionRow(a: number, b: number, p: number): number[] {
  return [a, b, p, (a + b) % p];
}

/**
 * All p^2 pairs, shuffled with `seed`, the first `round(trainFraction p^2)` for training and the rest for testing
 * (grokking runs train on 30-50% and watch test accuracy jump long after train accuracy).
 */
export function modularAdditionDataset(p: number, trainFraction: number, seed: number): ModularAdditionDataset {
  if (!Number.isInteger(p) || p < 2) throw new Error(`modular addition: p must be an integer >= 2, got ${p}`);
  if (!(trainFraction > 0 && trainFraction < 1)) throw new Error(`modular addition: train fraction must be in (0, 1), got ${trainFraction}`);
  const rows: number[][] = [];
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) rows.push(modularAdditionRow(a, b, p));
  new Rng(seed).shuffle(rows);
  const n = Math.round(trainFraction * rows.length);
  return { p, train: rows.slice(0, n), test: rows.slice(n) };
}

/** Samples rows of a fixed set (the training split) uniformly, for the batch iterator. */
export class ModularAdditionProblems implements SequenceSource {
  readonly kind = 'modular-addition';
  readonly length = 4;

  constructor(private readonly rows: readonly (readonly number[])[], private readonly p: number) {
    if (rows.length === 0) throw new Error('modular addition: no rows to sample');
  }

  describe(): string {
    return `modular addition a+b mod ${this.p}, ${this.rows.length} training pairs`;
  }

  sample(rng: Rng, out: Int32Array): SequenceInfo {
    const row = this.rows[rng.int(this.rows.length)]!;
    out.set(row);
    return { kind: 'modular-addition', a: row[0]!, b: row[1]! };
  }
}

/** Accuracy at '=': the share of rows whose prediction at position 2 is (a + b) mod p. */
export function modularAdditionAccuracy(predicted: TokenRows | Tensor<'float32'>, tokens: TokenRows | Tensor<'int64'>): number {
  return exactMatchAccuracy(predicted, tokens, { start: 3, end: 4 });
}

/** Rows `[a, b, =, c]` as one int64 tensor `[rows, 4]` (a full batch). */
export function modularAdditionTensor(rows: readonly (readonly number[])[]): Tensor<'int64'> {
  return int64Tensor(rows.flat(), [rows.length, 4]);
}
