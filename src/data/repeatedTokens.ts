import { Rng } from '../engine/random.js';
import { repeatLengthChoices, repeatSpan, type RepeatLengths, type SequenceInfo, type SequenceSource } from './sources.js';

/**
 * The repeat lengths N of the repeated-token probes ("BOS, N random tokens, the same N again"): `detectors` is
 * the head detectors' probe (detectHeads, analyze, reproduce), `training` the shorter one behind the head scores
 * logged while a model trains. The training recipes never repeat a span of either length, so both probes measure
 * in-context copying of a length the model never practised.
 */
export const PROBE_LENGTHS = { training: 40, detectors: 50 } as const;

/** A uniform random token other than BOS (BOS inside the random part would look like a second document start). */
function randomToken(rng: Rng, dVocab: number, bos: number | null): number {
  let t = rng.int(dVocab);
  while (t === bos) t = rng.int(dVocab);
  return t;
}

function checkVocab(dVocab: number, bos: number | null): void {
  const usable = dVocab - (bos !== null && bos >= 0 && bos < dVocab ? 1 : 0);
  if (!Number.isInteger(dVocab) || usable < 1) throw new Error(`repeated random tokens: need at least one non-BOS token, got d_vocab ${dVocab}`);
}

export interface RepeatedRandomTokensOptions {
  /** Tokens per sequence (n_ctx + 1). */
  length: number;
  dVocab: number;
  bosTokenId: number | null;
  /** Lengths of the repeated span; hold out the evaluation length with `exclude` to test generalisation. */
  repeat: RepeatLengths;
  /**
   * Draw tokens uniformly from these ids (none the BOS) instead of from [0, dVocab). The one caller passes a text's
   * most frequent ids (the curriculum's `ids: 'frequent'`, recipes' frequentIds), and `describe` names them so.
   */
  ids?: readonly number[];
}

/**
 * The induction task for training: uniform random tokens (after BOS) in which a span of random length is copied
 * to a random later place. Only in-context copying predicts the copy, and since length and place change in every
 * sequence, a head that attends a fixed distance back cannot solve it (DESIGN.md, trap 2).
 */
export class RepeatedRandomTokens implements SequenceSource {
  readonly kind = 'repeated-random';
  readonly length: number;
  private readonly first: number;
  private readonly choices: number[];

  constructor(private readonly opts: RepeatedRandomTokensOptions) {
    this.length = opts.length;
    this.first = opts.bosTokenId === null ? 0 : 1;
    checkVocab(opts.dVocab, opts.bosTokenId);
    this.choices = repeatLengthChoices(opts.repeat, opts.length - this.first);
  }

  describe(): string {
    const r = this.opts.repeat;
    return `random tokens (${this.opts.ids ? `the ${this.opts.ids.length} most frequent ids` : `d_vocab ${this.opts.dVocab}`}) in sequences of ${this.length}${this.first ? ' (BOS first)' : ''}, a span of ${r.min}-${r.max} tokens`
      + `${r.exclude?.length ? ` (not ${r.exclude.join(', ')})` : ''} repeated at a random later place`;
  }

  sample(rng: Rng, out: Int32Array): SequenceInfo {
    const { dVocab, bosTokenId } = this.opts;
    if (this.first) out[0] = bosTokenId!;
    const ids = this.opts.ids;
    for (let i = this.first; i < out.length; i++) out[i] = ids ? ids[rng.int(ids.length)]! : randomToken(rng, dVocab, bosTokenId);
    return { kind: 'repeated-random', repeat: repeatSpan(rng, out, this.first, this.choices) };
  }
}

/** Positions in a "BOS + N random tokens + the same N again" sequence, and where each head type should attend. */
export interface RepeatedTokenPositions {
  /** N. */
  readonly length: number;
  /** [start, end) of the first and the second copy. */
  readonly firstCopy: readonly [number, number];
  readonly secondCopy: readonly [number, number];
  /** Destinations on the second copy, i in [o + N, o + 2N) with o = 1 when BOS leads. */
  readonly dest: readonly number[];
  /** Induction source of each destination: i - N + 1, the token after the earlier occurrence. */
  readonly inductionSrc: readonly number[];
  /** Duplicate-token source: i - N, the earlier occurrence itself. */
  readonly duplicateSrc: readonly number[];
  /** Previous-token source: i - 1. */
  readonly previousSrc: readonly number[];
  /** Positions whose next token induction predicts (every destination but the last): the in-context loss positions. */
  readonly predictable: readonly number[];
}

/** `RepeatedTokenPositions` for a repeat of `length` tokens, with or without a leading BOS. */
export function repeatedTokenPositions(length: number, hasBos: boolean): RepeatedTokenPositions {
  if (!Number.isInteger(length) || length < 1) throw new Error(`repeated tokens: length must be a positive integer, got ${length}`);
  const o = hasBos ? 1 : 0;
  const dest = Array.from({ length }, (_, k) => o + length + k);
  return {
    length,
    firstCopy: [o, o + length],
    secondCopy: [o + length, o + 2 * length],
    dest,
    inductionSrc: dest.map((i) => i - length + 1),
    duplicateSrc: dest.map((i) => i - length),
    previousSrc: dest.map((i) => i - 1),
    predictable: dest.slice(0, -1),
  };
}

export interface RepeatedTokensEvalOptions {
  batch: number;
  /** N, the length of each copy (choose one the training data did not use). */
  length: number;
  dVocab: number;
  bosTokenId: number | null;
  seed: number;
}

export interface RepeatedTokensEvalSet {
  /** `[batch][o + 2N]`: BOS (when there is one), N random tokens, the same N again. */
  readonly tokens: number[][];
  readonly positions: RepeatedTokenPositions;
}

/**
 * The fixed probe the induction, previous-token and duplicate-token scores are measured on: BOS, N uniform random
 * non-BOS tokens, the same N again. Training metrics and the analyses (detectHeads) both draw it from here, so a
 * seed gives the same probe in both.
 */
export function repeatedTokensEvalSet(opts: RepeatedTokensEvalOptions): RepeatedTokensEvalSet {
  checkVocab(opts.dVocab, opts.bosTokenId);
  const rng = new Rng(opts.seed);
  const tokens: number[][] = [];
  for (let b = 0; b < opts.batch; b++) {
    const half: number[] = [];
    for (let i = 0; i < opts.length; i++) half.push(randomToken(rng, opts.dVocab, opts.bosTokenId));
    tokens.push([...(opts.bosTokenId === null ? [] : [opts.bosTokenId]), ...half, ...half]);
  }
  return { tokens, positions: repeatedTokenPositions(opts.length, opts.bosTokenId !== null) };
}
