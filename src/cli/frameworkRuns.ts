import { join } from 'node:path';
import { checkClaims, type Claim } from '../analysis/claims.js';
import { checkGrokkingClaims } from '../analysis/grokking/claims.js';
import type { OverTrainingResult } from '../analysis/overTraining.js';
import { analyzeRunOverTraining } from '../io/overTrainingRun.js';
import type { AnalysisReport } from '../analysis/analyzeModel.js';
import { analyzeWithText } from '../io/analyzeText.js';
import { loadModel } from '../io/loadModel.js';
import { readRunMeta, runStatus, type RunMeta } from '../io/trainRun.js';
import { getPreset } from '../train/presets.js';
import { trainInTerminal } from './training.js';

/** The framework's three models: attn-only-0l, -1l and -2l in `out`/0l, 1l, 2l. */
export const FRAMEWORK_PRESETS = [0, 1, 2].map((l) => `attn-only-${l}l`);

/**
 * Trains, resumes or reuses the framework's three models in `out` (as `reproduce` and `tour` do), with progress
 * bars. Returns their directories and the data each saw, or the exit code of a training run that did not finish.
 */
export async function ensureFrameworkRuns(out: string): Promise<{ dirs: string[]; seen: string[] } | { code: number }> {
  const dirs: string[] = [];
  const seen: string[] = [];
  for (const [layers, name] of FRAMEWORK_PRESETS.entries()) {
    const dir = join(out, `${layers}l`);
    const preset = getPreset(name);
    const status = await runStatus(dir, preset.train.steps);
    if (status === 'done') process.stderr.write(`reusing ${dir}\n`);
    else {
      process.stderr.write(status === 'partial' ? `resuming ${dir}\n` : `training ${preset.name} into ${dir}\n`);
      const target = status === 'partial' ? { resume: dir } : { preset, out: dir, data: 'brown' };
      const r = await trainInTerminal(target, { json: false, quietResult: true });
      if (r.code !== 0) return { code: r.code };
    }
    const meta: Partial<RunMeta> = await readRunMeta(dir); // read defensively: a hand-made run.json may lack these
    seen.push(`${preset.name}: ${meta.dataDescription ?? '?'}; mix ${meta.mix ?? '?'}`);
    dirs.push(dir);
  }
  return { dirs, seen };
}

/** Prints the data the models saw and each claim with its measured number. */
export function printClaims(claims: readonly Claim[], seen: readonly string[]): void {
  if (seen.length) console.log(`data the models saw:\n${seen.map((s) => `  ${s}`).join('\n')}\n`);
  for (const c of claims) console.log(`${c.holds ? 'HOLDS ' : 'FAILS '} ${c.claim}\n        measured: ${c.measured}`);
  const failed = claims.filter((c) => !c.holds);
  console.log(failed.length === 0 ? `\nall ${claims.length} claims hold` : `\n${failed.length} of ${claims.length} claims failed: ${failed.map((c) => c.claim).join('; ')}`);
}

/** Analyses the zero-, one- and two-layer models (weights processed, text from Brown) and checks the claims. */
export async function frameworkClaims(dirs: readonly string[]): Promise<{ claims: Claim[]; reports: AnalysisReport[] }> {
  const reports: AnalysisReport[] = [];
  for (const d of dirs) {
    process.stderr.write(`analysing ${d}\n`);
    reports.push(await analyzeWithText(await loadModel(d, { processWeights: true }), 'brown'));
  }
  return { claims: checkClaims(reports[0]!, reports[1]!, reports[2]!), reports };
}

/** The grokking suite's preset: the fast one, which groks within minutes on two cores (docs/grokking.md). */
export const GROKKING_PRESET = 'grokking-fast';

/**
 * Trains, resumes or reuses the grokking run in `out` (the preset keeps a checkpoint every 100 steps). Returns its
 * directory and the data it saw, or the exit code of a training run that did not finish.
 */
export async function ensureGrokkingRun(out: string): Promise<{ dir: string; seen: string[] } | { code: number }> {
  const preset = getPreset(GROKKING_PRESET);
  const status = await runStatus(out, preset.train.steps);
  if (status === 'done') process.stderr.write(`reusing ${out}\n`);
  else {
    process.stderr.write(status === 'partial' ? `resuming ${out}\n` : `training ${preset.name} into ${out}\n`);
    const r = await trainInTerminal(status === 'partial' ? { resume: out } : { preset, out, data: 'modular-addition' }, { json: false, quietResult: true });
    if (r.code !== 0) return { code: r.code };
  }
  const meta: Partial<RunMeta> = await readRunMeta(out);
  return { dir: out, seen: [`${meta.preset?.name ?? '?'}: ${meta.mix ?? '?'}`] };
}

/** The progress measures at every checkpoint of a grokking run, and the claims on them. */
export async function grokkingClaims(dir: string): Promise<{ claims: Claim[]; measures: OverTrainingResult }> {
  process.stderr.write(`measuring ${dir} at every checkpoint\n`);
  const measures = await analyzeRunOverTraining(dir, ['grokking']);
  return { claims: checkGrokkingClaims(measures), measures };
}
