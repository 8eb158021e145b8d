import type { Tensor } from '../engine/tensor.js';
import {
  BatchIterator, modularAdditionDataset, modularAdditionTensor, type ModularAdditionDataset, describeMix, evaluationBatches, PROBE_LENGTHS, RepeatedRandomTokens, textMix, type BatchState, type MixEntry,
  type RepeatLengths,
} from '../data/index.js';
import { Rng } from '../engine/random.js';
import { ADDITION_HELD_OUT_EVERY, ADDITION_VOCAB_SIZE, additionLayout, additionTokens, heldOutProblems, isHeldOut } from '../data/addition.js';
import { validateConfig, type ConfigInput, type HookedTransformerConfig } from '../model/config.js';
import type { Curriculum, Preset, SeqLenWarmup } from './presets.js';
import type { BatchSource, TrainConfig } from './trainer.js';
import { tilePositions } from './tilePositions.js';
import { initWeights, type StateDict } from '../model/weights.js';

/** What a recipe needs of the tokenizer the corpus was tokenised with. */
export interface RecipeTokenizer {
  readonly name: string;
  /** Number of token ids, BOS included: the model's d_vocab. */
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
}

/** A corpus already split and tokenised (reading and tokenising files is the caller's: src/io, or a page). */
export interface RecipeData {
  tokenizer: RecipeTokenizer;
  /** The training documents' tokens, one stream (data's tokenizeDocuments). */
  train: Int32Array;
  /** The validation documents' tokens. */
  validation: Int32Array;
}

/** Everything a preset trains on and is measured with, built without touching a file. */
export interface Recipe {
  /** The model's config: the preset's, with d_vocab, BOS and tokenizer name taken from the tokenizer. */
  config: HookedTransformerConfig;
  /** Training batches `[batchSize, seqLen + 1]`: the curriculum (when the preset has one), then the mix. Resumable. */
  train: BatchSource;
  /** Fixed validation batches, cycled (null: the task measures held-out data its own way, as modular addition does). */
  validation: BatchSource | null;
  /** The held-out batch the in-context-learning score is measured on (the first validation batch). */
  icl: Tensor<'int64'>;
  /** Whether the head probes run at this step: every `evalEvery` steps and at the last. */
  probeAt(step: number): boolean;
  /**
   * The positions the model has trained on after `step` steps: the warm-up's length while a sequence-length
   * warm-up lasts (the rows of W_pos past it have had no gradient yet), the run's `seqLen` after it; absent for a
   * task recipe. The training probes read no position past it.
   */
  trainedContext?(step: number): number;
  /** The weights training starts from (absent: `initWeights(config)`, as a new HookedTransformer draws them). */
  initialWeights?(): StateDict;
}

/** The repeat lengths the induction task trains on: 8 up to half the sequence, never a probe's length. */
export function inductionTaskLengths(length: number): RepeatLengths {
  return { min: 8, max: Math.floor((length - 1) / 2), exclude: [...new Set(Object.values(PROBE_LENGTHS))].sort((a, b) => a - b) };
}

/**
 * A preset's data recipe on a tokenised corpus: the model config, the training batches (text windows, a share of
 * them with a repeated span, a share of the induction task itself, after an optional curriculum of the induction
 * task alone), the validation batches and the in-context-learning probe. Pure: the browser runs it as it is.
 */
export function buildRecipe(preset: Preset, data: RecipeData): Recipe {
  const tok = data.tokenizer;
  const config = validateConfig({ ...preset.model, d_vocab: tok.vocabSize, bos_token_id: tok.bosTokenId, tokenizer_name: tok.name } as ConfigInput, `preset ${preset.name}`);
  const tc = preset.train;
  const length = tc.seqLen + 1;
  const randomShare = preset.data.randomRepeatFraction ?? 0;
  const mixOf = (len: number): MixEntry[] => {
    const mix = textMix(data.train, { length: len, bosTokenId: tok.bosTokenId, repeatShare: preset.data.repeatFraction / Math.max(1e-9, 1 - randomShare) })
      .map((m) => ({ ...m, share: m.share * (1 - randomShare) }));
    if (randomShare > 0) {
      mix.push({ source: new RepeatedRandomTokens({ length: len, dVocab: tok.vocabSize, bosTokenId: tok.bosTokenId, repeat: inductionTaskLengths(len) }), share: randomShare });
    }
    return mix;
  };
  const opts = { batchSize: tc.batchSize, seed: config.seed ?? 0 };
  const w = activeSeqLenWarmup(preset);
  const train = w
    ? seqLenWarmupSource(
      curriculumSource(mixOf(w.seqLen + 1), preset.data.curriculum, { length: w.seqLen + 1, bosTokenId: tok.bosTokenId }, { ...opts, batchSize: warmupRows(tc, w) }, tok.vocabSize, data.train),
      mixOf(length), opts, w, tc.seqLen,
    )
    : curriculumSource(mixOf(length), preset.data.curriculum, { length, bosTokenId: tok.bosTokenId }, opts, tok.vocabSize, data.train);
  // Built on first use: a reader of the training batches alone (the LLC's) needs no validation text.
  let valBatches: Tensor<'int64'>[] | null = null;
  const evaluation = () => valBatches ??= evaluationBatches(data.validation, { batchSize: tc.batchSize, length, bosTokenId: tok.bosTokenId, maxBatches: tc.evalBatches });
  let valAt = 0;
  const validation: BatchSource = {
    next: () => {
      const batches = evaluation();
      return batches[valAt++ % batches.length]!;
    },
    state: () => valAt,
    restore: (s) => { valAt = s as number; },
    describe: () => 'validation',
  };
  return {
    config, train, validation, get icl() { return evaluation()[0]!; }, probeAt: (step) => step % tc.evalEvery === 0 || step === tc.steps,
    trainedContext: (step) => trainedContext(preset, step),
    ...(w ? { initialWeights: () => warmupInitialWeights(config, w.seqLen) } : {}),
  };
}

/**
 * A warm-up run's first weights: drawn as for a model of the warm-up's context (`n_ctx = seqLen`), so that the run
 * starts as the run at that length would, then W_pos tiled to the run's n_ctx. Positions past the warm-up get no
 * gradient before the switch, where the trainer tiles them again from the trained ones (`tilePositions`).
 */
export function warmupInitialWeights(config: HookedTransformerConfig, seqLen: number): StateDict {
  const short = initWeights({ ...config, n_ctx: seqLen });
  const pos = short['pos_embed.W_pos'];
  if (!pos) return short;
  const d = config.d_model;
  const data = new Float32Array(config.n_ctx * d);
  data.set(pos.data);
  return tilePositions({ ...short, 'pos_embed.W_pos': { dtype: 'float32', shape: [config.n_ctx, d], data } }, seqLen, config.n_ctx);
}

/** The preset's sequence-length warm-up when it has one that shortens anything (null otherwise). */
export function activeSeqLenWarmup(preset: Pick<Preset, 'data' | 'train'>): SeqLenWarmup | null {
  const w = preset.data.seqLenWarmup;
  return w && w.steps > 0 && w.seqLen < preset.train.seqLen ? w : null;
}

/**
 * The positions a text run of `preset` has trained on after `step` steps: the warm-up's length while it lasts (the
 * rows of W_pos past it have had no gradient), the run's `seqLen` after it (`Recipe.trainedContext`).
 */
export function trainedContext(preset: Pick<Preset, 'data' | 'train'>, step: number): number {
  const w = activeSeqLenWarmup(preset);
  return w && step <= w.steps ? w.seqLen : preset.train.seqLen;
}

/** Rows a step during the warm-up: its own `rows`, else the same tokens as the run's batch at its shorter length. */
export function warmupRows(tc: Pick<TrainConfig, 'batchSize' | 'seqLen'>, w: SeqLenWarmup): number {
  return w.rows ?? Math.max(1, Math.round((tc.batchSize * tc.seqLen) / w.seqLen));
}

/**
 * Sequence-length warm-up: `short` (the curriculum and the mix at `w.seqLen`, more rows) for the first `w.steps`
 * batches, then the mix at the run's length. The state holds both sources and how many batches were given, so a
 * run resumes on either side of the switch; a curriculum inside the warm-up still ends on its loss.
 */
function seqLenWarmupSource(short: BatchSource, longMix: MixEntry[], opts: { batchSize: number; seed: number }, w: SeqLenWarmup, seqLen: number): BatchSource {
  let given = 0;
  let long = new BatchIterator(longMix, opts);
  return {
    next: () => (given++ < w.steps ? short.next() : long.nextBatch().tokens),
    state: () => ({ given, short: short.state(), long: long.state() }),
    restore: (s) => {
      const st = s as { given: number; short: unknown; long: BatchState };
      given = st.given;
      short.restore(st.short);
      long = new BatchIterator(longMix, opts, st.long);
    },
    observe: (rec) => (given <= w.steps ? short.observe?.(rec) : undefined),
    lossVocabulary: () => (given <= w.steps ? short.lossVocabulary?.() ?? null : null),
    describe: () => `the first ${w.steps} steps at ${w.seqLen} tokens: ${short.describe()}; then at ${seqLen} tokens: ${describeMix(new BatchIterator(longMix, opts).describe())}`,
  };
}

/**
 * The training batches: the main mix, preceded (when the preset has a curriculum) by batches of the induction task
 * on a small alphabet, for `curriculum.steps` steps or until its loss shows an induction head (`untilLoss`).
 * Resumable: the state says which phase, where in it, and when the curriculum ended.
 */
function curriculumSource(
  mix: MixEntry[], curriculum: Curriculum | undefined, seq: { length: number; bosTokenId: number | null },
  opts: { batchSize: number; seed: number }, vocabSize: number, text: Int32Array,
): BatchSource {
  const ids = curriculum?.ids === 'frequent' ? frequentIds(text, curriculum.vocab, seq.bosTokenId) : undefined;
  const warm = curriculum && curriculum.steps > 0
    ? new RepeatedRandomTokens({ length: seq.length, dVocab: Math.min(curriculum.vocab, vocabSize), bosTokenId: seq.bosTokenId, repeat: inductionTaskLengths(seq.length), ...(ids ? { ids } : {}) })
    : null;
  const warmOpts = { ...opts, seed: opts.seed + 1 };
  const vocabulary = warm ? curriculumVocabulary(ids ?? Math.min(curriculum!.vocab, vocabSize), seq.bosTokenId, vocabSize) : null;
  let phase = warm ? 0 : 1;
  let endedAt: number | null = null;
  let it = new BatchIterator(warm ?? mix, warm ? warmOpts : opts);
  const toMix = () => {
    phase = 1;
    endedAt ??= it.step;
    it = new BatchIterator(mix, opts);
  };
  const until = curriculum?.untilLoss;
  return {
    next: () => {
      if (phase === 0 && it.step >= curriculum!.steps) toMix();
      return it.nextBatch().tokens;
    },
    state: () => ({ phase, batches: it.state(), ...(endedAt !== null ? { curriculumEnded: endedAt } : {}) }),
    restore: (s) => {
      const st = s as { phase: number; batches: BatchState; curriculumEnded?: number };
      phase = st.phase;
      endedAt = st.curriculumEnded ?? null;
      it = new BatchIterator(phase === 0 ? warm! : mix, phase === 0 ? warmOpts : opts, st.batches);
    },
    lossVocabulary: () => (phase === 0 ? vocabulary : null),
    observe: (rec) => {
      if (phase !== 0 || until === undefined || !(rec.loss < until)) return;
      toMix();
      return { curriculum_ended: endedAt };
    },
    describe: () => `${warm ? `${describeCurriculum(curriculum!)}: ${warm.describe()}; then ` : ''}${describeMix(new BatchIterator(mix, opts).describe())}`,
  };
}

/**
 * The ids a curriculum's loss ranges over: the ids it draws (`ids`, or those below `drawn`) and the BOS every row
 * starts with; null when that is the whole vocabulary (the byte preset's 256 bytes), so such a run trains as it
 * always has. Over a large vocabulary the restriction is what lets the curriculum work: a 2048-id model whose
 * curriculum draws 256 ids sat on the plateau past 2000 steps where a 256-id model leaves it by 1700, held there by
 * the softmax mass on ids it never sees (docs/reproduce.md).
 */
export function curriculumVocabulary(drawn: readonly number[] | number, bos: number | null, vocabSize: number): number[] | null {
  const ids = new Set(typeof drawn === 'number' ? Array.from({ length: drawn }, (_, i) => i) : drawn);
  if (bos !== null) ids.add(bos);
  return ids.size >= vocabSize ? null : [...ids].sort((a, b) => a - b);
}

/**
 * How many steps a run's curriculum lasted: the step its loss ended it at (`curriculum_ended` in its metrics), else
 * its `steps`; 0 without one.
 */
export function curriculumLength(c: Curriculum | undefined, records: readonly Record<string, unknown>[]): number {
  if (!c) return 0;
  const ended = records.find((r) => typeof r['curriculum_ended'] === 'number')?.['curriculum_ended'] as number | undefined;
  return ended ?? c.steps;
}

function describeCurriculum(c: Curriculum): string {
  return c.untilLoss === undefined
    ? `first ${c.steps} steps`
    : `until its loss is below ${c.untilLoss} nats (at most ${c.steps} steps)`;
}

/** A recipe with the modular-addition split it trains on and holds out. */
export interface ModularRecipe extends Recipe {
  dataset: ModularAdditionDataset;
}

/**
 * The grokking recipe (a preset with `data.task`): every step is the same full batch, the training split
 * `[a, b, =, c]` rows (`batchSize` must equal their number); there is no validation source, since the held-out
 * pairs are measured by the progress measures (analysis/grokking). Pure, no tokenizer: ids 0..p-1 are numbers, p '='.
 */
export function buildModularRecipe(preset: Preset): ModularRecipe {
  const task = preset.data.task;
  if (!task || task.kind !== 'modular-addition') throw new Error(`preset ${preset.name}: no modular-addition task`);
  const config = validateConfig({ ...preset.model, d_vocab: task.p + 1, d_vocab_out: task.p + 1, bos_token_id: null } as ConfigInput, `preset ${preset.name}`);
  const seed = config.seed ?? 0;
  const dataset = modularAdditionDataset(task.p, task.trainFraction, seed);
  const tc = preset.train;
  if (tc.batchSize !== dataset.train.length || tc.seqLen !== 3) {
    throw new Error(`preset ${preset.name}: a full batch of modular addition is batchSize ${dataset.train.length} and seqLen 3 (got ${tc.batchSize} and ${tc.seqLen})`);
  }
  const batch = modularAdditionTensor(dataset.train);
  let steps = 0;
  const train: BatchSource = {
    next: () => { steps++; return batch; },
    state: () => steps,
    restore: (s) => { steps = typeof s === 'number' ? s : 0; },
    describe: () => `modular addition a+b mod ${task.p}: all ${dataset.train.length} training pairs (${Math.round(task.trainFraction * 100)}%) every step, ${dataset.test.length} held out`,
  };
  return { config, train, validation: null, icl: modularAdditionTensor(dataset.test), probeAt: (step) => step % tc.evalEvery === 0 || step === tc.steps, dataset };
}

/** A recipe with the addition problems held out of training. */
export interface AdditionRecipe extends Recipe {
  digits: number;
  /** The held-out problems, as token rows `BOS a + b = c` (layout length 3 digits + 4). */
  heldOut: number[][];
}

/**
 * The addition recipe (a preset with `data.task.kind` 'addition'): each batch is `batchSize` fresh problems with
 * operands uniform in [0, 10^digits), never a held-out pair (data/addition's `isHeldOut`: 1 in
 * ADDITION_HELD_OUT_EVERY); `heldOut` of those pairs (drawn with the model's seed + 1) are measured. Batch
 * k is drawn from its own seed, so the state is the batch count. Validation cycles the held-out problems in batches
 * (the run's `val_loss`: answer positions only, as trained). Pure, no tokenizer: data/addition's ADDITION_TOKENS.
 */
export function buildAdditionRecipe(preset: Preset): AdditionRecipe {
  const task = preset.data.task;
  if (!task || task.kind !== 'addition') throw new Error(`preset ${preset.name}: no addition task`);
  const d = task.digits;
  const layout = additionLayout(d);
  const config = validateConfig({ ...preset.model, d_vocab: ADDITION_VOCAB_SIZE, bos_token_id: null } as ConfigInput, `preset ${preset.name}`);
  const tc = preset.train;
  if (tc.seqLen !== layout.length - 1 || (tc.lossFrom ?? 0) !== layout.answer.start - 1) {
    throw new Error(`preset ${preset.name}: ${d}-digit addition trains on seqLen ${layout.length - 1} with lossFrom ${layout.answer.start - 1} (got ${tc.seqLen} and ${tc.lossFrom ?? 0})`);
  }
  const seed = config.seed ?? 0;
  const heldOut = heldOutProblems(d, task.heldOut, seed + 1).map((p) => additionTokens(p.a, p.b, { digits: d }));
  const max = 10 ** d;
  const B = tc.batchSize;
  const L = layout.length;
  const rows = (n: number, row: (i: number) => number[]): Tensor<'int64'> => {
    const data = new BigInt64Array(n * L);
    for (let i = 0; i < n; i++) row(i).forEach((t, j) => { data[i * L + j] = BigInt(t); });
    return { dtype: 'int64', shape: [n, L], data };
  };
  let batches = 0;
  const train: BatchSource = {
    next: () => {
      const rng = new Rng((seed * 0x9e3779b1 + batches++ * 0x85ebca6b) >>> 0);
      return rows(B, () => {
        for (;;) {
          const a = rng.int(max);
          const b = rng.int(max);
          if (!isHeldOut(a, b)) return additionTokens(a, b, { digits: d });
        }
      });
    },
    state: () => batches,
    restore: (s) => { batches = typeof s === 'number' ? s : 0; },
    describe: () => `${d}-digit addition "a+b=c": ${B} fresh problems per step, 1 in ${ADDITION_HELD_OUT_EVERY} pairs held out (${heldOut.length} of them measured)`,
  };
  const valBatches = Array.from({ length: Math.max(1, Math.floor(heldOut.length / B)) }, (_, k) => rows(B, (i) => heldOut[(k * B + i) % heldOut.length]!));
  let valAt = 0;
  const validation: BatchSource = {
    next: () => valBatches[valAt++ % valBatches.length]!,
    state: () => valAt,
    restore: (s) => { valAt = s as number; },
    describe: () => 'held-out addition problems',
  };
  return {
    config, train, validation, icl: valBatches[0]!, probeAt: (step) => step % tc.evalEvery === 0 || step === tc.steps, digits: d, heldOut,
  };
}

/** The `count` ids most frequent in `text` (the BOS excepted), most frequent first; ties by the smaller id. */
export function frequentIds(text: ArrayLike<number>, count: number, bos: number | null): number[] {
  const n = new Map<number, number>();
  for (let i = 0; i < text.length; i++) { const t = text[i]!; if (t !== bos) n.set(t, (n.get(t) ?? 0) + 1); }
  return [...n.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, count).map(([t]) => t);
}
