import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzeAddition, type AdditionAnalysis } from '../analysis/addition/analyze.js';
import { checkAdditionClaims } from '../analysis/addition/claims.js';
import type { Claim } from '../analysis/claims.js';
import { ADDITION_VOCAB_SIZE } from '../data/addition.js';
import { InputError } from '../engine/errors.js';
import { loadModel } from '../io/loadModel.js';
import { checkOutputDir } from '../io/outputPath.js';
import { readRunMeta, runStatus, type RunMeta } from '../io/trainRun.js';
import { getPreset } from '../train/presets.js';
import { UsageError } from './errors.js';
import { printClaims } from './frameworkRuns.js';
import { trainInTerminal } from './training.js';

/** The addition suite's preset (docs/addition.md). */
export const ADDITION_PRESET = 'addition';

/**
 * Trains, resumes or reuses the addition run in `out`. Returns its directory and the data it saw, or the exit code
 * of a training run that did not finish.
 */
export async function ensureAdditionRun(out: string): Promise<{ dir: string; seen: string[] } | { code: number }> {
  const preset = getPreset(ADDITION_PRESET);
  const status = await runStatus(out, preset.train.steps);
  if (status === 'done') process.stderr.write(`reusing ${out}\n`);
  else {
    process.stderr.write(status === 'partial' ? `resuming ${out}\n` : `training ${preset.name} into ${out}\n`);
    const r = await trainInTerminal(status === 'partial' ? { resume: out } : { preset, out, data: 'addition' }, { json: false, quietResult: true });
    if (r.code !== 0) return { code: r.code };
  }
  const meta: Partial<RunMeta> = await readRunMeta(out);
  return { dir: out, seen: [`${meta.preset?.name ?? '?'}: ${meta.mix ?? '?'}`] };
}

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
 * `reproduce --suite addition`: trains (or reuses or resumes) the `addition` preset in `outDir` (default
 * runs/reproduce-addition), or analyses the one run given with --models, prints Quirke and Barez 2023's claims
 * with the number behind each (or JSON), and returns 1 when a claim fails.
 */
export async function additionSuite(models: string[] | undefined, outDir: string | undefined, json: boolean): Promise<number> {
  let dir: string;
  let seen: string[] = [];
  if (models) {
    if (models.length !== 1) throw new UsageError(`reproduce: --suite addition --models takes one addition run (got ${models.length})`);
    const st = await stat(models[0]!).catch(() => null);
    if (!st?.isDirectory()) throw new UsageError(`reproduce: --models ${models[0]}: no such run folder`);
    dir = models[0]!;
  } else {
    const out = outDir ?? join('runs', 'reproduce-addition');
    await checkOutputDir(out, '--out');
    const run = await ensureAdditionRun(out);
    if ('code' in run) return run.code;
    ({ dir, seen } = run);
  }
  const { claims, analysis } = await additionClaims(dir);
  if (json) console.log(JSON.stringify({ claims, data: seen, analysis }));
  else printClaims(claims, seen);
  return claims.every((c) => c.holds) ? 0 : 1;
}
