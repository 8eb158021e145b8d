/**
 * Developmental stages from an LLC curve over training, as Hoogland et al. (2024) mark them: smooth the curve over
 * log-step and put a stage boundary wherever the smoothed curve turns (a local maximum or minimum, where its slope
 * changes sign). A turn inside a flat stretch is located only to within the stretch (its place there is the
 * estimates' noise), so each boundary also carries the stretch: the checkpoints around the turn's most extreme
 * measured value that stay within the noise tolerance of it.
 */

export interface SeriesPoint {
  step: number;
  value: number;
}

export interface StageBoundary {
  /** The step of the turn (the checkpoint where the smoothed slope changes sign). */
  step: number;
  kind: 'max' | 'min';
  /** The smoothed value there. */
  value: number;
  /**
   * The flat stretch around the turn, first and last step: between the neighbouring turns (or the curve's ends),
   * the contiguous checkpoints around the most extreme measured value (the lowest for a minimum) whose measured
   * values stay within the noise tolerance of it (StageOptions.minProminence of the smoothed range), widened to
   * include the turn. `from` = `to` = `step` for a sharp turn. Where the curve leaves a flat bottom is where the
   * next stage starts.
   */
  flat: { from: number; to: number };
}

export interface StageOptions {
  /** Gaussian kernel width in ln(step + 1); default 1.5 times the median spacing of the checkpoints in ln(step + 1). */
  bandwidth?: number;
  /** Turns whose rise and fall on both sides are under this share of the smoothed curve's range are noise (default 0.05). */
  minProminence?: number;
}

export interface Stages {
  /** The smoothed curve at each checkpoint. */
  smoothed: SeriesPoint[];
  bandwidth: number;
  boundaries: StageBoundary[];
  /** The stages between boundaries: [first step, last step] each, first to last checkpoint. */
  stages: { start: number; end: number; trend: 'rising' | 'falling' | 'flat' }[];
}

/** ln(step + 1): step 0 is a checkpoint too. */
export function logStep(step: number): number {
  return Math.log(step + 1);
}

/** Nadaraya-Watson smoothing with a Gaussian kernel over ln(step + 1), evaluated at the points' own steps. */
export function smoothOverLogStep(points: readonly SeriesPoint[], bandwidth: number): SeriesPoint[] {
  const xs = points.map((p) => logStep(p.step));
  return points.map((p, i) => {
    let num = 0;
    let den = 0;
    points.forEach((q, j) => {
      if (!Number.isFinite(q.value)) return;
      const k = Math.exp(-0.5 * ((xs[i]! - xs[j]!) / bandwidth) ** 2);
      num += k * q.value;
      den += k;
    });
    return { step: p.step, value: den > 0 ? num / den : NaN };
  });
}

/** Smooths `points` (sorted by step) over log-step and marks where the smoothed curve turns. */
export function findStages(points: readonly SeriesPoint[], o: StageOptions = {}): Stages {
  const sorted = [...points].sort((a, b) => a.step - b.step);
  const xs = sorted.map((p) => logStep(p.step));
  const gaps = xs.slice(1).map((x, i) => x - xs[i]!).filter((g) => g > 0).sort((a, b) => a - b);
  const bandwidth = o.bandwidth ?? (gaps.length > 0 ? 1.5 * gaps[Math.floor(gaps.length / 2)]! : 1);
  const smoothed = smoothOverLogStep(sorted, bandwidth);
  const v = smoothed.map((p) => p.value);
  const finite = v.filter(Number.isFinite);
  const range = finite.length > 0 ? Math.max(...finite) - Math.min(...finite) : 0;
  // A floor relative to the values' size: a flat curve's rounding errors are no turns.
  const scale = finite.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const tol = Math.max((o.minProminence ?? 0.05) * range, 1e-9 * scale);

  // Candidate turns: sign changes of the slope between neighbouring checkpoints (flat stretches carry the sign on).
  let boundaries: Omit<StageBoundary, 'flat'>[] = [];
  let lastSign = 0;
  for (let i = 1; i < v.length; i++) {
    const d = v[i]! - v[i - 1]!;
    if (!Number.isFinite(d) || d === 0) continue;
    const s = Math.sign(d);
    if (lastSign !== 0 && s !== lastSign) boundaries.push({ step: sorted[i - 1]!.step, kind: lastSign > 0 ? 'max' : 'min', value: v[i - 1]! });
    lastSign = s;
  }
  // Drop turns that are noise, smallest first: a turn whose move to the neighbouring turn (or the curve's end) is
  // under the tolerance goes, with that neighbour (a max and a min leave together, so the rest still alternate).
  for (;;) {
    let worst = -1;
    let size = Infinity;
    let side = 0;
    boundaries.forEach((b, k) => {
      const dp = Math.abs(b.value - (k > 0 ? boundaries[k - 1]!.value : v[0]!));
      const dn = Math.abs(b.value - (k + 1 < boundaries.length ? boundaries[k + 1]!.value : v[v.length - 1]!));
      if (Math.min(dp, dn) < size) [worst, size, side] = [k, Math.min(dp, dn), dp <= dn ? -1 : 1];
    });
    if (worst < 0 || size >= tol) break;
    boundaries = boundaries.filter((_, j) => j !== worst && j !== worst + side);
  }
  // Each turn's flat stretch, from the measured values between its neighbouring turns: the checkpoints around the
  // most extreme of them that stay within the tolerance of it, and the turn itself.
  const at = boundaries.map((b) => sorted.findIndex((p) => p.step === b.step));
  const turns: StageBoundary[] = boundaries.map((b, k) => {
    const lo = k > 0 ? at[k - 1]! + 1 : 0;
    const hi = k + 1 < at.length ? at[k + 1]! - 1 : sorted.length - 1;
    const sign = b.kind === 'min' ? 1 : -1;
    let e = -1;
    for (let i = lo; i <= hi; i++) if (Number.isFinite(sorted[i]!.value) && (e < 0 || sign * sorted[i]!.value < sign * sorted[e]!.value)) e = i;
    if (e < 0) return { ...b, flat: { from: b.step, to: b.step } };
    const near = (i: number) => Number.isFinite(sorted[i]!.value) && sign * (sorted[i]!.value - sorted[e]!.value) <= tol;
    let from = e;
    let to = e;
    while (from - 1 >= lo && near(from - 1)) from--;
    while (to + 1 <= hi && near(to + 1)) to++;
    return { ...b, flat: { from: sorted[Math.min(from, at[k]!)]!.step, to: sorted[Math.max(to, at[k]!)]!.step } };
  });
  const cuts = [sorted[0]?.step ?? 0, ...turns.map((b) => b.step), sorted[sorted.length - 1]?.step ?? 0];
  const valueAt = (step: number) => smoothed.find((p) => p.step === step)!.value;
  const stages = cuts.slice(1).map((end, i) => {
    const start = cuts[i]!;
    const d = valueAt(end) - valueAt(start);
    return { start, end, trend: (Math.abs(d) < tol ? 'flat' : d > 0 ? 'rising' : 'falling') as 'rising' | 'falling' | 'flat' };
  }).filter((s) => s.end > s.start || sorted.length === 1);
  return { smoothed, bandwidth, boundaries: turns, stages };
}
