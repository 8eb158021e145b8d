import { mkdir, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../engine/errors.js';
import { trainingProbes } from '../analysis/trainingProbes.js';
import { modularLossAccuracy, modularSplit } from '../analysis/grokking/progressMeasures.js';
import { HookedTransformer } from '../model/hookedTransformer.js';
import type { Preset } from '../train/presets.js';
import { buildAdditionRecipe, buildModularRecipe, buildRecipe, type Recipe } from '../train/recipes.js';
import { additionProbe } from '../analysis/addition/accuracy.js';
import type { TrainingData } from '../train/trainingData.js';
import { checkpointDir } from './checkpoints.js';
import { writeModelDir } from './modelDir.js';
import { learningRate } from '../train/schedule.js';
import { checkCheckpointSchedule } from '../train/checkpointSchedule.js';
import { train, type MetricsRecord, type TrainOutcome } from '../train/trainer.js';
import { RunDir } from './runDir.js';
import { checkOutputDir } from './outputPath.js';
import { prepareTrainingData } from './trainingData.js';

/** run.json: what a run trains (the preset after overrides) and on what data. */
export interface RunMeta {
  preset: Preset;
  /** `brown`, or the path of the user's text. */
  data: string;
  /** e.g. "brown: 500 documents, 1.41M train tokens, 0.16M validation tokens (bpe 2048)" */
  dataDescription: string;
  /** The training batches, in words (the recipe's `train.describe()`). */
  mix: string;
}

/** How a run reports while it trains (a progress bar, JSON lines, a page: the caller's choice). */
export interface TrainRunProgress {
  /** The preset is known (read from run.json when resuming): its step count is the progress bar's total. */
  start?(preset: Preset): void;
  /** A line of news: tokenizer training, the data, resuming, the outcome. */
  note?(message: string): void;
  /** The data are ready and the run directory written: training starts (a CLI starts catching Ctrl-C here). */
  training?(): void;
  /** After every step, with the time training started (`performance.now()`), for a rate and an ETA. */
  step?(step: number, loss: number, tokensPerS: number, startedMs: number): void;
  /** Each metrics record, once it is in metrics.jsonl. */
  metrics?(record: MetricsRecord): void;
}

/**
 * What to train: a fresh run into `out`, or a stopped or finished run to continue (`resume`). Resuming may
 * raise the step count (the cosine schedule is then stretched over the new total, from the step the run is at)
 * and change how often it logs and evaluates; nothing else about a run can change once it has started.
 */
export type TrainRunTarget =
  | { resume: string; steps?: number; evalEvery?: number; logEvery?: number; checkpointEvery?: number }
  | { preset: Preset; out: string; data: string };

export interface TrainRunOptions {
  progress?: TrainRunProgress;
  /** Aborting stops after the current step and saves a checkpoint (`--resume` continues from it). */
  signal?: AbortSignal;
}

/**
 * Trains a preset into a run directory, or continues one (`resume`): reads and tokenises the corpus, builds the
 * preset's recipe, trains with checkpoints, metrics.jsonl and the head probes, and writes tokenizer.json and
 * run.json at the start of a fresh run. The output location is checked and the data prepared before anything is
 * written; a fresh run that fails before its first checkpoint removes what it wrote (and the folders it made).
 */
export async function trainRun(target: TrainRunTarget, o: TrainRunOptions = {}): Promise<{ run: RunDir; outcome: TrainOutcome }> {
  const progress = o.progress ?? {};
  const note = (m: string) => progress.note?.(m);
  let run: RunDir;
  let preset: Preset;
  let source: string;
  let meta: RunMeta | undefined;
  if ('resume' in target) {
    run = new RunDir(target.resume);
    meta = await resumableMeta(run);
    preset = structuredClone(meta.preset);
    source = meta.data;
    if (target.evalEvery !== undefined) preset.train.evalEvery = target.evalEvery;
    if (target.logEvery !== undefined) preset.train.logEvery = target.logEvery;
    if (target.checkpointEvery !== undefined) preset.train.checkpointEvery = target.checkpointEvery;
  } else {
    preset = target.preset;
    source = target.data;
    await checkOutputDir(target.out, '--out');
    run = new RunDir(target.out);
    if (await run.exists('trainer_state.safetensors')) throw new InputError(`train: ${target.out} already holds a run (use --resume ${target.out} to continue it, or another --out)`);
  }
  const resuming = meta !== undefined;
  const extension: string[] = [];
  let resume;
  if (resuming) {
    resume = await run.loadCheckpoint();
    const steps = (target as { steps?: number }).steps;
    if (steps !== undefined && steps !== preset.train.steps) {
      if (steps <= resume.step) throw new InputError(`--steps ${steps}: the run in ${run.dir} is already at step ${resume.step}; give more steps than that`);
      const t = { ...preset.train };
      const lrAt = (total: number) => learningRate(resume!.step, { lr: t.lr, warmup: t.warmup, total, minLr: t.minLr, decay: t.decay });
      extension.push(`extending the run from ${preset.train.steps} to ${steps} steps: the cosine learning-rate schedule now ends at step ${steps}, so at step ${resume.step} it is ${lrAt(steps).toExponential(2)} (was ${lrAt(preset.train.steps).toExponential(2)})`);
      preset.train.steps = steps;
    }
  }
  progress.start?.(preset);
  for (const m of extension) note(m);
  const task = preset.data.task;
  let data: TrainingData | null = null;
  let recipe: Recipe;
  let probe: (m: HookedTransformer, step: number) => Promise<Record<string, unknown>>;
  if (task?.kind === 'addition') {
    const r = buildAdditionRecipe(preset);
    note(r.train.describe());
    recipe = r;
    probe = (m) => additionProbe(m, r.heldOut, r.digits);
  } else if (task) {
    const r = buildModularRecipe(preset);
    const split = modularSplit(task.p, r.dataset.train, r.dataset.test);
    note(r.train.describe());
    recipe = r;
    probe = async (m) => ({ ...(await modularLossAccuracy(m, split)) });
  } else {
    data = await prepareTrainingData(source, preset.data.tokenizer, resuming ? await run.readJson('tokenizer.json') : undefined, note);
    note(data.description);
    // A window is seqLen tokens after the BOS (seqLen + 1 without one); validation reads a whole batch of them.
    const window = preset.train.seqLen + (data.tokenizer.bosTokenId === null ? 1 : 0);
    if (data.train.length < window) {
      throw new InputError(`--data ${source}: its training text is ${data.train.length} tokens, fewer than one window of ${window}; give more text`);
    }
    const rows = preset.train.batchSize;
    if (data.validation.length < rows * window) {
      throw new InputError(`--data ${source}: its validation text (a tenth of the text) is ${data.validation.length} tokens, fewer than one batch of ${rows} windows of ${window}; give more text or a smaller --batch-size`);
    }
    recipe = buildRecipe(preset, data);
    const r = recipe;
    probe = (m, step) => trainingProbes(m, r.icl, r.trainedContext?.(step));
  }
  const tok = data?.tokenizer ?? null;
  const model = new HookedTransformer(recipe.config, recipe.initialWeights?.(), tok);

  let created: string | undefined;
  if (resume) {
    await run.rewriteMetrics((await run.readMetrics()).filter((r) => r.step <= resume!.step));
    if (JSON.stringify(preset.train) !== JSON.stringify(meta!.preset.train)) {
      await run.writeJson('run.json', { ...meta!, preset } satisfies RunMeta);
    }
    note(`resuming at step ${resume.step}`);
  } else {
    created = await mkdir(run.dir, { recursive: true });
    if (tok) await run.writeJson('tokenizer.json', tok.toJSON());
    await run.writeJson('run.json', { preset, data: task ? task.kind : source, dataDescription: data?.description ?? recipe.train.describe(), mix: recipe.train.describe() } satisfies RunMeta);
  }
  progress.training?.();
  const started = performance.now();
  let saved = false;
  try {
    const outcome = await train(model, recipe.train, recipe.validation, preset.train, {
      ...(o.signal ? { signal: o.signal } : {}),
      onStep: (s, loss, tps) => progress.step?.(s, loss, tps, started),
      saveCheckpoint: async (c) => {
        await run.saveCheckpoint(model.cfg, c);
        saved = true;
      },
      probe: async (m, step) => (recipe.probeAt(step) ? probe(m, step) : {}),
      keepCheckpoint: async (step, weights) => {
        await writeModelDir(checkpointDir(run.dir, step), model.cfg, weights, tok ? { 'tokenizer.json': `${JSON.stringify(tok.toJSON())}\n` } : {});
      },
      onMetrics: async (r: MetricsRecord) => {
        await run.appendMetrics(r);
        progress.metrics?.(r);
      },
    }, resume);
    if (outcome.status === 'diverged') {
      // Said in run.json too, so the weights left behind are not mistaken for a trained model.
      const diverged: RunDivergence = { loss: String(outcome.finalLoss), kept_step: outcome.step, message: outcome.message };
      await run.writeJson('run.json', { ...(await readRunMeta(run)), diverged });
    }
    return { run, outcome };
  } catch (e) {
    if (!resume && !saved) await removeFreshRun(run, created);
    throw e;
  }
}

/** run.json of a run that can be resumed, or a one-line error saying why it cannot. */
async function resumableMeta(run: RunDir): Promise<RunMeta> {
  const st = await stat(run.dir).catch(() => null);
  if (!st) throw new InputError(`--resume ${run.dir}: no such folder`);
  if (!st.isDirectory()) throw new InputError(`--resume ${run.dir}: is a file, not a run folder`);
  if (!(await run.exists('run.json'))) throw new InputError(`--resume ${run.dir}: not a training run (no run.json); start one with --out`);
  if (!(await run.exists('trainer_state.safetensors')) || !(await run.exists('model.safetensors'))) {
    throw new InputError(`--resume ${run.dir}: the run stopped before its first checkpoint, so there is nothing to resume; delete the folder and train again`);
  }
  const meta = (await run.readJson('run.json')) as Partial<RunMeta>;
  if (typeof meta !== 'object' || meta === null || typeof meta.preset?.train?.steps !== 'number' || typeof meta.data !== 'string') {
    throw new InputError(`${run.path('run.json')}: not a run description this version of circuitscope wrote (no preset or data)`);
  }
  const keep = meta.preset.train.keepCheckpoints;
  if (keep !== undefined) {
    try {
      checkCheckpointSchedule(keep, 'preset.train.keepCheckpoints');
    } catch (e) {
      throw new InputError(`${run.path('run.json')}: ${(e as Error).message}`);
    }
  }
  return meta as RunMeta;
}

/** Removes what a fresh run wrote before it failed: its files, then the folders it created (only when empty). */
async function removeFreshRun(run: RunDir, created: string | undefined): Promise<void> {
  for (const f of ['tokenizer.json', 'run.json', 'metrics.jsonl']) await unlink(run.path(f)).catch(() => undefined);
  if (!created) return;
  const stop = resolve(dirname(created));
  for (let d = resolve(run.dir); d !== stop && d !== dirname(d); d = dirname(d)) {
    if (!(await rmdir(d).then(() => true, () => false))) break;
  }
}

/** How far the run in `dir` got: `done` at the preset's last step, `partial` when stopped earlier, `absent`. */
export async function runStatus(dir: string, steps: number): Promise<'done' | 'partial' | 'absent'> {
  const run = new RunDir(dir);
  if (!(await run.exists('trainer_state.safetensors'))) return 'absent';
  const done = await run.readMetrics();
  return (done.at(-1)?.step ?? 0) < steps ? 'partial' : 'done';
}

/** run.json's `diverged`: the non-finite loss, the step whose weights were kept, and the message printed. */
export interface RunDivergence { loss: string; kept_step: number; message: string }

/**
 * How the run in `dir` diverged, from its run.json; null when it did not (or `dir` is no run). A message of an
 * older run.json (a string) is returned as the message.
 */
export async function runDivergence(dir: string): Promise<RunDivergence | null> {
  const meta = await new RunDir(dir).readJson('run.json').catch(() => null) as { diverged?: unknown } | null;
  const d = meta?.diverged;
  if (typeof d === 'string') return { loss: 'NaN', kept_step: Number.NaN, message: d };
  if (typeof d === 'object' && d !== null && typeof (d as RunDivergence).message === 'string') return d as RunDivergence;
  return null;
}

/** A run's run.json. */
export async function readRunMeta(run: RunDir | string): Promise<RunMeta> {
  return (await (typeof run === 'string' ? new RunDir(run) : run).readJson('run.json')) as RunMeta;
}
