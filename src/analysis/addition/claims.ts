import type { Claim } from '../claims.js';
import type { AdditionAnalysis } from './analyze.js';
import type { DigitTally } from './carries.js';

// The claims of Quirke and Barez 2023 ("Understanding Addition in Transformers") about a one-layer model of n-digit
// addition that `reproduce --suite addition` checks, as pure functions of the addition analyses.

/** Thresholds the claims use. */
export const ADDITION_CLAIM_LEVELS = {
  /** Exact-match accuracy on held-out sums that counts as "learned". */
  accuracy: 0.99,
  /** A head "reads" a pair when at least this share of its attention from the answer digit is on it. */
  reads: 0.5,
  /** After the carry ablation: digits with no carry-in stay at least this accurate ... */
  keeps: 0.95,
  /** ... and digits with a carry-in are at most this accurate. */
  breaks: 0.1,
  /** Digit-specific streams: at least this share of a head's attention on operands lies in its digit's window. */
  stream: 0.95,
  /** Heads with less than this share of their attention on operands at a digit are left out of the stream claim. */
  operands: 0.5,
  /** Cascading carries' error rate is at least this many times the other digits'. */
  cascadeErrors: 5,
} as const;

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
const sum = (ts: DigitTally[]): DigitTally => {
  const count = ts.reduce((s, t) => s + t.count, 0);
  const correct = ts.reduce((s, t) => s + t.correct, 0);
  return { count, correct, accuracy: count ? correct / count : NaN };
};
const tally = (t: DigitTally) => `${f(t.accuracy)} (${t.correct}/${t.count})`;

/** The claims, each with the number measured behind it. */
export function checkAdditionClaims(x: AdditionAnalysis): Claim[] {
  const L = ADDITION_CLAIM_LEVELS;
  const n = x.digits;
  const claims: Claim[] = [];
  const acc = x.accuracy;
  claims.push({
    claim: `a ${x.model.n_layers}-layer model learns ${n}-digit addition (exact match >= ${L.accuracy} on held-out sums)`,
    measured: `${f(acc.accuracy)} exact match on ${acc.count} held-out sums (no carry ${f(acc.byCase.none.accuracy)}, simple carry ${f(acc.byCase.simple.accuracy)}, cascading carry ${f(acc.byCase.cascade.accuracy)})`,
    holds: acc.accuracy >= L.accuracy,
  });
  // The strongest head's share on pair j from A_i's predictor.
  const strongest = (i: number, j: number) => x.reads.digits[i]?.strongest[j] ?? 0;
  const best = (i: number, j: number) => {
    let h = 0;
    for (let k = 1; k < x.attention.pair.length; k++) if ((x.attention.pair[k]![i]![j] ?? 0) > (x.attention.pair[h]![i]![j] ?? 0)) h = k;
    return `A${i}: H${h} ${f(strongest(i, j))}`;
  };
  const own = Array.from({ length: n }, (_, i) => i);
  claims.push({
    claim: `each answer digit A_i reads its own pair D_i, D'_i (base add): some head puts >= ${L.reads} of its attention on it, for every i < ${n}`,
    measured: own.map((i) => best(i, i)).join(', '),
    holds: own.every((i) => strongest(i, i) >= L.reads),
  });
  const below = Array.from({ length: n }, (_, i) => i + 1);
  claims.push({
    claim: `and the pair below, D_{i-1}, D'_{i-1} (make carry): some head puts >= ${L.reads} of its attention on it, for every i >= 1`,
    measured: below.map((i) => best(i, i - 1)).join(', '),
    holds: below.every((i) => strongest(i, i - 1) >= L.reads),
  });
  // Digit-specific streams: whatever a head reads of the operands from A_i's predictor lies in pairs i, i-1, i-2.
  const window = streamWindows(x);
  const worst = window.reduce((w, v) => (v.share < w.share ? v : w), { digit: -1, head: -1, share: Infinity, operands: 0 });
  claims.push({
    claim: `the sum splits into digit-specific streams: of every head's attention on the operands from answer digit A_i, >= ${L.stream} lies on pairs i, i-1 and i-2`,
    measured: worst.digit < 0 ? 'no head attends to the operands'
      : `lowest share ${f(worst.share)} (A${worst.digit}, H${worst.head}, which puts ${f(worst.operands)} of its attention on operands); per head, the pair offsets i - j read: ${x.reads.offsets.map((o) => `H${o.head} ${JSON.stringify(o.offsets)}`).join(', ')}`,
    holds: worst.digit >= 0 && worst.share >= L.stream,
  });
  const ab = x.carryAblation;
  const carriedClean = sum([ab.clean.make, ab.clean.cascade]);
  const carried = sum([ab.ablated.make, ab.ablated.cascade]);
  claims.push({
    claim: `carries are made from the pair below: replacing each answer digit's attention to it by its mean where that pair makes no carry leaves digits without a carry-in right (>= ${L.keeps}) and makes digits with one wrong (<= ${L.breaks})`,
    measured: `no carry-in ${f(ab.clean.none.accuracy)} -> ${tally(ab.ablated.none)}; carry-in ${f(carriedClean.accuracy)} -> ${tally(carried)} (made below ${f(ab.ablated.make.accuracy)}, cascading ${f(ab.ablated.cascade.accuracy)})`,
    holds: ab.ablated.none.accuracy >= L.keeps && carried.accuracy <= L.breaks,
  });
  const c = x.carries;
  const rest = sum([c.none, c.make]);
  const errRest = 1 - rest.accuracy;
  const errCascade = 1 - c.cascade.accuracy;
  const deep = x.deepCascades ? sum(Object.entries(x.deepCascades.byDepth).filter(([d]) => Number(d) >= 2).map(([, t]) => t)) : null;
  claims.push({
    claim: `cascading carries ("use sum 9": a carry passing through a pair summing to 9) are its failure mode: their error rate is >= ${L.cascadeErrors}x that of the other answer digits`,
    measured: `per-digit accuracy: cascading ${tally(c.cascade)}, other digits ${tally(rest)}; error rate ${f(errCascade)} vs ${f(errRest)} (${errRest > 0 ? `${f(errCascade / errRest)}x` : 'the others make no error'})`
      + (deep && deep.count ? `; through two or more sum-9 pairs ${tally(deep)}` : ''),
    holds: c.cascade.count > 0 && errCascade > 0 && errCascade >= L.cascadeErrors * errRest,
  });
  return claims;
}

/**
 * For every answer digit A_i and head that puts at least ADDITION_CLAIM_LEVELS.operands of its attention on the
 * operands there: the share of that operand attention on pairs i, i-1 and i-2 (its own, the carry's, the cascade's).
 */
export function streamWindows(x: Pick<AdditionAnalysis, 'attention'>): { digit: number; head: number; share: number; operands: number }[] {
  const out: { digit: number; head: number; share: number; operands: number }[] = [];
  x.attention.pair.forEach((byDigit, head) => byDigit.forEach((row, digit) => {
    const operands = row.reduce((s, v) => s + v, 0);
    if (operands < ADDITION_CLAIM_LEVELS.operands) return;
    const inWindow = row.reduce((s, v, j) => s + (j <= digit && j >= digit - 2 ? v : 0), 0);
    out.push({ digit, head, share: inWindow / operands, operands });
  }));
  return out;
}
