import { findStages, type SeriesPoint, type StageBoundary, type StageOptions } from './stages.js';

/** Where the induction score rises, the LLC on either side of it, and whether an LLC stage boundary falls inside. */
export interface InductionStageReport {
  /** The steps over which the induction score goes from 10% to 90% of its rise (from its minimum before its peak to the peak). */
  rise: { start: number; end: number; from: number; to: number };
  /** The LLC at the last checkpoint at or before the rise starts, and at the first at or after it ends. */
  llcBefore: { step: number; llc: number } | null;
  llcAfter: { step: number; llc: number } | null;
  boundaries: StageBoundary[];
  /** The stage boundaries within the rise, widened to the neighbouring LLC checkpoints on each side. */
  boundariesInRise: StageBoundary[];
  boundaryInRise: boolean;
}

/**
 * Compares an LLC curve over training with the induction score over training (Hoogland et al. 2024 find a stage
 * boundary where induction heads form). Pure: both series are {step, value} points, in any order.
 */
export function inductionStageReport(llcSeries: readonly SeriesPoint[], inductionScoreSeries: readonly SeriesPoint[], o: StageOptions = {}): InductionStageReport {
  const score = [...inductionScoreSeries].filter((p) => Number.isFinite(p.value)).sort((a, b) => a.step - b.step);
  if (score.length < 2) throw new Error(`inductionStageReport: need at least 2 induction scores, got ${score.length}`);
  const llc = [...llcSeries].filter((p) => Number.isFinite(p.value)).sort((a, b) => a.step - b.step);
  let peak = 0;
  score.forEach((p, i) => { if (p.value > score[peak]!.value) peak = i; });
  let low = 0;
  for (let i = 0; i <= peak; i++) if (score[i]!.value < score[low]!.value) low = i;
  const from = score[low]!.value;
  const to = score[peak]!.value;
  const crossing = (frac: number): number => {
    const level = from + frac * (to - from);
    for (let i = low; i <= peak; i++) if (score[i]!.value >= level) return score[i]!.step;
    return score[peak]!.step;
  };
  // The first score at or above 10% of the rise: the rise began after the score before it.
  const firstAbove = crossing(0.1);
  const idx = score.findIndex((p) => p.step === firstAbove);
  const start = idx > low ? score[idx - 1]!.step : firstAbove;
  const end = crossing(0.9);
  const before = [...llc].reverse().find((p) => p.step <= start);
  const after = llc.find((p) => p.step >= end);
  const { boundaries } = llc.length >= 3 ? findStages(llc, o) : { boundaries: [] as StageBoundary[] };
  const lo = before?.step ?? start;
  const hi = after?.step ?? end;
  const boundariesInRise = boundaries.filter((b) => b.step >= lo && b.step <= hi);
  return {
    rise: { start, end, from, to },
    llcBefore: before ? { step: before.step, llc: before.value } : null,
    llcAfter: after ? { step: after.step, llc: after.value } : null,
    boundaries, boundariesInRise, boundaryInRise: boundariesInRise.length > 0,
  };
}

/** The induction score over training from metrics.jsonl records: at each step that has head scores, the largest head's. */
export function inductionScoreSeries(records: readonly { step: number; induction_scores?: readonly (readonly number[])[] }[]): SeriesPoint[] {
  return records.filter((r) => r.induction_scores && r.induction_scores.length > 0)
    .map((r) => ({ step: r.step, value: Math.max(...r.induction_scores!.flat()) }));
}
