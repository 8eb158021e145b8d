import { Rng } from '../engine/random.js';
import type { Tensor } from '../engine/tensor.js';
import { TextWindows, type RepeatLengths, type SequenceInfo, type SequenceKind, type SequenceSource } from './sources.js';

/** One source of a data mix and the share of sequences drawn from it. */
export interface MixEntry {
  readonly source: SequenceSource;
  readonly share: number;
}

export interface BatchOptions {
  batchSize: number;
  seed: number;
}

/** A training batch: `tokens` is `[batchSize, n_ctx + 1]` (inputs are the first n_ctx, targets the last n_ctx). */
export interface Batch {
  /** 0 for the first batch an iterator yields, then 1, 2, ... */
  readonly step: number;
  readonly tokens: Tensor<'int64'>;
  /** Where each row came from. */
  readonly rows: readonly SequenceInfo[];
}

/** What a checkpoint stores to resume the batch stream exactly. */
export interface BatchState {
  readonly version: 1;
  /** Batches drawn so far. */
  readonly step: number;
  readonly rng: number[];
  /** The iterator's data description; resuming with different data or batch size is refused. */
  readonly fingerprint: string;
}

/** The data a run trains on, in words and numbers, for run metadata and `reproduce`. */
export interface DataDescription {
  readonly seed: number;
  readonly batchSize: number;
  readonly mix: readonly { readonly kind: SequenceKind; readonly share: number; readonly description: string }[];
}

/**
 * Draws batches from a mix of sequence sources, each row from source k with probability share_k / sum(shares).
 * All randomness comes from one Rng seeded from `seed` (decorrelated from the weight initialisation that uses the
 * same seed), so `state()` after any number of batches, given back to the constructor, continues with exactly
 * the batches an uninterrupted run would have drawn.
 */
export class BatchIterator {
  private readonly mix: readonly MixEntry[];
  private readonly cumulative: number[];
  private readonly rng: Rng;
  private readonly length: number;
  private drawn: number;

  constructor(mix: SequenceSource | readonly MixEntry[], private readonly opts: BatchOptions, state?: BatchState) {
    this.mix = 'sample' in mix ? [{ source: mix as SequenceSource, share: 1 }] : (mix as readonly MixEntry[]);
    if (this.mix.length === 0) throw new Error('batches: the data mix is empty');
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new Error(`batches: batch size must be a positive integer, got ${opts.batchSize}`);
    this.length = this.mix[0]!.source.length;
    for (const m of this.mix) {
      if (m.source.length !== this.length) throw new Error(`batches: sources yield sequences of ${this.length} and ${m.source.length} tokens; a batch must be rectangular`);
      if (!(m.share >= 0) || !Number.isFinite(m.share)) throw new Error(`batches: share of ${m.source.kind} must be a finite number >= 0, got ${m.share}`);
    }
    const total = this.mix.reduce((s, m) => s + m.share, 0);
    if (!(total > 0)) throw new Error('batches: the shares of the data mix sum to 0');
    let acc = 0;
    this.cumulative = this.mix.map((m) => (acc += m.share / total));
    if (state) {
      if (state.version !== 1) throw new Error(`batches: unsupported batch state version ${String(state.version)}`);
      if (state.fingerprint !== this.fingerprint()) {
        throw new Error(`batches: the checkpoint's data (${state.fingerprint}) differs from this run's (${this.fingerprint()})`);
      }
      this.rng = Rng.fromState(state.rng);
      this.drawn = state.step;
    } else {
      this.rng = new Rng(dataSeed(opts.seed));
      this.drawn = 0;
    }
  }

  /** Batches drawn so far (the step of the next batch). */
  get step(): number {
    return this.drawn;
  }

  /** Tokens per sequence (n_ctx + 1). */
  get sequenceLength(): number {
    return this.length;
  }

  /** The next batch. */
  nextBatch(): Batch {
    const B = this.opts.batchSize;
    const T = this.length;
    const data = new BigInt64Array(B * T);
    const row = new Int32Array(T);
    const rows: SequenceInfo[] = [];
    for (let b = 0; b < B; b++) {
      const src = this.pick();
      rows.push(src.sample(this.rng, row));
      for (let t = 0; t < T; t++) data[b * T + t] = BigInt(row[t]!);
    }
    return { step: this.drawn++, tokens: { dtype: 'int64', shape: [B, T], data }, rows };
  }

  /** The state to save beside a checkpoint. */
  state(): BatchState {
    return { version: 1, step: this.drawn, rng: this.rng.state(), fingerprint: this.fingerprint() };
  }

  describe(): DataDescription {
    const total = this.mix.reduce((s, m) => s + m.share, 0);
    return {
      seed: this.opts.seed,
      batchSize: this.opts.batchSize,
      mix: this.mix.map((m) => ({ kind: m.source.kind, share: m.share / total, description: m.source.describe() })),
    };
  }

  private pick(): SequenceSource {
    if (this.mix.length === 1) return this.mix[0]!.source;
    const u = this.rng.uniform();
    const i = this.cumulative.findIndex((c) => u < c);
    return this.mix[i < 0 ? this.mix.length - 1 : i]!.source;
  }

  private fingerprint(): string {
    const d = this.describe();
    return `batch ${d.batchSize}; ${d.mix.map((m) => `${(m.share * 100).toFixed(1)}% ${m.description}`).join('; ')}`;
  }
}

/**
 * The batch a run trained on at `step` (0-based), regenerated from the run's data and seed: what `reproduce` shows
 * when asked which sequences a step saw. Costs `step` batches of sampling.
 */
export function replayBatch(mix: SequenceSource | readonly MixEntry[], opts: BatchOptions, step: number): Batch {
  if (!Number.isInteger(step) || step < 0) throw new Error(`replayBatch: step must be a non-negative integer, got ${step}`);
  const it = new BatchIterator(mix, opts);
  for (let s = 0; s < step; s++) it.nextBatch();
  return it.nextBatch();
}

/** The data stream's seed: a fixed bijective scramble of the run seed. */
function dataSeed(seed: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x7f4a7c15) >>> 0;
}

/** Counts of each kind of sequence in a batch, and how many tokens were copies of an earlier span. */
export interface BatchSummary {
  readonly step: number;
  readonly counts: Readonly<Partial<Record<SequenceKind, number>>>;
  readonly repeatedTokens: number;
}

/** Which data a batch came from (for `reproduce` and logs). */
export function describeBatch(batch: Batch): BatchSummary {
  const counts: Partial<Record<SequenceKind, number>> = {};
  let repeatedTokens = 0;
  for (const r of batch.rows) {
    counts[r.kind] = (counts[r.kind] ?? 0) + 1;
    if ('repeat' in r) repeatedTokens += r.repeat.length;
  }
  return { step: batch.step, counts, repeatedTokens };
}

/** A one-line account of a data description: "75% text windows ...; 25% text windows ..., a span ... repeated". */
export function describeMix(d: DataDescription): string {
  return d.mix.map((m) => `${Math.round(m.share * 1000) / 10}% ${m.description}`).join('; ') + ` (batch ${d.batchSize}, seed ${d.seed})`;
}

export interface TextMixOptions {
  /** Tokens per sequence (n_ctx + 1). */
  length: number;
  bosTokenId: number | null;
  /** Share of sequences in which a span repeats later (DESIGN.md trap 3); 0 for plain text. */
  repeatShare: number;
  /** Lengths of the repeated span (default 4 .. a quarter of the window). */
  repeatLengths?: RepeatLengths;
}

/**
 * Natural text with a share of sequences that repeat an earlier span of random length at a random place, the
 * help a two-layer model needs to form induction heads within minutes (DESIGN.md trap 3). The share is explicit
 * so the preset can state it and `reproduce` report it.
 */
export function textMix(stream: Int32Array, opts: TextMixOptions): MixEntry[] {
  if (!(opts.repeatShare >= 0 && opts.repeatShare <= 1)) throw new Error(`text mix: repeat share must be in [0, 1], got ${opts.repeatShare}`);
  const room = opts.length - (opts.bosTokenId === null ? 0 : 1);
  const maxDefault = Math.max(1, Math.floor(room / 4));
  const repeat = opts.repeatLengths ?? { min: Math.min(4, maxDefault), max: maxDefault };
  const mix: MixEntry[] = [];
  if (opts.repeatShare < 1) mix.push({ source: new TextWindows(stream, { length: opts.length, bosTokenId: opts.bosTokenId }), share: 1 - opts.repeatShare });
  if (opts.repeatShare > 0) mix.push({ source: new TextWindows(stream, { length: opts.length, bosTokenId: opts.bosTokenId, repeat }), share: opts.repeatShare });
  return mix;
}

/** Rows of ids as an int64 `[batch, pos]` tensor. */
export function rowsToTensor(rows: readonly (readonly number[])[]): Tensor<'int64'> {
  const T = rows[0]?.length ?? 0;
  const data = new BigInt64Array(rows.length * T);
  rows.forEach((r, b) => {
    if (r.length !== T) throw new Error(`rowsToTensor: row ${b} has ${r.length} tokens, row 0 has ${T}`);
    r.forEach((v, t) => (data[b * T + t] = BigInt(v)));
  });
  return { dtype: 'int64', shape: [rows.length, T], data };
}

export interface EvaluationOptions {
  batchSize: number;
  /** Tokens per sequence (n_ctx + 1). */
  length: number;
  bosTokenId: number | null;
  /** At most this many batches (windows are spread evenly over the stream when it holds more). */
  maxBatches: number;
}

/**
 * Up to `count` non-overlapping windows of `length` tokens (BOS first when the model has one, then stream tokens),
 * evenly spaced over the stream from its start: a sample of the whole text, not of its first document.
 */
export function spreadWindows(stream: ArrayLike<number>, length: number, bosTokenId: number | null, count: number): number[][] {
  const first = bosTokenId === null ? 0 : 1;
  const need = length - first;
  const available = Math.floor(stream.length / need);
  const n = Math.min(available, count);
  const stride = n > 0 ? Math.floor(available / n) * need : 0;
  return Array.from({ length: n }, (_, r) => [...(first ? [bosTokenId!] : []), ...Array.from({ length: need }, (_, j) => stream[r * stride + j]!)]);
}

/**
 * Fixed validation batches: non-overlapping windows of the (validation) stream, evenly spaced from its start, no
 * randomness, so every evaluation of a run and of its resumed continuation sees the same tokens.
 */
export function evaluationBatches(stream: Int32Array, opts: EvaluationOptions): Tensor<'int64'>[] {
  const need = opts.length - (opts.bosTokenId === null ? 0 : 1);
  const available = Math.floor(stream.length / need);
  const batches = Math.floor(Math.min(available, opts.batchSize * opts.maxBatches) / opts.batchSize);
  if (batches === 0) {
    throw new Error(`evaluation: the stream has ${stream.length} tokens, fewer than one batch of ${opts.batchSize} windows of ${need}`);
  }
  const rows = spreadWindows(stream, opts.length, opts.bosTokenId, batches * opts.batchSize);
  return Array.from({ length: batches }, (_, k) => rowsToTensor(rows.slice(k * opts.batchSize, (k + 1) * opts.batchSize)));
}
