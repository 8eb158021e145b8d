/**
 * reproduce's claims on the two-layer run's development (issue 16; Hoogland et al. 2024, "The developmental
 * landscape of in-context learning"): the LLC is higher after the induction head forms than before, and an LLC
 * stage boundary falls within the steps where the induction score rises (docs/llc.md, "In reproduce"). Pure: they read an inductionStageReport
 * and the LLC points it was made from.
 */
import type { Claim } from '../claims.js';
import type { InductionStageReport, InductionWindow } from './inductionStages.js';

/** What the claims read: the report, the window it covers, and the LLC estimates (mean, std over chains, warnings). */
export interface InductionStageEvidence {
  report: InductionStageReport;
  window: InductionWindow;
  points: readonly { step: number; llcMean: number; llcStd: number; warnings: readonly string[] }[];
  /** The sampler's settings, for the measured line (e.g. "2 chains x 80 SGLD steps, batches of 8"). */
  settings?: string;
}

export const LLC_RISES_CLAIM = 'the two-layer model\'s LLC is higher after its induction head forms than before (Hoogland et al. 2024)';
export const LLC_STAGE_CLAIM = 'an LLC stage boundary (a turn of the smoothed LLC curve, or the flat stretch of measured LLC around it) falls within the steps where the induction score rises';

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : String(x));
const pm = (mean: number, std: number) => (Number.isFinite(std) ? `${f(mean)} ± ${f(std)}` : f(mean));

/**
 * The two claims, each with its measured numbers. `unavailable` (why the LLC could not be estimated: no
 * checkpoints, no head scores) makes both fail with that reason as what was measured.
 */
export function inductionStageClaims(e: InductionStageEvidence | { unavailable: string }): Claim[] {
  if ('unavailable' in e) return [LLC_RISES_CLAIM, LLC_STAGE_CLAIM].map((claim) => ({ claim, measured: e.unavailable, holds: false }));
  const { report: r, window: w } = e;
  const at = (step: number | undefined) => e.points.find((p) => p.step === step);
  const before = at(r.llcBefore?.step);
  const after = at(r.llcAfter?.step);
  const rise = `the induction score rises ${r.rise.from.toFixed(2)} -> ${r.rise.to.toFixed(2)} over steps ${r.rise.start}-${r.rise.end}`;
  const warnings = e.points.reduce((n, p) => n + p.warnings.filter((x) => x.startsWith('chain')).length, 0);
  const data = `LLC on the ${w.data === 'curriculum' ? `curriculum's data (steps 0-${w.to}, the induction task)` : `training mix (steps ${w.from}-${w.to})`} at ${e.points.length} checkpoints${e.settings ? `, ${e.settings}` : ''}, ${warnings} chain warning${warnings === 1 ? '' : 's'}`;

  let rises: Claim;
  if (!before || !after) {
    const missing = !before ? `no checkpoint at or before step ${r.rise.start}` : `no checkpoint at or after step ${r.rise.end}`;
    rises = { claim: LLC_RISES_CLAIM, measured: `${missing} within steps ${w.from}-${w.to}; ${rise}`, holds: false };
  } else {
    // Higher by more than the chains' spread on both sides (by any amount with one chain, whose std is undefined).
    const spread = (Number.isFinite(before.llcStd) ? before.llcStd : 0) + (Number.isFinite(after.llcStd) ? after.llcStd : 0);
    rises = {
      claim: LLC_RISES_CLAIM,
      measured: `LLC ${pm(before.llcMean, before.llcStd)} at step ${before.step} -> ${pm(after.llcMean, after.llcStd)} at step ${after.step} while ${rise}; ${data}`,
      holds: Number.isFinite(before.llcMean) && Number.isFinite(after.llcMean) && after.llcMean - before.llcMean > spread,
    };
  }
  const span = `checkpoints ${r.llcBefore?.step ?? r.rise.start}-${r.llcAfter?.step ?? r.rise.end}`;
  const turns = r.boundaries.map((b) => `${b.step} (${b.kind === 'max' ? 'peak' : 'trough'}${b.flat.from !== b.flat.to ? `, flat over ${b.flat.from}-${b.flat.to}` : ''})`).join(', ');
  const curve = e.points.map((p) => `${p.step} ${p.llcMean.toFixed(2)}`).join(', ');
  const stage: Claim = {
    claim: LLC_STAGE_CLAIM,
    measured: `${r.boundaries.length === 0
      ? `no stage boundary: the smoothed LLC does not turn over steps ${e.points[0]?.step ?? '?'}-${e.points.at(-1)?.step ?? '?'}`
      : `stage boundaries at steps ${turns}`}; ${rise} (${span}); LLC by step: ${curve}`,
    holds: r.boundaryInRise,
  };
  return [rises, stage];
}
