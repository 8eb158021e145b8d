import { analyzeOverTraining, type OverTrainingAnalysis, type OverTrainingResult } from '../analysis/overTraining.js';
import { modularSplit } from '../analysis/grokking/progressMeasures.js';
import { modularAdditionDataset } from '../data/index.js';
import { InputError } from '../engine/errors.js';
import { loadModel } from './loadModel.js';
import { listCheckpoints } from './checkpoints.js';
import { openRun, validationRows } from './runCheckpoints.js';
import type { RunMeta } from './trainRun.js';
import { prepareTrainingData } from './trainingData.js';
import { trainedContext } from '../train/recipes.js';

/** The analyses a run gets when none are named: a grokking run's progress measures, otherwise heads and loss. */
export function defaultOverTrainingAnalyses(meta: Partial<RunMeta> | null): OverTrainingAnalysis[] {
  return meta?.preset?.data?.task ? ['grokking'] : ['heads', 'loss'];
}

/**
 * Reads a run's checkpoints (RUN/checkpoints/step-*), one model at a time, and runs the analyses on each
 * (analysis/overTraining.ts). 'loss' reads held-out text: the validation split of the data the run trained on,
 * tokenised with the run's tokenizer; 'grokking' the modular-addition split the run's preset names.
 */
export async function analyzeRunOverTraining(
  dir: string, analyses: readonly OverTrainingAnalysis[] | null, o: { onCheckpoint?(step: number, index: number, count: number): void } = {},
): Promise<OverTrainingResult> {
  const { run, meta } = await openRun(dir, 'analyze');
  const chosen = analyses ?? defaultOverTrainingAnalyses(meta);
  const checkpoints = await listCheckpoints(dir);
  if (checkpoints.length === 0) throw new InputError(`analyze: ${dir}/checkpoints holds no complete checkpoint`);
  const task = meta?.preset?.data?.task;
  const preset = meta?.preset;
  let grokking;
  if (chosen.includes('grokking')) {
    if (!task || task.kind !== 'modular-addition') throw new InputError(`analyze: --analyses grokking: ${dir} is not a modular-addition run (its run.json names no task; train --preset grokking)`);
    const first = await loadModel(checkpoints[0]!.dir);
    const ds = modularAdditionDataset(task.p, task.trainFraction, first.cfg.seed ?? 0);
    grokking = { split: modularSplit(task.p, ds.train, ds.test) };
  }
  let heldOut: number[][] | undefined;
  if (chosen.includes('loss')) {
    if (!meta?.preset || typeof meta.data !== 'string' || task) throw new InputError(`analyze: --analyses loss: ${dir} has no text run.json to take held-out text from`);
    const model = await loadModel(checkpoints[0]!.dir);
    const tokJson = await run.readJson('tokenizer.json');
    const data = await prepareTrainingData(meta.data, meta.preset.data.tokenizer, tokJson);
    heldOut = validationRows(data, model.cfg.n_ctx, model.cfg.bos_token_id, `analyze: ${meta.data}: too little validation text for one window of ${model.cfg.n_ctx} tokens`);
  }
  return analyzeOverTraining(checkpoints.map((c) => ({ step: c.step, load: () => loadModel(c.dir) })), {
    analyses: chosen, ...(heldOut ? { heldOut } : {}), ...(grokking ? { grokking } : {}), ...(o.onCheckpoint ? { onCheckpoint: o.onCheckpoint } : {}),
    ...(preset && !task ? { trainedContext: (step: number) => trainedContext(preset, step) } : {}),
  });
}
