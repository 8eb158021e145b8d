import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkClaims, type Claim } from '../analysis/claims.js';
import { inductionStageClaims, type InductionStageReport, type InductionWindow, type LLCOverTraining } from '../analysis/llc/index.js';
import { InputError } from '../engine/errors.js';
import { inductionStageCheck } from '../io/llcRun.js';
import { checkGrokkingClaims } from '../analysis/grokking/claims.js';
import type { OverTrainingResult } from '../analysis/overTraining.js';
import { analyzeRunOverTraining } from '../io/overTrainingRun.js';
import type { AnalysisReport } from '../analysis/analyzeModel.js';
import { analyzeWithText } from '../io/analyzeText.js';
import { loadModel } from '../io/loadModel.js';
import { readRunMeta, runStatus, type RunMeta } from '../io/trainRun.js';
import { getPreset, type Preset } from '../train/presets.js';
import { checkOutputDir } from '../io/outputPath.js';
import { UsageError } from './errors.js';
import { trainInTerminal } from './training.js';

/** The framework's three models: attn-only-0l, -1l and -2l in `out`/0l, 1l, 2l. */
export const FRAMEWORK_PRESETS = [0, 1, 2].map((l) => `attn-only-${l}l`);

/** Where seed `seed`'s model with `layers` layers goes: seed 0 in `out`/0l, 1l, 2l (as before seeds), others in `out`/seed-K/. */
export function frameworkRunDir(out: string, seed: number, layers: number): string {
  return seed === 0 ? join(out, `${layers}l`) : join(out, `seed-${seed}`, `${layers}l`);
}

/**
 * The two-layer run keeps this many log-spaced checkpoints, for the LLC-stage claims: log:60 over 3000 steps keeps
 * one every ~15% of the step count (steps 1012, 1160, 1328, 1522, 1743, 1996, 2287 around where the induction head
 * forms), about 0.9 MB each.
 */
export const TWO_LAYER_CHECKPOINTS = { kind: 'log', count: 60 } as const;

/**
 * Trains, resumes or reuses the framework's three models in `out` (as `reproduce` and `tour` do), with progress
 * bars; `seed` (default 0) seeds both the models' initialisation and their data, as `train --seed` does. Returns
 * their directories and the data each saw, or the exit code of a training run that did not finish.
 */
export async function ensureFrameworkRuns(out: string, o: { seed?: number } = {}): Promise<{ dirs: string[]; seen: string[] } | { code: number }> {
  const seed = o.seed ?? 0;
  const dirs: string[] = [];
  const seen: string[] = [];
  for (const [layers, name] of FRAMEWORK_PRESETS.entries()) {
    const dir = frameworkRunDir(out, seed, layers);
    const preset = getPreset(name);
    preset.model['seed'] = seed;
    if (layers === 2) preset.train.keepCheckpoints = { ...TWO_LAYER_CHECKPOINTS };
    const { status, note } = await suiteRunStatus(dir, preset);
    if (status === 'done') process.stderr.write(note ?? `reusing ${dir}\n`);
    else {
      process.stderr.write(status === 'partial' ? `resuming ${dir}\n` : `training ${preset.name} (seed ${seed}) into ${dir}\n`);
      const target = status === 'partial' ? { resume: dir } : { preset, out: dir, data: 'brown' };
      const r = await trainInTerminal(target, { json: false, quietResult: true });
      if (r.code !== 0) return { code: r.code };
    }
    const meta: Partial<RunMeta> = await readRunMeta(dir); // read defensively: a hand-made run.json may lack these
    seen.push(`${preset.name}${seed === 0 ? '' : ` seed ${seed}`}: ${meta.dataDescription ?? '?'}; mix ${meta.mix ?? '?'}`);
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

/**
 * The LLC-stage check's sampler (docs/llc.md, "In reproduce"): chains x (burn-in + draws) SGLD steps at each of at
 * most `maxCheckpoints` checkpoints, on batches of `batchSize` sequences cycled from `batches` distinct ones.
 */
export const REPRODUCE_LLC = { chains: 2, burnin: 30, draws: 30, epsilon: 2e-3, gamma: 100, batchSize: 8, batches: 32, maxCheckpoints: 16 } as const;

/** The LLC-stage check as reproduce's JSON carries it (per-chain loss traces left out). */
export interface LLCStageSummary {
  window: InductionWindow;
  report: InductionStageReport;
  points: { step: number; llcMean: number; llcStd: number; llcPerChain: number[]; initLoss: number; warnings: string[] }[];
  options: LLCOverTraining['options'];
  seconds: number;
}

/**
 * The two-layer run's LLC-stage claims (analysis/llc/inductionClaims.ts): the LLC at the checkpoints around the
 * induction head's formation, by REPRODUCE_LLC's sampler. A run without checkpoints or head scores makes both
 * claims fail with the reason; nothing is thrown for it.
 */
export async function llcStageClaims(dir: string): Promise<{ claims: Claim[]; llc: LLCStageSummary | null }> {
  const o = REPRODUCE_LLC;
  const t0 = performance.now();
  let check;
  try {
    check = await inductionStageCheck(dir, {
      llc: { numChains: o.chains, numBurninSteps: o.burnin, numDraws: o.draws, epsilon: o.epsilon, gamma: o.gamma },
      batchSize: o.batchSize, batches: o.batches, maxCheckpoints: o.maxCheckpoints,
      onStart: (n, m, what) => process.stderr.write(`LLC of ${dir} at ${n} checkpoints, ${o.chains} chains x ${o.burnin + o.draws} SGLD steps, batches of ${m} from ${what}\n`),
      onCheckpoint: (step, i, n, p) => process.stderr.write(`  [${i + 1}/${n}] step ${step}: LLC ${p.llcMean.toFixed(2)}\n`),
    });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const why = e.message.replace(/^llc: /, '');
    return { claims: inductionStageClaims({ unavailable: `not measured: ${why}${/checkpoints/.test(why) ? ' (a run trained before reproduce kept checkpoints: delete it to retrain)' : ''}` }), llc: null };
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stderr.write(`LLC-stage check took ${seconds.toFixed(0)} s\n`);
  const points = check.llc.points.map((p) => ({ step: p.step, llcMean: p.llcMean, llcStd: p.llcStd, llcPerChain: p.llcPerChain, initLoss: p.initLoss, warnings: p.warnings }));
  const settings = `${o.chains} chains x (${o.burnin} burn-in + ${o.draws} draws), epsilon ${o.epsilon}, gamma ${o.gamma}, batches of ${o.batchSize}`;
  return {
    claims: inductionStageClaims({ report: check.report, window: check.window, points, settings }),
    llc: { window: check.window, report: check.report, points, options: check.llc.options, seconds },
  };
}

/** One claim over seeds: held on every seed or not, how many it held on, and each seed's measured number. */
export interface ClaimOverSeeds {
  claim: string;
  /** Each seed's measured line, `seed K: ...` joined by ` | ` (one seed: its line as it is). */
  measured: string;
  holds: boolean;
  heldOn: number;
  seeds: { seed: number; measured: string; holds: boolean }[];
}

/**
 * Each claim once (in the order first met), with every seed's measured number and whether it held; a claim that a
 * seed did not check counts as failed there.
 */
export function claimsOverSeeds(perSeed: readonly { seed: number; claims: readonly Claim[] }[]): ClaimOverSeeds[] {
  const texts = [...new Set(perSeed.flatMap((s) => s.claims.map((c) => c.claim)))];
  return texts.map((claim) => {
    const seeds = perSeed.map((s) => {
      const c = s.claims.find((x) => x.claim === claim);
      return { seed: s.seed, measured: c?.measured ?? 'not checked on this seed', holds: c?.holds ?? false };
    });
    const heldOn = seeds.filter((x) => x.holds).length;
    const measured = seeds.length === 1 ? seeds[0]!.measured : seeds.map((x) => `seed ${x.seed}: ${x.measured}`).join(' | ');
    return { claim, measured, holds: heldOn === seeds.length, heldOn, seeds };
  });
}

/** Prints each claim once with its number on every seed and how many seeds it held on (one seed: as printClaims). */
export function printClaimsOverSeeds(claims: readonly ClaimOverSeeds[], seen: readonly string[]): void {
  const n = claims[0]?.seeds.length ?? 0;
  if (n <= 1) {
    printClaims(claims, seen);
    return;
  }
  if (seen.length) console.log(`data the models saw:\n${seen.map((x) => `  ${x}`).join('\n')}\n`);
  for (const c of claims) {
    console.log(`${c.holds ? 'HOLDS' : 'FAILS'} on ${c.heldOn} of ${n} seeds  ${c.claim}`);
    for (const x of c.seeds) console.log(`        seed ${x.seed}: ${x.holds ? '' : '(fails) '}${x.measured}`);
  }
  const failed = claims.filter((c) => !c.holds);
  console.log(failed.length === 0
    ? `\nall ${claims.length} claims hold on all ${n} seeds`
    : `\n${failed.length} of ${claims.length} claims failed on some seed: ${failed.map((c) => `${c.claim} (held on ${c.heldOn} of ${n})`).join('; ')}`);
}

/** The grokking suite's preset: the fast one, which groks within minutes on two cores (docs/grokking.md). */
export const GROKKING_PRESET = 'grokking-fast';

/**
 * Trains, resumes or reuses the run of one preset in `out` (a one-run suite: grokking, addition) on `seed`, which
 * seeds both the model's initialisation and its data, as `train --seed` does. Returns its directory and the data it
 * saw, or the exit code of a training run that did not finish.
 */
export async function ensurePresetRun(out: string, presetName: string, data: string, seed: number): Promise<{ dir: string; seen: string[] } | { code: number }> {
  const preset = getPreset(presetName);
  preset.model['seed'] = seed;
  const { status, note } = await suiteRunStatus(out, preset);
  if (status === 'done') process.stderr.write(note ?? `reusing ${out}\n`);
  else {
    process.stderr.write(status === 'partial' ? `resuming ${out}\n` : `training ${preset.name}${seed ? ` (seed ${seed})` : ''} into ${out}\n`);
    const r = await trainInTerminal(status === 'partial' ? { resume: out } : { preset, out, data }, { json: false, quietResult: true });
    if (r.code !== 0) return { code: r.code };
  }
  const meta: Partial<RunMeta> = await readRunMeta(out);
  return { dir: out, seen: [`${meta.preset?.name ?? '?'}${seed ? ` seed ${seed}` : ''}: ${meta.mix ?? '?'}`] };
}

/**
 * How a suite's run in `dir` stands against `preset`. A run that finished the preset it was trained with (its
 * run.json), an older one with fewer steps, is done, not partial: resuming it would train nothing (a run continues
 * its own preset), so it is reused, and `note` says so and how to train the current preset instead.
 */
export async function suiteRunStatus(dir: string, preset: Preset): Promise<{ status: 'done' | 'partial' | 'absent'; note?: string }> {
  const status = await runStatus(dir, preset.train.steps);
  if (status !== 'partial') return { status };
  const own = (await readRunMeta(dir).catch((): Partial<RunMeta> => ({}))).preset?.train?.steps;
  if (typeof own !== 'number' || own >= preset.train.steps || (await runStatus(dir, own)) !== 'done') return { status };
  return { status: 'done', note: `reusing ${dir}, finished with the preset it was trained with (${own} steps; ${preset.name} now trains ${preset.train.steps}): delete it to train the current preset\n` };
}

/** Where a one-run suite's run on seed `seed` goes: seed 0 in `out` itself (as before seeds), seed K beside it in `out`-seed-K. */
export function presetRunDir(out: string, seed: number): string {
  return seed === 0 ? out : `${out.replace(/[\\/]+$/, '')}-seed-${seed}`;
}

/** A suite on one run: its name, preset and data, where it trains by default, and its claims on a run directory. */
export interface OneRunSuite {
  suite: string;
  /** What --models must name, e.g. 'one grokking run with checkpoints'. */
  given: string;
  preset: string;
  data: string;
  defaultOut: string;
  claims(dir: string): Promise<{ claims: Claim[]; details: Record<string, unknown> }>;
}

/**
 * `reproduce --suite NAME`: analyses the one run given with --models, or trains (reuses, resumes) the suite's
 * preset in `outDir`; prints the claims with the number behind each (or JSON) and returns 1 when one fails. With
 * `seeds` (`--seeds N`), it does so on seeds 0..N-1 (`presetRunDir`) and prints each claim once with its number
 * on every seed and how many it held on.
 */
export async function runOneRunSuite(s: OneRunSuite, models: string[] | undefined, outDir: string | undefined, json: boolean, seeds?: number): Promise<number> {
  if (models) {
    if (models.length !== 1) throw new UsageError(`reproduce: --suite ${s.suite} --models takes ${s.given} (got ${models.length})`);
    const st = await stat(models[0]!).catch(() => null);
    if (!st?.isDirectory()) throw new UsageError(`reproduce: --models ${models[0]}: no such run folder`);
    const { claims, details } = await s.claims(models[0]!);
    return report(claims, [], details);
  }
  const out = outDir ?? s.defaultOut;
  const perSeed: { seed: number; dir: string; claims: Claim[]; details: Record<string, unknown> }[] = [];
  const seen: string[] = [];
  for (let seed = 0; seed < (seeds ?? 1); seed++) {
    const dir = presetRunDir(out, seed);
    await checkOutputDir(dir, '--out');
    const run = await ensurePresetRun(dir, s.preset, s.data, seed);
    if ('code' in run) return run.code;
    seen.push(...run.seen);
    perSeed.push({ seed, dir, ...(await s.claims(dir)) });
  }
  if (seeds === undefined) return report(perSeed[0]!.claims, seen, perSeed[0]!.details);
  const claims = claimsOverSeeds(perSeed);
  if (json) console.log(JSON.stringify({ claims, data: seen, seeds: perSeed.map(({ details, ...x }) => ({ ...x, ...details })) }));
  else printClaimsOverSeeds(claims, seen);
  return claims.every((c) => c.holds) ? 0 : 1;

  function report(claims: Claim[], data: string[], details: Record<string, unknown>): number {
    if (json) console.log(JSON.stringify({ claims, data, ...details }));
    else printClaims(claims, data);
    return claims.every((c) => c.holds) ? 0 : 1;
  }
}

/** The progress measures at every checkpoint of a grokking run, and the claims on them. */
export async function grokkingClaims(dir: string): Promise<{ claims: Claim[]; measures: OverTrainingResult }> {
  process.stderr.write(`measuring ${dir} at every checkpoint\n`);
  const measures = await analyzeRunOverTraining(dir, ['grokking']);
  return { claims: checkGrokkingClaims(measures), measures };
}
