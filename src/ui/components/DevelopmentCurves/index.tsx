import { EssentialDynamics } from '../EssentialDynamics/index.js';
import { developmentPanels, spansDecades, stageLabels, stageSpans, stageSteps, type LLCData, type OverTrainingData } from './panels.js';
import { LineChart, MARKER_COLOR } from '../LineChart/index.js';

export type { LLCData, OverTrainingData, EssentialDynamicsData } from './panels.js';
export { developmentPanels } from './panels.js';

export interface DevelopmentCurvesProps {
  /** `circuitscope analyze RUN --over-training --json` (or its --out file). */
  overTraining?: OverTrainingData;
  /** `circuitscope llc RUN [--essential-dynamics] --json` (or its --out file). */
  llc?: LLCData;
  /** Head-score panels show this many heads, by final score (default 4). */
  topHeads?: number;
  /** Force the step axis: log-like (asinh) or linear; default log when the steps span a decade or more and are
   * more evenly spaced in log(step) than in step. */
  logSteps?: boolean;
  width?: number;
}

/**
 * Progress over training, one panel per quantity against the step, every panel with the LLC's stage boundaries
 * (where the smoothed LLC curve turns) as dashed red lines and their flat stretches shaded pale red: the LLC with its ± std band, the loss (and a grokking
 * run's restricted and excluded losses), accuracy, weight norm, head scores of the top heads; then the essential
 * dynamics trajectory when the LLC JSON has one.
 */
export function DevelopmentCurves(p: DevelopmentCurvesProps) {
  const { x, panels } = developmentPanels(p.overTraining, p.llc, p.topHeads ?? 4);
  const markers = stageSteps(p.llc);
  const spans = stageSpans(p.llc);
  const logX = p.logSteps ?? spansDecades(x);
  const width = p.width ?? 640;
  const warnings = (p.llc?.points ?? []).filter((q) => q.warnings?.length).map((q) => `step ${q.step}: ${q.warnings!.join('; ')}`);
  if (!panels.length) return <p class="cs-note cs-development" data-panels="0">No series: pass the JSON of <code>analyze --over-training</code> and/or <code>llc</code>.</p>;
  return (
    <div class="cs-development" data-panels={panels.length}>
      <p class="cs-note">
        {x.length} checkpoints, steps {x[0]}–{x.at(-1)}{logX ? ' (log-like step axis)' : ''}.{' '}
        {markers.length
          ? <><span style={{ color: MARKER_COLOR }}>Dashed red lines</span>: stage boundaries, where the smoothed LLC curve turns: steps {stageLabels(p.llc).join(', ')}.{spans.length > 0 ? <> Pale red: the flat stretch around a turn, where the measured LLC stays within the noise tolerance of its extreme.</> : null}</>
          : p.llc ? 'The smoothed LLC curve has no turn: one stage.' : 'No LLC JSON: no stage boundaries.'}
      </p>
      {panels.map((q) => (
        <div class="cs-development-panel" data-panel={q.id} key={q.id}>
          <LineChart x={x} series={q.series} markers={markers} {...(spans.length > 0 ? { spans } : {})} title={q.title} yLabel={q.yLabel} logX={logX} points={x.length <= 40}
            {...(q.logY ? { logY: true } : {})} {...(q.band ? { band: q.band } : {})} width={width} height={200} />
        </div>
      ))}
      {warnings.length > 0 && <details class="cs-note"><summary>LLC sampler warnings at {warnings.length} checkpoints</summary><ul>{warnings.map((w) => <li key={w}>{w}</li>)}</ul></details>}
      {p.llc?.essentialDynamics && <EssentialDynamics {...p.llc.essentialDynamics} />}
    </div>
  );
}

export default DevelopmentCurves;
