import type { Rng } from '../engine/random.js';

/** A span of a sequence copied to a later place: tokens [from, from + length) reappear at [to, to + length). */
export interface RepeatSpan {
  readonly from: number;
  readonly to: number;
  readonly length: number;
}

/** Where one training sequence came from: enough to say in `reproduce` what the model saw. */
export type SequenceInfo =
  | { readonly kind: 'text'; readonly start: number }
  | { readonly kind: 'text-repeat'; readonly start: number; readonly repeat: RepeatSpan }
  | { readonly kind: 'repeated-random'; readonly repeat: RepeatSpan }
  | { readonly kind: 'addition'; readonly a: number; readonly b: number }
  | { readonly kind: 'modular-addition'; readonly a: number; readonly b: number };

export type SequenceKind = SequenceInfo['kind'];

/**
 * A stateless generator of training sequences: everything random comes from the `rng` it is handed, so a batch
 * iterator that saves its Rng's state can resume and draw exactly the same sequences.
 */
export interface SequenceSource {
  readonly kind: SequenceKind;
  /** Tokens per sequence, n_ctx + 1: position i of the first n_ctx predicts token i + 1. */
  readonly length: number;
  /** One line saying what the source yields (for run metadata and `reproduce`). */
  describe(): string;
  /** Fills `out` (of `length` tokens) with one sequence drawn with `rng` and says what was drawn. */
  sample(rng: Rng, out: Int32Array): SequenceInfo;
}

/** Lengths of a repeated span: every integer in [min, max] except `exclude` (held out to test generalisation). */
export interface RepeatLengths {
  readonly min: number;
  readonly max: number;
  readonly exclude?: readonly number[];
}

/** The allowed span lengths that fit twice into `room` tokens; an error names the spec when none does. */
export function repeatLengthChoices(spec: RepeatLengths, room: number): number[] {
  if (!Number.isInteger(spec.min) || !Number.isInteger(spec.max) || spec.min < 1 || spec.max < spec.min) {
    throw new Error(`repeat lengths: need integers 1 <= min <= max, got min ${spec.min}, max ${spec.max}`);
  }
  const exclude = new Set(spec.exclude ?? []);
  const out: number[] = [];
  for (let L = spec.min; L <= Math.min(spec.max, Math.floor(room / 2)); L++) if (!exclude.has(L)) out.push(L);
  if (out.length === 0) {
    throw new Error(`repeat lengths ${spec.min}-${spec.max}${exclude.size ? ` (excluding ${[...exclude].join(', ')})` : ''}: none fits twice in ${room} tokens`);
  }
  return out;
}

/**
 * Copies a random span of `seq[first..]` to a random later place: length L uniform over `choices`, source start
 * uniform over the places that leave room for the copy, destination uniform after the source. Drawing length
 * and place afresh for every sequence is what keeps a model from solving repeats with a positional head
 * (DESIGN.md, trap 2).
 */
export function repeatSpan(rng: Rng, seq: Int32Array, first: number, choices: readonly number[]): RepeatSpan {
  const length = choices[rng.int(choices.length)]!;
  const n = seq.length;
  const from = first + rng.int(n - first - 2 * length + 1);
  const to = from + length + rng.int(n - from - 2 * length + 1);
  seq.copyWithin(to, from, from + length);
  return { from, to, length };
}

export interface TextWindowOptions {
  /** Tokens per sequence (n_ctx + 1). */
  length: number;
  /** When set, every window starts with BOS and the rest comes from the stream (as the analyses' inputs do). */
  bosTokenId: number | null;
  /** When set, a span of each window is repeated later in it (DESIGN.md trap 3's induction-friendly data). */
  repeat?: RepeatLengths | null;
}

/** Windows at uniformly random places of a token stream (optionally with a repeated span). */
export class TextWindows implements SequenceSource {
  readonly kind: 'text' | 'text-repeat';
  readonly length: number;
  private readonly first: number;
  private readonly choices: number[] | null;

  constructor(private readonly stream: Int32Array, private readonly opts: TextWindowOptions) {
    this.length = opts.length;
    this.first = opts.bosTokenId === null ? 0 : 1;
    if (!Number.isInteger(opts.length) || opts.length < 2) throw new Error(`text windows: length must be an integer >= 2, got ${opts.length}`);
    if (stream.length < opts.length - this.first) {
      throw new Error(`text windows: the token stream has ${stream.length} tokens, fewer than one window of ${opts.length - this.first}`);
    }
    this.choices = opts.repeat ? repeatLengthChoices(opts.repeat, opts.length - this.first) : null;
    this.kind = this.choices ? 'text-repeat' : 'text';
  }

  describe(): string {
    const r = this.opts.repeat;
    return `text windows of ${this.length} tokens${this.first ? ' (BOS first)' : ''} from a stream of ${this.stream.length} tokens`
      + (r ? `, a span of ${r.min}-${r.max} tokens${r.exclude?.length ? ` (not ${r.exclude.join(', ')})` : ''} repeated later in each` : '');
  }

  sample(rng: Rng, out: Int32Array): SequenceInfo {
    const need = this.length - this.first;
    const start = rng.int(this.stream.length - need + 1);
    if (this.first) out[0] = this.opts.bosTokenId!;
    out.set(this.stream.subarray(start, start + need), this.first);
    if (!this.choices) return { kind: 'text', start };
    return { kind: 'text-repeat', start, repeat: repeatSpan(rng, out, this.first, this.choices) };
  }
}
