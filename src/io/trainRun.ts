import { InputError } from '../engine/errors.js';
import { trainingProbes } from '../analysis/trainingProbes.js';
import { HookedTransformer } from '../model/hookedTransformer.js';
import type { Preset } from '../train/presets.js';
import { buildRecipe } from '../train/recipes.js';
import { train, type MetricsRecord, type TrainOutcome } from '../train/trainer.js';
import { RunDir } from './runDir.js';
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

export type TrainRunTarget = { resume: string } | { preset: Preset; out: string; data: string };

export interface TrainRunOptions {
  progress?: TrainRunProgress;
  /** Aborting stops after the current step and saves a checkpoint (`--resume` continues from it). */
  signal?: AbortSignal;
}

/**
 * Trains a preset into a run directory, or continues one (`resume`): reads and tokenises the corpus, builds the
 * preset's recipe, trains with checkpoints, metrics.jsonl and the head probes, and writes tokenizer.json and
 * run.json at the start of a fresh run.
 */
export async function trainRun(target: TrainRunTarget, o: TrainRunOptions = {}): Promise<{ run: RunDir; outcome: TrainOutcome }> {
  let run: RunDir;
  let preset: Preset;
  let source: string;
  const resuming = 'resume' in target;
  if ('resume' in target) {
    run = new RunDir(target.resume);
    const meta = await readRunMeta(run);
    preset = meta.preset;
    source = meta.data;
  } else {
    preset = target.preset;
    source = target.data;
    run = await RunDir.create(target.out);
    if (await run.exists('trainer_state.safetensors')) throw new InputError(`train: ${target.out} already holds a run (use --resume ${target.out} to continue it, or another --out)`);
  }
  const progress = o.progress ?? {};
  progress.start?.(preset);
  const note = (m: string) => progress.note?.(m);
  const data = await prepareTrainingData(source, preset.data.tokenizer, resuming ? await run.readJson('tokenizer.json') : undefined, note);
  note(data.description);
  const tok = data.tokenizer;
  const recipe = buildRecipe(preset, data);
  const model = new HookedTransformer(recipe.config, undefined, tok);

  let resume;
  if (resuming) {
    resume = await run.loadCheckpoint();
    await run.rewriteMetrics((await run.readMetrics()).filter((r) => r.step <= resume!.step));
    note(`resuming at step ${resume.step}`);
  } else {
    await run.writeJson('tokenizer.json', tok.toJSON());
    await run.writeJson('run.json', { preset, data: source, dataDescription: data.description, mix: recipe.train.describe() } satisfies RunMeta);
  }
  progress.training?.();
  const started = performance.now();
  const outcome = await train(model, recipe.train, recipe.validation, preset.train, {
    ...(o.signal ? { signal: o.signal } : {}),
    onStep: (s, loss, tps) => progress.step?.(s, loss, tps, started),
    saveCheckpoint: (c) => run.saveCheckpoint(model.cfg, c),
    probe: async (m, step) => (recipe.probeAt(step) ? trainingProbes(m, recipe.icl) : {}),
    onMetrics: async (r: MetricsRecord) => {
      await run.appendMetrics(r);
      progress.metrics?.(r);
    },
  }, resume);
  note(outcome.message);
  return { run, outcome };
}

/** How far the run in `dir` got: `done` at the preset's last step, `partial` when stopped earlier, `absent`. */
export async function runStatus(dir: string, steps: number): Promise<'done' | 'partial' | 'absent'> {
  const run = new RunDir(dir);
  if (!(await run.exists('trainer_state.safetensors'))) return 'absent';
  const done = await run.readMetrics();
  return (done.at(-1)?.step ?? 0) < steps ? 'partial' : 'done';
}

/** A run's run.json. */
export async function readRunMeta(run: RunDir | string): Promise<RunMeta> {
  return (await (typeof run === 'string' ? new RunDir(run) : run).readJson('run.json')) as RunMeta;
}
