/**
 * What the commands that read a run as a sequence of models (`analyze --over-training`, `llc`) share: the run
 * folder with its run.json when it has one, and a batch of held-out text.
 */
import { stat } from 'node:fs/promises';
import { evaluationBatches, tokenRows } from '../data/index.js';
import { InputError } from '../engine/errors.js';
import type { TrainingData } from './trainingData.js';
import { RunDir } from './runDir.js';
import type { RunMeta } from './trainRun.js';

/** The run folder `dir` and its run.json (null when it has none); `command` prefixes the one-line error. */
export async function openRun(dir: string, command: string): Promise<{ run: RunDir; meta: Partial<RunMeta> | null }> {
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory()) throw new InputError(`${command}: ${dir}: no such run folder`);
  const run = new RunDir(dir);
  return { run, meta: (await run.exists('run.json')) ? (await run.readJson('run.json')) as Partial<RunMeta> : null };
}

/** One batch of 8 validation windows of `length` tokens from a run's data, as token rows; `tooShort` if there is none. */
export function validationRows(data: TrainingData, length: number, bosTokenId: number | null, tooShort: string): number[][] {
  const b = evaluationBatches(data.validation, { batchSize: 8, length, bosTokenId, maxBatches: 1 })[0];
  if (!b) throw new InputError(tooShort);
  return tokenRows(b);
}
