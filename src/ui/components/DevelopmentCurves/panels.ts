// Pure: `analyze --over-training` JSON and `llc` JSON to the DevelopmentCurves panels (no DOM).
import type { LineSeries } from '../LineChart/index.js';

/** `circuitscope analyze RUN --over-training --json`: one value per step for each quantity (null where NaN). */
export interface OverTrainingData {
  steps: readonly number[];
  series: Readonly<Record<string, readonly (number | null)[]>>;
}

/** `circuitscope llc RUN --json`: the fields the view reads. */
export interface LLCData {
  points: readonly { step: number; llcMean: number; llcStd: number; initLoss?: number; warnings?: readonly string[] }[];
  stages?: {
    smoothed?: readonly { step: number; value: number }[];
    /** `flat`: the stretch around the turn where the measured LLC stays within the noise tolerance of it. */
    boundaries: readonly { step: number; kind: 'max' | 'min'; value?: number; flat?: { from: number; to: number } }[];
  };
  essentialDynamics?: EssentialDynamicsData;
}

export interface EssentialDynamicsData {
  steps: readonly number[];
  /** [checkpoint][component] */
  trajectory: readonly (readonly number[])[];
  explainedVarianceRatio?: readonly number[];
  boundaries?: readonly { step: number; kind?: 'max' | 'min' }[];
}

export interface Panel {
  id: string;
  title: string;
  yLabel: string;
  series: LineSeries[];
  band?: [number, number];
  logY?: boolean;
}

const LOSSES: [string, string][] = [['train_loss', 'train loss'], ['test_loss', 'test loss'], ['held_out_loss', 'held-out loss'],
  ['restricted_loss', 'restricted loss'], ['excluded_loss', 'excluded loss']];
const ACCURACY: [string, string][] = [['train_accuracy', 'train accuracy'], ['test_accuracy', 'test accuracy']];
const SHARES: [string, string][] = [['embedding_key_share', 'embedding key-frequency share'], ['logit_key_share', 'logit key-frequency share']];
const HEAD = /^(\S+) (L\d+H\d+)$/;

/** The steps of both inputs, increasing. */
export function developmentSteps(o?: OverTrainingData, l?: LLCData): number[] {
  return [...new Set([...(o?.steps ?? []), ...(l?.points.map((q) => q.step) ?? [])])].sort((a, b) => a - b);
}

/** The stage boundaries (steps) of the LLC curve. */
export function stageSteps(l?: LLCData): number[] {
  return (l?.stages?.boundaries ?? []).map((b) => b.step);
}

/** The flat stretches around the stage boundaries that have one, [from, to] each. */
export function stageSpans(l?: LLCData): [number, number][] {
  return (l?.stages?.boundaries ?? []).flatMap((b) => (b.flat && b.flat.from !== b.flat.to ? [[b.flat.from, b.flat.to] as [number, number]] : []));
}

/** Each stage boundary's step for the legend, with the flat stretch around it when it has one: "877 (flat over 665–1157)". */
export function stageLabels(l?: LLCData): string[] {
  return (l?.stages?.boundaries ?? []).map((b) => (b.flat && b.flat.from !== b.flat.to ? `${b.step} (flat over ${b.flat.from}–${b.flat.to})` : String(b.step)));
}

function last(v: readonly (number | null)[]): number {
  for (let i = v.length - 1; i >= 0; i--) if (v[i] !== null && Number.isFinite(v[i])) return v[i]!;
  return -Infinity;
}

/**
 * The panels, in order: LLC (± one std band, smoothed curve), loss (train/test/held-out; restricted/excluded for
 * grokking runs, log y), accuracy, weight norm, key-frequency shares, one panel per head-score kind (the `topHeads`
 * heads with the largest final score), and any other series.
 */
export function developmentPanels(o: OverTrainingData | undefined, l: LLCData | undefined, topHeads = 4): { x: number[]; panels: Panel[] } {
  const x = developmentSteps(o, l);
  const at = (steps: readonly number[], values: readonly (number | null)[]) => {
    const m = new Map(steps.map((s, i) => [s, values[i] ?? null]));
    return x.map((s) => { const v = m.get(s); return v === undefined || v === null || !Number.isFinite(v) ? null : v; });
  };
  const panels: Panel[] = [];
  if (l && l.points.length) {
    const ls = l.points.map((q) => q.step);
    const series: LineSeries[] = [
      { label: 'LLC + std', values: at(ls, l.points.map((q) => q.llcMean + q.llcStd)), color: '#a9c1dc' },
      { label: 'LLC − std', values: at(ls, l.points.map((q) => q.llcMean - q.llcStd)), color: '#a9c1dc' },
      { label: 'LLC', values: at(ls, l.points.map((q) => q.llcMean)), color: '#4e79a7' },
    ];
    if (l.stages?.smoothed?.length) series.push({ label: 'LLC smoothed', values: at(l.stages.smoothed.map((q) => q.step), l.stages.smoothed.map((q) => q.value)), color: '#555', dash: true });
    panels.push({ id: 'llc', title: 'Local learning coefficient (mean ± std over chains)', yLabel: 'LLC λ̂', series, band: [0, 1] });
  }
  const s = o?.series ?? {};
  const used = new Set<string>();
  const pick = (keys: [string, string][]) => keys.filter(([k]) => k in s).map(([k, label]) => { used.add(k); return { label, values: at(o!.steps, s[k]!) }; });
  const losses = pick(LOSSES);
  if (!losses.length && l?.points.some((q) => q.initLoss !== undefined)) {
    losses.push({ label: 'loss (LLC batches)', values: at(l.points.map((q) => q.step), l.points.map((q) => q.initLoss ?? null)) });
  }
  if (losses.length) {
    const grok = 'restricted_loss' in s || 'excluded_loss' in s;
    const positive = losses.every((q) => q.values.every((v) => v === null || v > 0));
    panels.push({ id: 'loss', title: grok ? 'Loss, with the restricted and excluded losses' : 'Loss', yLabel: 'nats', series: losses, logY: grok && positive });
  }
  const acc = pick(ACCURACY);
  if (acc.length) panels.push({ id: 'accuracy', title: 'Accuracy', yLabel: 'accuracy', series: acc });
  const norm = pick([['sum_squared_weights', 'Σ w²']]);
  if (norm.length) panels.push({ id: 'weights', title: 'Weight norm (sum of squared weights)', yLabel: 'Σ w²', series: norm });
  const shares = pick(SHARES);
  if (shares.length) panels.push({ id: 'shares', title: 'Share of the key frequencies', yLabel: 'share', series: shares });
  const kinds = new Map<string, string[]>();
  for (const k of Object.keys(s)) {
    const m = HEAD.exec(k);
    if (!m) continue;
    used.add(k);
    kinds.set(m[1]!, [...(kinds.get(m[1]!) ?? []), k]);
  }
  for (const [kind, keys] of kinds) {
    const top = [...keys].sort((a, b) => last(s[b]!) - last(s[a]!)).slice(0, topHeads);
    panels.push({
      id: `heads-${kind}`, title: `${kind.replace(/_/g, '-')} score: top ${top.length} of ${keys.length} heads by final score`, yLabel: 'score',
      series: top.map((k) => ({ label: HEAD.exec(k)![2]!, values: at(o!.steps, s[k]!) })),
    });
  }
  const rest = Object.keys(s).filter((k) => !used.has(k));
  if (rest.length) panels.push({ id: 'other', title: 'Other measures', yLabel: '', series: rest.map((k) => ({ label: k, values: at(o!.steps, s[k]!) })) });
  return { x, panels };
}

/** Coefficient of variation of the gaps between consecutive values. */
function gapSpread(v: readonly number[]): number {
  const d = v.slice(1).map((x, i) => x - v[i]!);
  const m = d.reduce((a, b) => a + b, 0) / d.length;
  return Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / d.length) / m;
}

/**
 * Plot the steps on a log-like axis: they span a decade or more and are more evenly spaced in ln(step + 1) than in
 * step (checkpoints kept by `--checkpoints log:N`, not `every:K`).
 */
export function spansDecades(x: readonly number[]): boolean {
  if (x.length < 3 || x.at(-1)! / Math.max(1, x.find((v) => v > 0) ?? 1) < 10) return false;
  return gapSpread(x.map((v) => Math.log(v + 1))) < gapSpread(x);
}
