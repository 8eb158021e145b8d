import type { Tensor } from '../engine/tensor.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import type { StateDict } from '../model/weights.js';
import { checkpointSteps, type CheckpointSchedule } from './checkpointSchedule.js';
import { learningRate } from './schedule.js';
import { tilePositions } from './tilePositions.js';
import { TrainStep, type OptimizerConfig } from './trainStep.js';

/**
 * Where training batches come from: `[batch, seqLen + 1]` int64 token ids, resumable from a saved state. A phase of
 * the source may give shorter sequences (`[rows, len + 1]`, len < seqLen, usually with rows x len = batch x seqLen):
 * a sequence-length warm-up. The trainer compiles a step for each shape it meets. When the sequences get longer than
 * any trained so far, it lengthens the model as a continuation would: the new positions start as copies of the
 * trained ones (`tilePositions`), AdamW starts afresh and the learning-rate schedule restarts (its warm-up, then
 * its decay over the steps left). A switch to shorter sequences carries AdamW's state across.
 */
export interface BatchSource {
  next(): Tensor<'int64'>;
  /** JSON-serialisable state from which `restore` continues with exactly the same batches. */
  state(): unknown;
  restore(state: unknown): void;
  /** A short description of the data, for metrics and `reproduce` (e.g. "brown 90% + repeated spans 10%"). */
  describe(): string;
  /**
   * Sees each metrics record after the probes ran (a curriculum that ends when a probe crosses a threshold reads
   * them here); what it returns is merged into the record. The change it makes must show in `state()`.
   */
  observe?(record: MetricsRecord): Record<string, unknown> | void;
  /**
   * The output ids the loss of the batch `next` last gave ranges over (null or absent: every id): the training loss
   * is then the cross-entropy of the softmax over these alone (TrainStep's `lossVocabulary`). A curriculum on a few
   * ids of a large vocabulary returns its ids and the BOS. Give the same array each time for the same set.
   */
  lossVocabulary?(): readonly number[] | null;
}

export interface TrainConfig extends OptimizerConfig {
  steps: number;
  batchSize: number;
  seqLen: number;
  lr: number;
  minLr?: number;
  warmup: number;
  /** Decay the learning rate over the last this many steps only, constant before (schedule.ts; absent: all of them). */
  decay?: number;
  /** Log metrics every this many steps (and at the last). */
  logEvery: number;
  /** Validation loss every this many steps (0: never). */
  evalEvery: number;
  evalBatches: number;
  /** Checkpoint every this many steps (0: only at the end and on stop). */
  checkpointEvery: number;
  /** The first position whose prediction counts in the loss (default 0: all; modular addition: 2, the '='). */
  lossFrom?: number;
  /** Checkpoints kept over the run (`--checkpoints log:N|every:K`), beside the one that resumes it. */
  keepCheckpoints?: CheckpointSchedule;
}

/** Everything needed to continue a run exactly where it stopped. */
export interface Checkpoint {
  step: number;
  tokens: number;
  weights: StateDict;
  /** AdamW moments by weight name, and AdamW's update count. */
  m: StateDict;
  v: StateDict;
  optimizerStep: number;
  data: unknown;
  /** The sequence length trained at and the step the schedule last started from (absent: 0, and the next batch's). */
  phase?: TrainPhase;
}

/** Where a run stands in its sequence lengths: the longest trained so far and the step its schedule started at. */
export interface TrainPhase {
  seqLen: number;
  since: number;
}

/** One line of metrics.jsonl. */
export interface MetricsRecord {
  step: number;
  tokens: number;
  /** The training batch's loss: over `loss_vocabulary` ids when it is there, else over every id. */
  loss: number;
  /** How many ids the step's loss ranged over, when fewer than all (a curriculum on a few ids: BatchSource.lossVocabulary). */
  loss_vocabulary?: number;
  lr: number;
  tokens_per_s: number;
  grad_norm: number;
  /** Gradient norm per weight (W_Q, W_K, ...), so a stuck attention (gradients ~1e-10) is visible. */
  grad_norms?: Record<string, number>;
  val_loss?: number;
  elapsed_s: number;
  [probe: string]: unknown;
}

export interface TrainHooks {
  /** Called with each metrics record (after probes ran). */
  onMetrics?(r: MetricsRecord): void | Promise<void>;
  /** Extra measurements merged into the record at each log step (the CLI adds head detector scores here). */
  probe?(model: HookedTransformer, step: number): Promise<Record<string, unknown>>;
  /** Keeps the weights at a step of `keepCheckpoints` (step 0: the initial weights), as a model of the run's history. */
  keepCheckpoint?(step: number, weights: StateDict): Promise<void>;
  /** Persists a checkpoint (the io layer writes it atomically). */
  saveCheckpoint?(c: Checkpoint): Promise<void>;
  /** Called after every step with its loss (progress bars). */
  onStep?(step: number, loss: number, tokensPerS: number): void;
  /** Aborting stops after the current step; a checkpoint is saved first. */
  signal?: AbortSignal;
}

export interface TrainOutcome {
  status: 'done' | 'stopped' | 'diverged';
  step: number;
  tokens: number;
  finalLoss: number;
  message: string;
}

export class TrainingDiverged extends Error {
  override name = 'TrainingDiverged';
}

/**
 * Trains `model` in place: AdamW with linear warm-up and cosine decay, clipping, validation, metrics, atomic
 * checkpoints through the hooks, resumable (from `resume`, the same losses as a run that never stopped), and a
 * guard that stops on a non-finite loss keeping the last good weights.
 */
export async function train(
  model: HookedTransformer, data: BatchSource, val: BatchSource | null, cfg: TrainConfig, hooks: TrainHooks = {}, resume?: Checkpoint,
): Promise<TrainOutcome> {
  // One compiled step per batch shape: the preset's, which validation also uses, and any shorter one a phase of the
  // source gives. Every step reads the current weights (model.weights). A switch to a length no longer than any
  // trained hands AdamW's moments and count across; a longer one lengthens the run as a continuation (above).
  // A loss over fewer ids (BatchSource.lossVocabulary) is a step of its own for the shape; it hands AdamW's state on
  // as a shape change does.
  const main = new TrainStep(model, cfg.batchSize, cfg.seqLen, cfg, cfg.lossFrom ?? 0);
  const byShape = new Map<string, TrainStep>([[`${cfg.batchSize}x${cfg.seqLen}`, main]]);
  let step = main;
  let phase: TrainPhase | null = resume?.phase ? { ...resume.phase } : null;
  const vocabKeys = new Map<readonly number[], string>();
  const stepFor = (rows: number, len: number, at: number, vocab: readonly number[] | null): TrainStep => {
    let key = `${rows}x${len}`;
    if (vocab) {
      if (!vocabKeys.has(vocab)) vocabKeys.set(vocab, vocab.join(','));
      key += `:${vocabKeys.get(vocab)!}`;
    }
    let next = byShape.get(key);
    if (!next) byShape.set(key, next = new TrainStep(model, rows, len, cfg, cfg.lossFrom ?? 0, vocab));
    const longer = phase !== null && len > phase.seqLen;
    if (longer) {
      model.weights = tilePositions(model.weights, phase!.seqLen, len);
      next.resetOptimizer();
      phase = { seqLen: len, since: at };
    } else if (next !== step) {
      next.m = { ...step.m };
      next.v = { ...step.v };
      next.t = step.t;
    }
    phase ??= { seqLen: len, since: 0 };
    step = next;
    return step;
  };
  const kept = new Set(cfg.keepCheckpoints ? checkpointSteps(cfg.keepCheckpoints, cfg.steps) : []);
  const keep = async (at: number) => { if (kept.has(at)) await hooks.keepCheckpoint?.(at, { ...model.weights }); };
  let s = 0;
  let tokens = 0;
  if (resume) {
    model.weights = { ...resume.weights };
    step.m = { ...resume.m };
    step.v = { ...resume.v };
    step.t = resume.optimizerStep;
    s = resume.step;
    tokens = resume.tokens;
    data.restore(resume.data);
  }
  const started = performance.now();
  let windowStart = performance.now();
  let windowTokens = 0;
  let last = NaN;
  const checkpoint = (): Checkpoint => ({
    step: s, tokens, weights: { ...model.weights }, m: { ...step.m }, v: { ...step.v }, optimizerStep: step.t, data: data.state(),
    ...(phase ? { phase: { ...phase } } : {}),
  });
  // The state one step back (references only: every step makes new arrays), so that a divergent step can be
  // undone to weights whose loss was finite.
  let previous: Checkpoint | null = null;
  if (!resume) await keep(0);
  while (s < cfg.steps) {
    if (hooks.signal?.aborted) {
      await hooks.saveCheckpoint?.(checkpoint());
      return { status: 'stopped', step: s, tokens, finalLoss: last, message: `stopped at step ${s}; resume with --resume` };
    }
    const before = checkpoint();
    const batch = trainingBatch(data.next(), cfg.batchSize, cfg.seqLen);
    const [rows, width] = batch.shape as [number, number];
    const perStep = rows * (width - 1);
    const run = stepFor(rows, width - 1, s, data.lossVocabulary?.() ?? null);
    const since = phase!.since;
    const lr = learningRate(s - since, { lr: cfg.lr, warmup: cfg.warmup, total: cfg.steps - since, minLr: cfg.minLr, decay: cfg.decay });
    const r = await run.run(batch, lr);
    if (!Number.isFinite(r.loss)) {
      // The weights that gave this loss came from the previous update: go back to the ones before it.
      const good = previous ?? before;
      model.weights = { ...good.weights };
      step.m = { ...good.m };
      step.v = { ...good.v };
      step.t = good.optimizerStep;
      phase = good.phase ?? null;
      data.restore(good.data);
      await hooks.saveCheckpoint?.(good);
      return {
        status: 'diverged', step: good.step, tokens: good.tokens, finalLoss: r.loss,
        message: `loss became ${r.loss} at step ${s + 1} (learning rate ${lr.toExponential(2)}); kept the weights of step ${good.step}, the last with a finite loss: lower --lr or raise --warmup`,
      };
    }
    previous = before;
    s++;
    tokens += perStep;
    windowTokens += perStep;
    last = r.loss;
    const now = performance.now();
    const tps = windowTokens / ((now - windowStart) / 1000);
    hooks.onStep?.(s, r.loss, tps);
    await keep(s);
    if (s % cfg.logEvery === 0 || s === cfg.steps) {
      const rec: MetricsRecord = {
        step: s, tokens, loss: r.loss, lr, tokens_per_s: tps, grad_norm: r.gradNorm, grad_norms: r.gradNorms,
        elapsed_s: (now - started) / 1000, ...(run.lossVocabulary ? { loss_vocabulary: run.lossVocabulary.length } : {}),
      };
      if (val && cfg.evalEvery > 0 && (s % cfg.evalEvery === 0 || s === cfg.steps)) rec.val_loss = await validationLoss(main, val, cfg);
      if (hooks.probe) Object.assign(rec, await hooks.probe(model, s));
      Object.assign(rec, data.observe?.(rec) ?? {});
      await hooks.onMetrics?.(rec);
      windowStart = performance.now();
      windowTokens = 0;
    }
    if (cfg.checkpointEvery > 0 && s % cfg.checkpointEvery === 0 && s < cfg.steps) await hooks.saveCheckpoint?.(checkpoint());
  }
  await hooks.saveCheckpoint?.(checkpoint());
  return { status: 'done', step: s, tokens, finalLoss: last, message: `trained ${s} steps (${tokens} tokens)` };
}

/** Mean next-token loss over `evalBatches` batches of the validation source (restored afterwards, so it is repeatable). */
export async function validationLoss(step: TrainStep, val: BatchSource, cfg: Pick<TrainConfig, 'evalBatches' | 'batchSize' | 'seqLen'>): Promise<number> {
  const saved = val.state();
  let total = 0;
  for (let i = 0; i < cfg.evalBatches; i++) total += await step.evalLoss(toBatch(val.next(), cfg.batchSize, cfg.seqLen));
  val.restore(saved);
  return total / cfg.evalBatches;
}

/**
 * A training batch: `[batch, seqLen + 1]`, or a shorter phase's `[rows, len + 1]` with len < seqLen. Anything else (a
 * source built for another batch size or a longer context) fails here, not deep in the graph.
 */
function trainingBatch(t: Tensor<'int64'>, B: number, T: number): Tensor<'int64'> {
  if (t.dtype === 'int64' && t.shape.length === 2 && t.shape[0]! >= 1 && t.shape[1]! >= 2 && t.shape[1]! < T + 1) return t;
  return toBatch(t, B, T);
}

/** Checks a batch's shape (a source built for another batch size or context fails here, not deep in the graph). */
function toBatch(t: Tensor<'int64'>, B: number, T: number): Tensor<'int64'> {
  if (t.dtype !== 'int64' || t.shape.length !== 2 || t.shape[0] !== B || t.shape[1] !== T + 1) {
    throw new Error(`batch source gave ${t.dtype} [${t.shape.join(', ')}], expected int64 [${B}, ${T + 1}]`);
  }
  return t;
}
