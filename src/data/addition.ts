import { Rng } from '../engine/random.js';
import type { Tensor } from '../engine/tensor.js';
import { exactMatchAccuracy, type AnswerSpan, type TokenRows } from './metrics.js';
import type { SequenceInfo, SequenceSource } from './sources.js';

/**
 * The task's own vocabulary, one token per character so that a token is a digit and never a BPE chunk: ids 0-9
 * are the digits, 10 is '+', 11 is '=', 12 is BOS.
 */
export const ADDITION_TOKENS: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '=', '<|BOS|>'];
export const ADDITION_BOS = 12;
export const ADDITION_VOCAB_SIZE = ADDITION_TOKENS.length;

export interface AdditionOptions {
  /** Digits of each operand; operands are zero-padded to this width and the sum to one more. */
  digits: number;
  /** Write the sum's digits least significant first (carries then flow left to right, which is easier to learn). */
  reverseAnswer?: boolean;
}

/**
 * Sequence length and answer span of "BOS a + b = c" with fixed-width operands: 3d + 4 tokens. At most 9 digits:
 * operands are drawn with Rng.int, whose 32 random bits reach every number below 10^9 but not below 10^10.
 */
export function additionLayout(digits: number): { length: number; answer: AnswerSpan } {
  if (!Number.isInteger(digits) || digits < 1 || digits > 9) throw new Error(`addition: digits must be an integer in 1..9, got ${digits}`);
  return { length: 3 * digits + 4, answer: { start: 2 * digits + 3, end: 3 * digits + 4 } };
}

/** The text of one problem, e.g. digits 3: `012+345=0357` (or `7530` reversed). */
export function additionText(a: number, b: number, opts: AdditionOptions): string {
  const d = opts.digits;
  additionLayout(d);
  const max = 10 ** d;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || a >= max || b >= max) {
    throw new Error(`addition: operands must be integers in [0, ${max}), got ${a} and ${b}`);
  }
  let c = String(a + b).padStart(d + 1, '0');
  if (opts.reverseAnswer) c = [...c].reverse().join('');
  return `${String(a).padStart(d, '0')}+${String(b).padStart(d, '0')}=${c}`;
}

const CHAR_ID = new Map(ADDITION_TOKENS.slice(0, ADDITION_BOS).map((c, i) => [c, i]));

/** Token ids of one problem: BOS, then one id per character of `additionText`. */
export function additionTokens(a: number, b: number, opts: AdditionOptions): number[] {
  return [ADDITION_BOS, ...Array.from(additionText(a, b, opts), (c) => CHAR_ID.get(c)!)];
}

/** The text of addition-task ids (BOS shown as `<|BOS|>`), for views and error messages. */
export function additionDecode(ids: readonly number[]): string {
  return ids.map((id) => {
    const s = ADDITION_TOKENS[id];
    if (s === undefined) throw new Error(`addition: token id ${id} is outside the task's vocabulary (0..${ADDITION_VOCAB_SIZE - 1})`);
    return s;
  }).join('');
}

/** Addition problems with operands uniform in [0, 10^d). */
export class AdditionProblems implements SequenceSource {
  readonly kind = 'addition';
  readonly length: number;

  constructor(private readonly opts: AdditionOptions) {
    this.length = additionLayout(opts.digits).length;
  }

  describe(): string {
    return `${this.opts.digits}-digit addition "a+b=c"${this.opts.reverseAnswer ? ' (sum reversed)' : ''}, ${this.length} tokens with BOS`;
  }

  sample(rng: Rng, out: Int32Array): SequenceInfo {
    const max = 10 ** this.opts.digits;
    const a = rng.int(max);
    const b = rng.int(max);
    out.set(additionTokens(a, b, this.opts));
    return { kind: 'addition', a, b };
  }
}

/** A fixed evaluation set of `count` problems drawn with `seed`. */
export function additionEvalSet(opts: AdditionOptions & { count: number; seed: number }): number[][] {
  const rng = new Rng(opts.seed);
  const src = new AdditionProblems(opts);
  const out = new Int32Array(src.length);
  return Array.from({ length: opts.count }, () => {
    src.sample(rng, out);
    return Array.from(out);
  });
}

/**
 * Exact-match accuracy on addition: the share of problems whose every answer digit is the argmax prediction
 * (`predicted[b][p]` predicts token p + 1; pass argmax ids or the logits).
 */
export function additionAccuracy(predicted: TokenRows | Tensor<'float32'>, tokens: TokenRows | Tensor<'int64'>, digits: number): number {
  return exactMatchAccuracy(predicted, tokens, additionLayout(digits).answer);
}

/** A column's place value i (0: units) maps to these token positions in "BOS a + b = c" (sum most significant first). */
export interface AdditionPositions {
  digits: number;
  /** Token position of operand a's digit D_i, by place i = 0..digits-1. */
  a: number[];
  /** Token position of operand b's digit D'_i, by place i. */
  b: number[];
  /** Token position of answer digit A_i, by place i = 0..digits (not reversed). */
  answer: number[];
  /** The position whose prediction is answer digit A_i (the one before it), by place i. */
  predictor: number[];
}

/** Where each digit sits in the (not reversed) layout `BOS a + b = c`. */
export function additionPositions(digits: number): AdditionPositions {
  const { answer } = additionLayout(digits);
  const d = digits;
  const a = Array.from({ length: d }, (_, i) => d - i);
  const b = Array.from({ length: d }, (_, i) => 2 * d + 1 - i);
  const ans = Array.from({ length: d + 1 }, (_, i) => answer.start + d - i);
  return { digits, a, b, answer: ans, predictor: ans.map((p) => p - 1) };
}

/**
 * How a sum's carries go (Quirke and Barez 2023): `none` when no column's digits sum to 10 or more; `simple` when
 * some do, but no carry passes through a column whose digits sum to exactly 9; `cascade` when one does (a carry
 * into a column summing to 9 makes a carry out of it: "use sum 9"). `depth` is the longest run of sum-9 columns
 * a carry passes through (0 unless `cascade`).
 */
export type CarryCase = 'none' | 'simple' | 'cascade';

export function carryCase(a: number, b: number, digits: number): { kind: CarryCase; depth: number } {
  let carry = 0;
  let any = false;
  let run = 0;
  let depth = 0;
  for (let i = 0; i < digits; i++) {
    const s = (Math.floor(a / 10 ** i) % 10) + (Math.floor(b / 10 ** i) % 10);
    if (s >= 10) any = true;
    if (s === 9 && carry === 1) {
      run++;
      depth = Math.max(depth, run);
    } else run = 0;
    carry = s + carry >= 10 ? 1 : 0;
  }
  return { kind: depth > 0 ? 'cascade' : any ? 'simple' : 'none', depth };
}

/** The operands of a problem's token ids (layout `BOS a + b = c`). */
export function additionOperands(tokens: readonly number[], digits: number): { a: number; b: number } {
  const p = additionPositions(digits);
  let a = 0;
  let b = 0;
  for (let i = 0; i < digits; i++) {
    a += tokens[p.a[i]!]! * 10 ** i;
    b += tokens[p.b[i]!]! * 10 ** i;
  }
  return { a, b };
}

/** The share of all pairs (a, b) an addition run holds out of training: 1 in `ADDITION_HELD_OUT_EVERY`. */
export const ADDITION_HELD_OUT_EVERY = 32;

/**
 * Whether the pair (a, b) is in the held-out part of the problem space: a fixed hash of the pair picks 1 in
 * ADDITION_HELD_OUT_EVERY pairs, so training never samples them and every evaluation set draws from them.
 */
export function isHeldOut(a: number, b: number): boolean {
  let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) % ADDITION_HELD_OUT_EVERY === 0;
}

/**
 * `count` distinct held-out problems (`isHeldOut`), drawn with `seed`; `accept` keeps only some (a stratified set:
 * e.g. only sums with a cascading carry). Throws after `maxTries` draws without enough.
 */
export function heldOutProblems(digits: number, count: number, seed: number, accept: (a: number, b: number) => boolean = () => true, maxTries = 5_000_000): { a: number; b: number }[] {
  additionLayout(digits);
  const max = 10 ** digits;
  if (!Number.isInteger(count) || count < 1) throw new Error(`addition: held-out count must be a positive integer, got ${count}`);
  const rng = new Rng(seed);
  const seen = new Set<number>();
  const out: { a: number; b: number }[] = [];
  for (let tries = 0; out.length < count; tries++) {
    if (tries >= maxTries) throw new Error(`addition: found only ${out.length} of ${count} held-out ${digits}-digit problems of the kind asked for in ${maxTries} draws`);
    const a = rng.int(max);
    const b = rng.int(max);
    if (!isHeldOut(a, b) || seen.has(a * max + b) || !accept(a, b)) continue;
    seen.add(a * max + b);
    out.push({ a, b });
  }
  return out;
}

/**
 * Up to `count` distinct held-out problems (`isHeldOut`) in which a carry cascades through at least `depth` pairs
 * summing to 9 ("use sum 9" `depth` times over), built digit by digit: a pair summing to 10 or more, `depth` pairs
 * summing to 9 above it, the other digits uniform. Such sums are rare (for 3 digits and depth 2 about 4,500 of the
 * 10^6, 1 in 32 of them held out), so fewer than `count` may exist: the set is every one found in `tries` draws.
 */
export function cascadeProblems(digits: number, depth: number, count: number, seed: number, tries = 200_000): { a: number; b: number }[] {
  additionLayout(digits);
  if (!Number.isInteger(depth) || depth < 1 || depth + 1 > digits) throw new Error(`addition: a cascade of depth ${depth} needs more than ${digits} digits`);
  const rng = new Rng(seed);
  const seen = new Set<number>();
  const out: { a: number; b: number }[] = [];
  const pairSumming = (lo: number, hi: number): [number, number] => {
    for (;;) {
      const x = rng.int(10);
      const y = rng.int(10);
      if (x + y >= lo && x + y <= hi) return [x, y];
    }
  };
  for (let t = 0; t < tries && out.length < count; t++) {
    const made = rng.int(digits - depth); // the column that makes the carry
    let a = 0;
    let b = 0;
    for (let i = 0; i < digits; i++) {
      const [x, y] = i === made ? pairSumming(10, 18) : i > made && i <= made + depth ? pairSumming(9, 9) : [rng.int(10), rng.int(10)];
      a += x * 10 ** i;
      b += y * 10 ** i;
    }
    const key = a * 10 ** digits + b;
    if (!isHeldOut(a, b) || seen.has(key)) continue;
    seen.add(key);
    out.push({ a, b });
  }
  return out;
}
