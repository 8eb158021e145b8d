import type { HookedTransformer } from '../model/hookedTransformer.js';
import type { Tensor } from '../engine/tensor.js';
import { PROBE_LENGTHS, repeatedTokensEvalSet } from '../data/repeatedTokens.js';

/** Per-head scores, `[layer][head]`. */
export type HeadScores = number[][];

export interface DetectorResult {
  /** Mean attention from each position of the second copy to the token after the earlier occurrence (i -> i - N + 1). */
  induction: HeadScores;
  /** Mean attention to the previous position (i -> i - 1), over every position but the first. */
  previousToken: HeadScores;
  /** Mean attention from the second copy to the earlier occurrence of the same token (i -> i - N). */
  duplicateToken: HeadScores;
  /** Mean attention to the current position (i -> i). */
  currentToken: HeadScores;
  /** Mean next-token loss at each position of the probe (`2N` values): it drops on the second copy when induction works. */
  lossByPosition: number[];
  /** Mean loss on the first copy minus mean loss on the second: large and positive when the model does induction. */
  inductionLossGap: number;
  /** The probe: repeat length N, batch, whether a BOS came first. */
  probe: { length: number; batch: number; bos: boolean };
}

/**
 * Head detectors on repeated random tokens (this library's definition: the mean over the rows that have a target,
 * so a head that always attends to its target scores 1; TransformerLens's `detect_head`, in headDetector.ts,
 * divides by every row instead): induction: induction, previous-token, duplicate-token and current-token
 * scores per head, and the per-position loss of the probe.
 */
export async function detectHeads(model: HookedTransformer, opts: { length?: number; batch?: number; seed?: number; tokens?: readonly (readonly number[])[] } = {}): Promise<DetectorResult> {
  const cfg = model.cfg;
  const given = opts.tokens;
  // The caller's own probe: rows of [BOS?] + N tokens + the same N again.
  const bos = given ? (given[0]?.[0] === cfg.bos_token_id && given[0]!.length % 2 === 1 ? cfg.bos_token_id : null) : cfg.bos_token_id;
  const N = given ? Math.floor((given[0]?.length ?? 0) / 2) : Math.min(opts.length ?? PROBE_LENGTHS.detectors, Math.floor((cfg.n_ctx - (bos === null ? 0 : 1)) / 2));
  if (N < 2) throw new Error(`detectHeads: ${given ? 'the given tokens are' : `n_ctx ${cfg.n_ctx} is`} too short for a repeated-token probe`);
  const batch = given ? given.length : opts.batch ?? 8;
  const tokens = given ? given.map((r) => [...r]) : repeatedTokensEvalSet({ batch, length: N, dVocab: cfg.d_vocab, bosTokenId: bos, seed: opts.seed ?? 0 }).tokens;
  const names = Array.from({ length: cfg.n_layers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const { cache } = await model.runWithCache(tokens, { names });
  const perToken = await model.loss(tokens, { perToken: true });
  const off = bos === null ? 0 : 1;
  const scores = (fn: (dest: number) => number | null, from: number, to: number) =>
    names.map((n) => patternScores(cache.get(n), fn, from, to));
  const T = 2 * N + off;
  const lossByPosition = meanOverBatch(perToken);
  // Position p of perToken predicts token p + 1: the first copy's predictions are p in [off, off + N - 1), the
  // second copy's are p in [off + N, T - 1).
  const mean = (a: number, b: number) => lossByPosition.slice(a, b).reduce((s, v) => s + v, 0) / Math.max(1, b - a);
  return {
    induction: scores((d) => d - N + 1, off + N, T),
    previousToken: scores((d) => d - 1, 1, T),
    duplicateToken: scores((d) => d - N, off + N, T),
    currentToken: scores((d) => d, 0, T),
    lossByPosition,
    inductionLossGap: mean(off, off + N - 1) - mean(off + N, T - 1),
    probe: { length: N, batch, bos: bos !== null },
  };
}

/** Mean over batch and destinations `[from, to)` of pattern[b, h, dest, src(dest)], per head. */
export function patternScores(pattern: Tensor<'float32'>, src: (dest: number) => number | null, from: number, to: number): number[] {
  const [B, H, T] = pattern.shape as [number, number, number, number];
  const out: number[] = [];
  for (let h = 0; h < H; h++) {
    let s = 0;
    let n = 0;
    for (let b = 0; b < B; b++) for (let d = from; d < to; d++) {
      const j = src(d);
      if (j === null || j < 0 || j > d) continue;
      s += pattern.data[((b * H + h) * T + d) * T + j]!;
      n++;
    }
    out.push(n > 0 ? s / n : 0);
  }
  return out;
}

function meanOverBatch(t: Tensor<'float32'>): number[] {
  const [B, P] = t.shape as [number, number];
  const out = new Array<number>(P).fill(0);
  for (let b = 0; b < B; b++) for (let p = 0; p < P; p++) out[p]! += t.data[b * P + p]! / B;
  return out;
}

/**
 * In-context-learning score: mean loss late in the context minus mean loss early in it (Anthropic's definition is
 * the 500th token minus the 50th, scaled here to the context: about 10% and 100% of it). Each end averages a small
 * window of positions (1/16 of the context) over the batch, so a handful of sequences gives a stable number.
 * Negative when later tokens are predicted better.
 */
export function inContextLearningScore(perTokenLoss: Tensor<'float32'>, early?: number, late?: number): number {
  const P = perTokenLoss.shape[1]!;
  const e = early ?? Math.max(1, Math.floor(P / 10));
  const l = late ?? P - 1;
  const half = Math.max(0, Math.floor(P / 32));
  const byPos = meanOverBatch(perTokenLoss);
  const around = (c: number) => {
    const lo = Math.max(0, c - half);
    const hi = Math.min(P - 1, c + half);
    let s = 0;
    for (let p = lo; p <= hi; p++) s += byPos[p]!;
    return s / (hi - lo + 1);
  };
  return around(l) - around(e);
}

/** TransformerLens's built-in detection patterns (`head_detector.py`). */
export type DetectionPatternName = 'previous_token_head' | 'duplicate_token_head' | 'induction_head';

/** A detection pattern `[dest][src]` for one row of tokens. */
export type DetectionPattern = (tokens: readonly number[]) => number[][];

/** TransformerLens's detection pattern for one sequence: 1 where the head should attend (lower triangular). */
export function detectionPattern(name: DetectionPatternName, tokens: readonly number[]): number[][] {
  const T = tokens.length;
  const out = Array.from({ length: T }, () => new Array<number>(T).fill(0));
  for (let i = 0; i < T; i++) for (let j = 0; j <= i; j++) {
    if (name === 'previous_token_head') out[i]![j] = j === i - 1 ? 1 : 0;
    else if (name === 'duplicate_token_head') out[i]![j] = j < i && tokens[i] === tokens[j] ? 1 : 0;
    // induction: the duplicate pattern shifted one to the right (the token after an earlier copy), column 0
    // zeroed, lower triangular (so j = i counts when token i - 1 repeats token i)
    else out[i]![j] = j >= 1 && tokens[i] === tokens[j - 1] ? 1 : 0;
  }
  return out;
}

/**
 * TransformerLens's `detect_head` on the caller's token rows: per row (as TransformerLens runs each prompt), each
 * head's pattern against the detection pattern, then the mean over rows. `mul` (default): the attention on the
 * pattern divided by the total attention of every row (all rows count, with or without a target; after
 * `excludeBos` zeroes column 0 and `excludeCurrentToken` the diagonal); `abs`: 1 - mean |pattern - detection| x
 * size, rounded to 3 places. On a sequence repeated once this `mul` score is about half of `detectHeads`'
 * induction score, which averages only the rows of the second copy.
 */
export async function detectHead(
  model: HookedTransformer, tokens: readonly (readonly number[])[], pattern: DetectionPatternName | DetectionPattern,
  opts: { excludeBos?: boolean; excludeCurrentToken?: boolean; errorMeasure?: 'mul' | 'abs' } = {},
): Promise<HeadScores> {
  const { n_layers: L, n_heads: H } = model.cfg;
  const names = Array.from({ length: L }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const sums = Array.from({ length: L }, () => new Array<number>(H).fill(0));
  for (const row of tokens) {
    const { cache } = await model.runWithCache([[...row]], { names });
    const det = typeof pattern === 'string' ? detectionPattern(pattern, row) : pattern(row);
    const T = row.length;
    if (det.length !== T || det.some((r) => r.length !== T)) throw new Error(`detectHead: the detection pattern must be ${T} x ${T}`);
    names.forEach((n, l) => {
      const p = cache.get(n).data;
      for (let h = 0; h < H; h++) sums[l]![h]! += headSimilarity(p.subarray(h * T * T, (h + 1) * T * T), det, T, opts);
    });
  }
  return sums.map((r) => r.map((v) => v / tokens.length));
}

function headSimilarity(p: Float32Array, det: number[][], T: number, opts: { excludeBos?: boolean; excludeCurrentToken?: boolean; errorMeasure?: 'mul' | 'abs' }): number {
  const skip = (i: number, j: number) => (opts.excludeBos === true && j === 0) || (opts.excludeCurrentToken === true && i === j);
  if ((opts.errorMeasure ?? 'mul') === 'mul') {
    let hit = 0;
    let all = 0;
    for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) {
      if (skip(i, j)) continue;
      all += p[i * T + j]!;
      hit += p[i * T + j]! * det[i]![j]!;
    }
    return all === 0 ? 0 : hit / all;
  }
  let s = 0;
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) if (!skip(i, j)) s += Math.abs(p[i * T + j]! - det[i]![j]!);
  return 1 - Math.round((s / (T * T)) * T * 1000) / 1000;
}
