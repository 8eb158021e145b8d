import type { Claim } from '../claims.js';
import { topShare } from './frequencies.js';

// The claims of Nanda et al. 2023 ("Progress measures for grokking via mechanistic interpretability") that
// `reproduce --suite grokking` checks, as pure functions of the progress measures over training.

/** What the claims read: the progress measures at each checkpoint (analyzeOverTraining's 'grokking' series). */
export interface GrokkingSeries {
  steps: readonly number[];
  series: Readonly<Record<string, readonly number[]>>;
  keyFrequencies?: readonly number[];
  frequencyShares?: { embedding: readonly number[] };
}

/** Thresholds the claims use. */
export const GROKKING_CLAIM_LEVELS = {
  /** Accuracy that counts as "reached" (memorised for train, grokked for test). */
  accuracy: 0.99,
  /** How many times later than memorisation grokking must come to be "long" after it. */
  delay: 2,
  /** Loss level that counts as "fallen" for the restricted and test losses (nats). */
  fallen: 0.5,
  /** At most this many frequencies ... */
  maxFrequencies: 8,
  /** ... carry at least this share of the embedding's norm. */
  embeddingShare: 0.5,
} as const;

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));

/** The first step at which `pred` holds for the series, or null. */
export function firstStep(steps: readonly number[], values: readonly number[] | undefined, pred: (v: number) => boolean): number | null {
  if (!values) return null;
  for (let i = 0; i < steps.length; i++) if (pred(values[i]!)) return steps[i]!;
  return null;
}

/** The claims, each with the number measured behind it. */
export function checkGrokkingClaims(g: GrokkingSeries): Claim[] {
  const L = GROKKING_CLAIM_LEVELS;
  const { steps, series: s } = g;
  const at = (name: string, step: number | null) => (step === null ? NaN : s[name]?.[steps.indexOf(step)] ?? NaN);
  const claims: Claim[] = [];
  const memorised = firstStep(steps, s['train_accuracy'], (v) => v >= L.accuracy);
  const grokked = firstStep(steps, s['test_accuracy'], (v) => v >= L.accuracy);
  claims.push({
    claim: `train accuracy reaches ${L.accuracy * 100}% long before test accuracy does (at least ${L.delay}x as many steps)`,
    measured: memorised === null ? 'train accuracy never reached it'
      : grokked === null ? `train at step ${memorised}; test accuracy never reached it (last ${f(s['test_accuracy']?.at(-1) ?? NaN)})`
        : `train at step ${memorised}, test at step ${grokked}: a gap of ${grokked - memorised} steps (${f(grokked / Math.max(1, memorised))}x)`,
    holds: memorised !== null && grokked !== null && grokked >= L.delay * Math.max(1, memorised) && grokked > memorised,
  });
  const emb = g.frequencyShares?.embedding ?? [];
  const share = topShare([...emb], L.maxFrequencies);
  const nKey = g.keyFrequencies?.length ?? 0;
  claims.push({
    claim: `a handful of key frequencies carry most of the embedding's norm (the top ${L.maxFrequencies} of ${emb.length} carry >= ${L.embeddingShare})`,
    measured: emb.length === 0 ? 'no frequency shares' : `top ${L.maxFrequencies} carry ${f(share)} of the final embedding's norm; key frequencies ${JSON.stringify(g.keyFrequencies ?? [])} (${nKey})`,
    holds: emb.length > 0 && share >= L.embeddingShare && nKey > 0 && nKey <= L.maxFrequencies,
  });
  const restrictedFalls = firstStep(steps, s['restricted_loss'], (v) => v <= L.fallen);
  const testFalls = firstStep(steps, s['test_loss'], (v) => v <= L.fallen);
  claims.push({
    claim: `restricted loss falls (below ${L.fallen} nats) before test loss does`,
    measured: `restricted loss at step ${restrictedFalls ?? 'never'}, test loss at step ${testFalls ?? 'never'}`,
    holds: restrictedFalls !== null && (testFalls === null || restrictedFalls < testFalls),
  });
  // Circuit formation: between memorisation and the fall of the test loss, excluded loss rises while test loss is high.
  let peak = { step: -1, value: -Infinity, test: NaN };
  const from = memorised ?? Infinity;
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i]!;
    const test = s['test_loss']?.[i] ?? NaN;
    const ex = s['excluded_loss']?.[i] ?? NaN;
    if (st > from && test > L.fallen * 2 && ex > peak.value) peak = { step: st, value: ex, test };
  }
  const exMem = at('excluded_loss', memorised);
  claims.push({
    claim: 'excluded loss rises after memorisation while test loss is still high',
    measured: peak.step < 0 ? 'no checkpoint after memorisation with test loss still high'
      : `excluded loss ${f(exMem)} at memorisation (step ${memorised}), ${f(peak.value)} at step ${peak.step} where test loss is ${f(peak.test)}`,
    holds: peak.step >= 0 && peak.value > exMem,
  });
  const wMem = at('sum_squared_weights', memorised);
  const wGrok = at('sum_squared_weights', grokked);
  claims.push({
    claim: 'the total sum of squared weights falls from memorisation through cleanup (to the step test accuracy is reached)',
    measured: `sum of squared weights ${f(wMem)} at step ${memorised ?? '-'}, ${f(wGrok)} at step ${grokked ?? '-'} (${f(wGrok / wMem)}x)`,
    holds: Number.isFinite(wMem) && Number.isFinite(wGrok) && wGrok < wMem,
  });
  return claims;
}
