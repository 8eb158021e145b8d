import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { essentialDynamics, probeOutputs, type EssentialDynamics } from '../essentialDynamics.js';
import type { LLCOptions, LLCResult } from './estimate.js';
import { findStages, type StageBoundary, type StageOptions, type Stages } from './stages.js';
import { estimateTransformerLLC, type TokenBatches } from './transformer.js';

/** One checkpoint of a run, loaded on demand (one model in memory at a time). */
export interface LLCCheckpoint {
  step: number;
  load(): Promise<HookedTransformer>;
}

export interface LLCOverTrainingOptions {
  llc?: LLCOptions;
  /** Fresh batches for a checkpoint; called once per checkpoint, it should give the same batches every time. */
  batches(): TokenBatches;
  /** Positions before this one do not count in the loss (as the run trained). */
  lossFrom?: number;
  /** The loss's softmax over these ids alone, as the run trained on the batches (a curriculum on a few ids of a BPE). */
  lossVocabulary?: readonly number[] | null;
  /** When given, essential dynamics: PCA of the log-probabilities on these token rows across checkpoints. */
  probe?: readonly (readonly number[])[];
  /** Principal components kept (default 3). */
  components?: number;
  stages?: StageOptions;
  onCheckpoint?(step: number, index: number, count: number, result: LLCPoint): void;
}

/** The LLC at one checkpoint, with its chains' traces. */
export interface LLCPoint {
  step: number;
  llcMean: number;
  llcStd: number;
  llcPerChain: number[];
  initLoss: number;
  nbeta: number;
  warnings: string[];
  /** [chain][draw] batch losses. */
  lossTrace: number[][];
}

export interface LLCOverTraining {
  /** The sampler's settings as used (the first checkpoint's; every checkpoint uses the same). */
  options: LLCResult['options'] | null;
  /** The parameters sampled: every weight, or with a loss vocabulary those the loss reads (restrictVocabulary). */
  numParams: number;
  points: LLCPoint[];
  /** The LLC curve smoothed over log-step, with its turns (stage boundaries). */
  stages: Stages;
  /** PCA of the probe outputs across checkpoints, with the LLC's stage boundaries (when a probe was given). */
  essentialDynamics?: EssentialDynamics & { boundaries: StageBoundary[]; probe: { rows: number; positions: number } };
}

/**
 * The LLC at every checkpoint of a run, on the same batches at each, then the stages of the LLC curve and (with a
 * probe) essential dynamics. Checkpoints are loaded one at a time.
 */
export async function llcOverTraining(checkpoints: readonly LLCCheckpoint[], o: LLCOverTrainingOptions): Promise<LLCOverTraining> {
  if (checkpoints.length === 0) throw new Error('llcOverTraining: no checkpoints');
  const sorted = [...checkpoints].sort((a, b) => a.step - b.step);
  const points: LLCPoint[] = [];
  const outputs: { step: number; outputs: Float32Array }[] = [];
  let options: LLCResult['options'] | null = null;
  let numParams = 0;
  for (const [i, c] of sorted.entries()) {
    const model = await c.load();
    const r = await estimateTransformerLLC(model, o.batches(), { ...o.llc, ...(o.lossFrom ? { lossFrom: o.lossFrom } : {}), ...(o.lossVocabulary ? { lossVocabulary: o.lossVocabulary } : {}) });
    options ??= r.options;
    numParams = r.numParams;
    const point: LLCPoint = {
      step: c.step, llcMean: r.llcMean, llcStd: r.llcStd, llcPerChain: r.llcPerChain, initLoss: r.initLoss, nbeta: r.nbeta,
      warnings: r.warnings, lossTrace: r.lossTrace,
    };
    points.push(point);
    if (o.probe) outputs.push({ step: c.step, outputs: await probeOutputs(model, o.probe) });
    o.onCheckpoint?.(c.step, i, sorted.length, point);
  }
  const stages = findStages(points.map((p) => ({ step: p.step, value: p.llcMean })), o.stages);
  const result: LLCOverTraining = { options, numParams, points, stages };
  if (o.probe && outputs.length >= 2) {
    result.essentialDynamics = {
      ...essentialDynamics(outputs, { components: o.components ?? 3 }),
      boundaries: stages.boundaries,
      probe: { rows: o.probe.length, positions: o.probe[0]?.length ?? 0 },
    };
  }
  return result;
}
