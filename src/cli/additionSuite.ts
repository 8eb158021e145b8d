import { join } from 'node:path';
import { analyzeAddition, type AdditionAnalysis } from '../analysis/addition/analyze.js';
import { checkAdditionClaims } from '../analysis/addition/claims.js';
import type { Claim } from '../analysis/claims.js';
import { ADDITION_VOCAB_SIZE } from '../data/addition.js';
import { InputError } from '../engine/errors.js';
import { loadModel } from '../io/loadModel.js';
import { readRunMeta, type RunMeta } from '../io/trainRun.js';
import { runOneRunSuite, type OneRunSuite } from './frameworkRuns.js';

/** The addition suite's preset (docs/addition.md). */
export const ADDITION_PRESET = 'addition';

/**
 * The number of digits an addition model adds: its run.json's task, or (a bare model directory) its context,
 * which is 3 digits + 3 inputs. A one-line error for a model that is not an addition model.
 */
async function additionDigits(dir: string, nCtx: number, dVocab: number): Promise<number> {
  const meta = (await readRunMeta(dir).catch(() => null)) as Partial<RunMeta> | null;
  const task = meta?.preset?.data?.task;
  if (task && task.kind !== 'addition') throw new InputError(`reproduce: --suite addition: ${dir} is a ${task.kind} run, not an addition run (train --preset addition)`);
  if (dVocab !== ADDITION_VOCAB_SIZE) throw new InputError(`reproduce: --suite addition: ${dir} has a vocabulary of ${dVocab} tokens, not the addition task's ${ADDITION_VOCAB_SIZE} (train --preset addition)`);
  if (task) return task.digits;
  if (nCtx % 3 !== 0 || nCtx < 6) throw new InputError(`reproduce: --suite addition: ${dir}'s context of ${nCtx} positions is not 3 digits + 3 (train --preset addition)`);
  return nCtx / 3 - 1;
}

/** The addition analyses of one model directory, and the claims on them. */
export async function additionClaims(dir: string): Promise<{ claims: Claim[]; analysis: AdditionAnalysis }> {
  process.stderr.write(`analysing ${dir}\n`);
  const model = await loadModel(dir);
  const digits = await additionDigits(dir, model.cfg.n_ctx, model.cfg.d_vocab);
  const analysis = await analyzeAddition(model, digits);
  return { claims: checkAdditionClaims(analysis), analysis };
}

/**
 * `reproduce --suite addition`: trains (or reuses or resumes) the `addition` preset in runs/reproduce-addition, or
 * analyses the one run given with --models, and checks Quirke and Barez 2023's claims on it.
 */
export const ADDITION_SUITE: OneRunSuite = {
  suite: 'addition', given: 'one addition run', preset: ADDITION_PRESET, data: 'addition', defaultOut: join('runs', 'reproduce-addition'),
  claims: async (dir) => {
    const { claims, analysis } = await additionClaims(dir);
    return { claims, details: { analysis } };
  },
};

/** The addition suite as a function (reproduce --suite addition calls runOneRunSuite with ADDITION_SUITE). */
export const additionSuite = (models: string[] | undefined, outDir: string | undefined, json: boolean): Promise<number> => runOneRunSuite(ADDITION_SUITE, models, outDir, json);
