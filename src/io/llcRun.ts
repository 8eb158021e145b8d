/**
 * The LLC over a training run's checkpoints (circuitscope llc, and reproduce's induction-stage check): reads the
 * run's description, rebuilds its training data through its recipe, and runs analysis/llc's llcOverTraining.
 */
import {
  inductionRise, inductionScoreSeries, inductionStageReport, inductionWindow, llcOverTraining, stageCheckpoints, type InductionStageReport, type InductionWindow, type LLCOptions,
  type LLCOverTraining, type LLCPoint, type SeriesPoint, type TokenBatches,
} from '../analysis/llc/index.js';
import { tokenRows } from '../data/index.js';
import { InputError } from '../engine/errors.js';
import { Rng } from '../engine/random.js';
import type { Tensor } from '../engine/tensor.js';
import { activeSeqLenWarmup, buildAdditionRecipe, buildModularRecipe, buildRecipe, curriculumLength } from '../train/recipes.js';
import { listCheckpoints } from './checkpoints.js';
import { openRun, validationRows } from './runCheckpoints.js';
import { loadModel } from './loadModel.js';
import { RunDir } from './runDir.js';
import { prepareTrainingData } from './trainingData.js';

export interface LLCRunOptions {
  llc?: LLCOptions;
  /** Sequences per batch (default 8); for a task run (grokking) the default is the full batch it trained on. */
  batchSize?: number;
  /** Distinct batches drawn from the run's training mix and cycled (default 64). */
  batches?: number;
  /** Also essential dynamics on a fixed probe (8 validation windows of 32 tokens; a task run's held-out rows). */
  essentialDynamics?: boolean;
  /** Only these checkpoint steps (default: all). */
  steps?: readonly number[];
  /**
   * Which of the run's training data (a corpus run): 'mix', the mix it trained on after any curriculum (the
   * default), or 'curriculum', the induction task it trained on for its first steps (an error if it had none).
   */
  data?: 'mix' | 'curriculum';
  /** Called once the data are ready, with what the batches are. */
  onStart?(checkpoints: number, batchSize: number, description: string): void;
  onCheckpoint?(step: number, index: number, count: number, point: LLCPoint): void;
}

/** The LLC at every checkpoint of the run in `dir`, on its own training data; one-line errors for what is missing. */
export async function llcOverTrainingRun(dir: string, o: LLCRunOptions = {}): Promise<LLCOverTraining> {
  const { run, meta } = await openRun(dir, 'llc');
  if (!meta) throw new InputError(`llc: ${dir}: not a training run (no run.json); the LLC is estimated on the data a run trained on`);
  if (!meta.preset?.train || typeof meta.data !== 'string') throw new InputError(`llc: ${run.path('run.json')}: no preset or data in it`);
  let checkpoints = await listCheckpoints(dir);
  if (o.steps) checkpoints = checkpoints.filter((c) => o.steps!.includes(c.step));
  if (checkpoints.length === 0) throw new InputError(`llc: ${dir}/checkpoints holds no complete checkpoint${o.steps ? ' at the steps asked for' : ''} (train --checkpoints log:N keeps them)`);

  const preset = structuredClone(meta.preset);
  const distinct = o.batches ?? 64;
  const seed = o.llc?.seed ?? 0;
  let pool: Tensor<'int64'>[];
  let description: string;
  let probe: number[][] | undefined;
  let lossVocabulary: readonly number[] | null = null;
  let m = o.batchSize ?? 8;
  if (preset.data.task?.kind === 'addition') {
    // Fresh problems every step (never a held-out pair): `distinct` batches of m of them, cycled.
    m = o.batchSize ?? 64;
    preset.train.batchSize = m;
    const recipe = buildAdditionRecipe(preset);
    pool = Array.from({ length: distinct }, () => recipe.train.next());
    description = recipe.train.describe();
    if (o.essentialDynamics) probe = recipe.heldOut.slice(0, 64).map((r) => r.slice(0, recipe.config.n_ctx));
  } else if (preset.data.task) {
    // A synthetic task (grokking): the run trained on one full batch; batchSize draws row subsets of it instead.
    const recipe = buildModularRecipe(preset);
    const full = recipe.train.next();
    const rows = full.shape[0]!;
    m = o.batchSize === undefined ? rows : Math.min(o.batchSize, rows);
    pool = m === rows ? [full] : sampleRows(full, m, distinct, seed);
    description = `${recipe.train.describe()}${m === rows ? ' (the full batch, as trained)' : `, ${m} of them per batch`}`;
    if (o.essentialDynamics) probe = tokenRows(recipe.icl).map((r) => r.slice(0, recipe.config.n_ctx));
  } else {
    const data = await prepareTrainingData(meta.data, preset.data.tokenizer, await run.readJson('tokenizer.json'));
    preset.train.batchSize = m;
    const curriculum = curriculumLength(preset.data.curriculum, await run.readMetrics());
    // A curriculum its loss ended is replayed as the fixed-length one it turned out to be: the same batches (the
    // same ids: `ids` stays).
    if (preset.data.curriculum) {
      const { untilLoss: _ended, ...fixed } = preset.data.curriculum;
      preset.data.curriculum = { ...fixed, steps: curriculum };
    }
    // A sequence-length warm-up draws its own rows a step: for the curriculum (inside it) ask for m of them; the
    // mix is read after it, at the run's length.
    const warmup = activeSeqLenWarmup(preset);
    if (warmup && o.data === 'curriculum') preset.data.seqLenWarmup = { ...warmup, rows: m };
    const recipe = buildRecipe(preset, data);
    if (o.data === 'curriculum') {
      if (curriculum <= 0) throw new InputError(`llc: ${run.path('run.json')}: the run had no curriculum to estimate the LLC on`);
      // The curriculum's first batches (the run drew them in this order, with its batch size).
      pool = Array.from({ length: Math.min(distinct, curriculum) }, () => recipe.train.next());
      // Its loss ranged over the ids it draws (and the BOS) when those are fewer than the vocabulary: so does the LLC's.
      lossVocabulary = recipe.train.lossVocabulary?.() ?? null;
      m = pool[0]!.shape[0]!;
      description = `the curriculum: ${recipe.train.describe().split('; then ')[0]}`;
    } else {
      // The run's training mix after any curriculum (and any warm-up): skip those batches, keep `distinct` to cycle.
      for (let i = 0; i < Math.max(curriculum, warmup?.steps ?? 0); i++) recipe.train.next();
      pool = Array.from({ length: distinct }, () => recipe.train.next());
      description = recipe.train.describe();
    }
    if (o.essentialDynamics) {
      const length = Math.min(32, recipe.config.n_ctx);
      probe = validationRows(data, length, recipe.config.bos_token_id, `llc: ${meta.data}: too little validation text for the essential-dynamics probe`);
    }
  }
  const batches = (): TokenBatches => {
    let at = 0;
    return { batchSize: m, next: () => pool[at++ % pool.length]! };
  };
  o.onStart?.(checkpoints.length, m, description);
  return llcOverTraining(checkpoints.map((c) => ({ step: c.step, load: () => loadModel(c.dir) })), {
    batches, lossFrom: preset.train.lossFrom ?? 0, ...(lossVocabulary ? { lossVocabulary } : {}), ...(o.llc ? { llc: o.llc } : {}), ...(probe ? { probe } : {}),
    ...(o.onCheckpoint ? { onCheckpoint: o.onCheckpoint } : {}),
  });
}

/** `count` batches of `m` rows drawn without replacement (per batch) from `full`, seeded. */
function sampleRows(full: Tensor<'int64'>, m: number, count: number, seed: number): Tensor<'int64'>[] {
  const [rows, width] = full.shape as [number, number];
  const rng = new Rng(seed + 7);
  return Array.from({ length: count }, () => {
    const pick = rng.shuffle(Array.from({ length: rows }, (_, i) => i)).slice(0, m);
    const data = new BigInt64Array(m * width);
    pick.forEach((r, i) => data.set(full.data.subarray(r * width, (r + 1) * width), i * width));
    return { dtype: 'int64' as const, shape: [m, width], data };
  });
}

/** reproduce's induction-stage check: the LLC settings beside how many checkpoints to spend them on. */
export interface InductionStageCheckOptions extends Omit<LLCRunOptions, 'steps' | 'data' | 'essentialDynamics'> {
  /** At most this many checkpoints get an LLC estimate (default 8): see stageCheckpoints. */
  maxCheckpoints?: number;
}

export interface InductionStageCheck {
  llc: LLCOverTraining;
  report: InductionStageReport;
  /** The stretch of training compared, and whose data the LLC was estimated on. */
  window: InductionWindow;
  /** The induction score over that stretch (the largest head's, from metrics.jsonl). */
  scores: SeriesPoint[];
}

/**
 * For `reproduce`: the LLC at the run's kept checkpoints around the induction head's formation beside the induction
 * score in its metrics.jsonl, as inductionStageReport compares them (the LLC before and after the induction head
 * forms, and whether a stage boundary falls within the steps where the induction score rises). When the score rose
 * during the run's curriculum, the LLC is estimated on the curriculum's data (what the model was trained on at
 * those steps) and only the curriculum's steps are compared; otherwise on the mix after it (inductionWindow).
 */
export async function inductionStageCheck(dir: string, o: InductionStageCheckOptions = {}): Promise<InductionStageCheck> {
  const { meta } = await openRun(dir, 'llc');
  const metrics = await new RunDir(dir).readMetrics();
  const all = inductionScoreSeries(metrics);
  if (all.length < 2) throw new InputError(`llc: ${dir}/metrics.jsonl holds fewer than 2 induction scores (the head probes run every --eval-every steps)`);
  const curriculum = curriculumLength(meta?.preset?.data?.curriculum, metrics);
  const kept = (await listCheckpoints(dir)).map((c) => c.step);
  const window = inductionWindow(all, curriculum, all.at(-1)!.step, kept);
  const scores = all.filter((p) => p.step >= window.from && p.step <= window.to);
  const rise = inductionRise(scores.length >= 2 ? scores : all);
  const steps = stageCheckpoints(kept, rise, window, { max: o.maxCheckpoints ?? 8 });
  if (steps.length < 3) throw new InputError(`llc: ${dir}/checkpoints holds ${steps.length} checkpoint${steps.length === 1 ? '' : 's'} within steps ${window.from}-${window.to}; the stages need at least 3 (train --checkpoints log:N)`);
  const llc = await llcOverTrainingRun(dir, { ...o, steps, data: window.data });
  const report = inductionStageReport(llc.points.map((p) => ({ step: p.step, value: p.llcMean })), scores.length >= 2 ? scores : all);
  return { llc, report, window, scores };
}
