import { findStages, type SeriesPoint, type StageBoundary, type StageOptions } from './stages.js';

/** The steps over which the induction score goes from 10% to 90% of its rise, and the scores it rises between. */
export interface InductionRise {
  start: number;
  end: number;
  from: number;
  to: number;
}

/** Where the induction score rises, the LLC on either side of it, and whether an LLC stage boundary falls inside. */
export interface InductionStageReport {
  /** The steps over which the induction score goes from 10% to 90% of its rise (from its minimum before its peak to the peak). */
  rise: InductionRise;
  /** The LLC at the last checkpoint at or before the rise starts, and at the first at or after it ends. */
  llcBefore: { step: number; llc: number } | null;
  llcAfter: { step: number; llc: number } | null;
  boundaries: StageBoundary[];
  /**
   * The stage boundaries within the rise, widened to the neighbouring LLC checkpoints on each side: those whose turn
   * or flat stretch around it (StageBoundary.flat) overlaps it.
   */
  boundariesInRise: StageBoundary[];
  boundaryInRise: boolean;
}

/**
 * The rise of an induction score series (any order): from its minimum before its peak to the peak, the step
 * before the first score at or above 10% of the rise (the rise began after it) to the first at or above 90%.
 */
export function inductionRise(inductionScoreSeries: readonly SeriesPoint[]): InductionRise {
  const score = [...inductionScoreSeries].filter((p) => Number.isFinite(p.value)).sort((a, b) => a.step - b.step);
  if (score.length < 2) throw new Error(`inductionStageReport: need at least 2 induction scores, got ${score.length}`);
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
  const firstAbove = crossing(0.1);
  const idx = score.findIndex((p) => p.step === firstAbove);
  const start = idx > low ? score[idx - 1]!.step : firstAbove;
  return { start, end: crossing(0.9), from, to };
}

/**
 * Compares an LLC curve over training with the induction score over training (Hoogland et al. 2024 find a stage
 * boundary where induction heads form). Pure: both series are {step, value} points, in any order.
 */
export function inductionStageReport(llcSeries: readonly SeriesPoint[], inductionScoreSeries: readonly SeriesPoint[], o: StageOptions = {}): InductionStageReport {
  const rise = inductionRise(inductionScoreSeries);
  const llc = [...llcSeries].filter((p) => Number.isFinite(p.value)).sort((a, b) => a.step - b.step);
  const before = [...llc].reverse().find((p) => p.step <= rise.start);
  const after = llc.find((p) => p.step >= rise.end);
  const { boundaries } = llc.length >= 3 ? findStages(llc, o) : { boundaries: [] as StageBoundary[] };
  const lo = before?.step ?? rise.start;
  const hi = after?.step ?? rise.end;
  const boundariesInRise = boundaries.filter((b) => b.flat.to >= lo && b.flat.from <= hi);
  return {
    rise,
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

/**
 * The stretch of a run the LLC is compared with the induction score over, and the data it is estimated on: a run
 * with a curriculum (the induction task alone for its first `curriculumSteps` steps) whose induction score starts
 * rising within it is read over the curriculum, on the curriculum's data (the loss the model was trained on at
 * those steps), and on past its end to the end of the rise when the curriculum ended first (a curriculum that ends
 * when its loss shows the head ends within the rise: the checkpoints after it are measured on the task whose loss
 * the head lowered) to as many steps past the rise's end as the rise took, so that an LLC peak or trough late in the
 * rise has checkpoints after it (the smoothed curve cannot turn at its last point); otherwise over the steps after
 * it, on the training mix. (The start decides, not the end: the score may creep up for thousands of steps after the
 * head has formed, which moves the end of a rise measured to its peak.) `kept`: the run's kept checkpoint steps.
 */
export interface InductionWindow {
  data: 'curriculum' | 'mix';
  from: number;
  to: number;
}

export function inductionWindow(inductionScoreSeries: readonly SeriesPoint[], curriculumSteps: number, lastStep: number, kept: readonly number[] = []): InductionWindow {
  const rise = inductionRise(inductionScoreSeries);
  if (curriculumSteps > 0 && rise.start < curriculumSteps) {
    if (rise.end <= curriculumSteps) return { data: 'curriculum', from: 0, to: curriculumSteps };
    // Past the curriculum, on to the first kept checkpoint at or after the rise's end plus its length (the last
    // kept one when none is that late; the rise's end without any).
    const sorted = [...kept].sort((a, b) => a - b);
    const past = Math.min(lastStep, 2 * rise.end - rise.start);
    return { data: 'curriculum', from: 0, to: sorted.find((s) => s >= past) ?? Math.max(rise.end, sorted.at(-1) ?? rise.end) };
  }
  return { data: 'mix', from: curriculumSteps, to: Math.max(curriculumSteps, lastStep) };
}

/**
 * Which kept checkpoints to estimate the LLC at, at most `max`: those in `window` from `lead` times before the
 * rise starts (in steps: rise.start / lead) to the window's end: the first and last of those, the last at or before
 * the rise's start and the first at or after its end (the report's before and after), then one at a time the kept
 * step farthest in ln(step + 1) from those already chosen, so they spread as evenly as the kept steps allow.
 * Increasing steps.
 */
export function stageCheckpoints(available: readonly number[], rise: Pick<InductionRise, 'start' | 'end'>, window: Pick<InductionWindow, 'from' | 'to'>, o: { max: number; lead?: number }): number[] {
  if (!Number.isInteger(o.max) || o.max < 4) throw new Error(`stageCheckpoints: max must be an integer of at least 4, got ${o.max}`);
  const lo = Math.max(window.from, 1, rise.start / (o.lead ?? 4));
  const inWindow = [...new Set(available)].filter((s) => s >= window.from && s <= window.to).sort((a, b) => a - b);
  const before = [...inWindow].reverse().find((s) => s <= rise.start);
  const after = inWindow.find((s) => s >= rise.end);
  const candidates = inWindow.filter((s) => s >= Math.min(lo, before ?? lo));
  if (candidates.length <= o.max) return candidates;
  // Farthest-point picks over ln(step + 1), from the window's ends and the report's before and after checkpoints.
  const x = (s: number) => Math.log(s + 1);
  const chosen = new Set<number>([candidates[0]!, candidates.at(-1)!, ...[before, after].filter((s): s is number => s !== undefined)]);
  while (chosen.size < o.max) {
    let best = -1;
    let gap = -1;
    for (const s of candidates) {
      if (chosen.has(s)) continue;
      const d = Math.min(...[...chosen].map((c) => Math.abs(x(s) - x(c))));
      if (d > gap) [best, gap] = [s, d];
    }
    chosen.add(best);
  }
  return [...chosen].sort((p, q) => p - q);
}
