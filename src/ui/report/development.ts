// The report's Development section: the JSON files of `analyze RUN --over-training` and `llc RUN`, checked.
import { InputError } from '../../engine/errors.js';
import type { LLCData, OverTrainingData } from '../components/DevelopmentCurves/panels.js';

export interface ReportDevelopment {
  overTraining?: OverTrainingData;
  llc?: LLCData;
}

const isNums = (v: unknown): v is (number | null)[] => Array.isArray(v) && v.every((x) => x === null || typeof x === 'number');

/** `text` (read from `file`) as a JSON object, or a one-line error naming the file and `what` should have made it. */
export function parseJSONObject(text: string, file: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InputError(`${file}: not JSON; expected the output of ${what}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(`${file}: expected a JSON object, the output of ${what}`);
  return v as Record<string, unknown>;
}

/** `analyze RUN --over-training --json` output: `steps` (numbers) and `series` (one number or null per step each). */
export function parseOverTrainingJSON(text: string, file: string): OverTrainingData {
  const o = parseJSONObject(text, file, 'circuitscope analyze RUN --over-training --json');
  if (!isNums(o.steps) || o.steps.some((s) => s === null)) throw new InputError(`${file}: field "steps" must be an array of numbers (analyze --over-training output)`);
  if (typeof o.series !== 'object' || o.series === null || Array.isArray(o.series)) throw new InputError(`${file}: field "series" must be an object of per-step arrays (analyze --over-training output)`);
  for (const [k, v] of Object.entries(o.series)) {
    if (!isNums(v) || v.length !== o.steps.length) throw new InputError(`${file}: series "${k}" must be an array of ${o.steps.length} numbers (one per step)`);
  }
  return { steps: o.steps as number[], series: o.series as Record<string, (number | null)[]> };
}

/** `llc RUN --json` output: `points` with step, llcMean, llcStd; `stages` and `essentialDynamics` when present. */
export function parseLLCJSON(text: string, file: string): LLCData {
  const o = parseJSONObject(text, file, 'circuitscope llc RUN --json');
  const points = o.points;
  if (!Array.isArray(points) || points.length === 0) throw new InputError(`${file}: field "points" must be a non-empty array (llc --json output)`);
  for (const [i, q] of points.entries()) {
    const p = q as Record<string, unknown> | null;
    if (!p || typeof p.step !== 'number' || typeof p.llcMean !== 'number' || typeof p.llcStd !== 'number') throw new InputError(`${file}: points[${i}] needs numbers step, llcMean and llcStd (llc --json output)`);
  }
  const st = o.stages as LLCData['stages'] | undefined;
  if (st !== undefined && (typeof st !== 'object' || !Array.isArray(st?.boundaries))) throw new InputError(`${file}: field "stages" must have a "boundaries" array (llc --json output)`);
  const ed = o.essentialDynamics as LLCData['essentialDynamics'] | undefined;
  if (ed !== undefined && (!isNums(ed.steps) || !Array.isArray(ed.trajectory) || ed.trajectory.length !== ed.steps.length)) throw new InputError(`${file}: field "essentialDynamics" needs "steps" and a "trajectory" row per step (llc --essential-dynamics output)`);
  // Only what the view draws: the per-chain loss traces stay out of the report.
  return {
    points: (points as LLCData['points']).map((p) => ({ step: p.step, llcMean: p.llcMean, llcStd: p.llcStd, ...(p.initLoss !== undefined ? { initLoss: p.initLoss } : {}), warnings: p.warnings ?? [] })),
    ...(st ? { stages: { boundaries: st.boundaries, ...(st.smoothed ? { smoothed: st.smoothed } : {}) } } : {}),
    ...(ed ? { essentialDynamics: { steps: ed.steps, trajectory: ed.trajectory, ...(ed.explainedVarianceRatio ? { explainedVarianceRatio: ed.explainedVarianceRatio } : {}), boundaries: ed.boundaries ?? st?.boundaries ?? [] } } : {}),
  };
}
