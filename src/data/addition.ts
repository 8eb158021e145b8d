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

/** Sequence length and answer span of "BOS a + b = c" with fixed-width operands: 3d + 4 tokens. */
export function additionLayout(digits: number): { length: number; answer: AnswerSpan } {
  if (!Number.isInteger(digits) || digits < 1 || digits > 15) throw new Error(`addition: digits must be an integer in 1..15, got ${digits}`);
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
