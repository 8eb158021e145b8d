import type { ConfigInput } from '../model/config.js';
import type { TrainConfig } from './trainer.js';

/** What a preset trains on: the corpus, its tokenizer, and the share of sequences that repeat an earlier span. */
export interface DataSpec {
  /** 'brown' (embedded), or a path given on the command line. */
  corpus: 'brown';
  tokenizer: { kind: 'bpe'; vocabSize: number } | { kind: 'bytes' };
  /**
   * Share of training sequences in which a span of the sequence repeats an earlier span (random length and place).
   * DESIGN.md: on natural text alone no induction head forms within a 20-minute budget; this mix lets one form
   * while the rest of the data stays natural text. 0 for natural text only.
   */
  repeatFraction: number;
  /**
   * Share of training sequences that are the induction task itself: random tokens with a span of random length
   * copied to a random later place (never of the probes' lengths, data's PROBE_LENGTHS: see recipes.ts).
   * Natural text can be predicted without induction; these sequences cannot.
   */
  randomRepeatFraction?: number;
  /**
   * A warm-up on the induction task alone: the first `steps` batches are random-token sequences with a repeated
   * span, tokens drawn from ids below `vocab`. On 256 byte values the plateau before induction ends after ~1500
   * steps (measured: with 2048 BPE ids and the loss over all of them it had not ended after 4000; over the
   * curriculum's ids alone, as recipes' curriculumVocabulary now has it, at 1350 and 1600); the main mix's
   * random-token share keeps the circuit while the model learns text.
   */
  curriculum?: Curriculum;
  /**
   * Sequence-length warm-up: the run's first `steps` steps (a curriculum's included) train on sequences of `seqLen`
   * tokens, shorter than the run's, with more rows so each step sees the same tokens; the rest at the run's length.
   * An induction head forms sooner at a short context (the plateau lasts longer the longer the context: attention
   * spreads over more positions). The run starts as the run at `seqLen` would (its first weights drawn for that
   * n_ctx) and at the switch continues as a new run would from its weights: positions past `seqLen`, untrained
   * until then, start as copies of the trained ones, and AdamW and the learning-rate schedule restart. On the
   * two-layer byte model a switch that carried AdamW's state on and left the new positions as initialised lost or
   * weakened the young head (docs/reproduce.md). Validation and the head probes read the run's length throughout.
   */
  seqLenWarmup?: SeqLenWarmup;
  /**
   * A synthetic task instead of the corpus (then `corpus` and `tokenizer` are unused): modular addition
   * `a b = (a + b) mod p` over all p^2 pairs, `trainFraction` of them (shuffled with the model's seed) trained on as
   * one full batch, the rest held out.
   */
  task?: ModularTask | AdditionTask;
}

/** `DataSpec.seqLenWarmup`: train at `seqLen` tokens until step `steps`. */
export interface SeqLenWarmup {
  seqLen: number;
  steps: number;
  /** Rows a step while it lasts (default: as many as give the run's batch its tokens, batchSize x seqLen / `seqLen`). */
  rows?: number;
}

/** The induction-task warm-up of `DataSpec.curriculum`. */
export interface Curriculum {
  /** Its length in steps; with `untilLoss`, the most it may last. */
  steps: number;
  /** Token ids drawn below this (the BOS excepted); with `ids: 'frequent'`, how many of the most frequent. */
  vocab: number;
  /** `'frequent'`: draw from the `vocab` ids most frequent in the training text (a BPE's merges, not its raw bytes). */
  ids?: 'frequent';
  /**
   * End it early, at the first metrics record (every `logEvery` steps) whose training loss is below this. On random
   * tokens with repeated spans nothing beats ln(vocab) (5.55 nats for 256 ids) but predicting the repeats, that is an
   * induction head: the plateau before one forms lasts from ~1250 to over 2000 steps depending on the seed, so a
   * fixed length is either wasted steps or too short. (The head probes cannot tell: they draw tokens from the whole
   * vocabulary, most of which a BPE model has not seen in its curriculum.) The step is logged as `curriculum_ended`.
   */
  untilLoss?: number;
}

/** The grokking task (Nanda et al. 2023): `a b =` -> (a + b) mod p. */
export interface ModularTask {
  kind: 'modular-addition';
  p: number;
  trainFraction: number;
}

/** n-digit addition (Quirke and Barez 2023): `BOS a + b = c`, the sum most significant digit first. */
export interface AdditionTask {
  kind: 'addition';
  digits: number;
  /** Held-out problems (data/addition's `isHeldOut`, drawn with the model's seed + 1) measured every `evalEvery` steps. */
  heldOut: number;
}

export interface Preset {
  name: string;
  description: string;
  model: ConfigInput;
  train: TrainConfig;
  data: DataSpec;
}

const optimizer = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 };
const common = { logEvery: 50, evalEvery: 250, evalBatches: 4, checkpointEvery: 500, ...optimizer };

function attnOnly(layers: number, steps: number, lr: number): Preset {
  // Every model reads BPE-2048 (the zero- and one-layer models' tokens make readable bigrams and skip-trigrams).
  // Two layers, as the paper's attention-only models and TransformerLens's: shortformer positions (added to the
  // queries' and keys' inputs only, so no head passes a position on). Their layer 1 reads layer 0's heads through
  // keys, not values: virtual heads took 0.07-0.12 of the single heads' loss reduction on three seeds, against
  // 0.53-0.78 for bytes and 0.23-1.85 for BPE with learned positions (docs/reproduce.md).
  const two = layers >= 2;
  return {
    name: `attn-only-${layers}l`,
    description: `${layers}-layer attention-only transformer (the framework's ${layers === 0 ? 'bigram' : layers === 1 ? 'skip-trigram' : 'induction'} model)`,
    model: {
      n_layers: layers, d_model: 128, n_heads: 4, d_head: 32, n_ctx: two ? 256 : 128, d_vocab: 2048, attn_only: true,
      normalization_type: 'LN', model_name: `attn-only-${layers}l`, seed: 0,
      ...(two ? { positional_embedding_type: 'shortformer' as const } : {}),
    },
    // Two layers: a constant learning rate after warm-up. Both such runs formed the induction head; a run with the
    // cosine decay found a solution with fixed-offset heads instead (induction score 0.02).
    // Two layers: head scores every 100 steps, so the induction score's rise (and the LLC-stage claims) are located
    // to within 100 steps.
    // Two layers: 256 tokens of context, so that in-context learning shows on text, 8 rows a step after the
    // warm-up's 32 x 128: half the tokens a step of 16 x 256, and the previous-token head's weaker copies fade as
    // well or better (seed 1's ablation 0.890 -> 0.239 against 0.878 -> 0.273 at 16 rows; docs/reproduce.md). The
    // induction head's formation needs the warm-up's 4096 tokens a step: at 16 x 128 it had not formed by 2000.
    train: two
      ? { steps, batchSize: 8, seqLen: 256, lr, warmup: 100, minLr: lr, ...common, evalEvery: 100 }
      : { steps, batchSize: 32, seqLen: 128, lr, warmup: 100, ...common },
    // The induction task first, on the 256 most frequent ids (a head trained on rare merges does not carry to
    // text): on 2048 ids with no curriculum the plateau before the head outlasted 7500 steps. It ends when its loss
    // falls below 4 nats (ln 256 = 5.55 without an induction head), or at 2000 steps: a young head ended on a
    // looser loss did not survive the switch to text on two seeds of three. The first 2000 steps (the curriculum's
    // included) at 128 tokens, 32 rows a step: at 256 the plateau before the head outlasts 2000 steps; then the mix
    // at 256 from the trained positions (seqLenWarmup) to the end.
    data: two
      ? {
        corpus: 'brown', tokenizer: { kind: 'bpe', vocabSize: 2048 }, repeatFraction: 0.2, randomRepeatFraction: 0.2,
        curriculum: { steps: 2000, vocab: 256, untilLoss: 4, ids: 'frequent' },
        seqLenWarmup: { seqLen: 128, steps: 2000, rows: 32 },
      }
      : { corpus: 'brown', tokenizer: { kind: 'bpe', vocabSize: 2048 }, repeatFraction: 0 },
  };
}

function gelu(layers: number, steps: number): Preset {
  return {
    name: `gelu-${layers}l`,
    description: `${layers}-layer transformer with GELU MLPs`,
    model: {
      n_layers: layers, d_model: 128, n_heads: 4, d_head: 32, d_mlp: 512, n_ctx: 128, d_vocab: 2048, act_fn: 'gelu',
      normalization_type: 'LN', model_name: `gelu-${layers}l`, seed: 0,
    },
    train: { steps, batchSize: 32, seqLen: 128, lr: 1e-3, warmup: 100, ...common },
    data: { corpus: 'brown', tokenizer: { kind: 'bpe', vocabSize: 2048 }, repeatFraction: layers >= 2 ? 0.25 : 0 },
  };
}

/**
 * Grokking (Nanda et al. 2023, "Progress measures for grokking via mechanistic interpretability"): one layer, no
 * LayerNorm, ReLU MLP, inputs `a b =`, the loss at '=' only, AdamW with weight decay 1 and betas (0.9, 0.98), a
 * constant learning rate after a 10-step warm-up, full batch over the training split. `grokking` is the paper's
 * (p = 113, 30% of pairs); `grokking-fast` is smaller (p = 53, half the pairs, lr 3e-3, d_model 64, d_mlp 256) to
 * grok in minutes on two cores (docs/grokking.md has the measured times).
 */
function grokking(name: string, p: number, trainFraction: number, lr: number, steps: number, dims: { d_model: number; d_head: number; d_mlp: number }, keepEvery: number): Preset {
  return {
    name,
    description: `modular addition a + b mod ${p} (grokking: Nanda et al. 2023), ${Math.round(trainFraction * 100)}% of pairs trained on`,
    model: {
      n_layers: 1, n_heads: 4, ...dims, n_ctx: 3, d_vocab: p + 1, d_vocab_out: p + 1, act_fn: 'relu',
      normalization_type: null, model_name: name, seed: 0,
    },
    train: {
      steps, batchSize: Math.round(trainFraction * p * p), seqLen: 3, lr, minLr: lr, warmup: 10, lossFrom: 2,
      beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 1, maxGradNorm: null,
      logEvery: 50, evalEvery: 100, evalBatches: 1, checkpointEvery: 1000, keepCheckpoints: { kind: 'every', interval: keepEvery },
    },
    data: { corpus: 'brown', tokenizer: { kind: 'bytes' }, repeatFraction: 0, task: { kind: 'modular-addition', p, trainFraction } },
  };
}

/**
 * n-digit addition (Quirke and Barez 2023, "Understanding Addition in Transformers"): `BOS a + b = c` with the sum
 * most significant digit first, one layer with attention and an MLP, the loss on the answer digits only (`lossFrom`
 * is the '='). Fresh problems every step, a fixed set held out (docs/addition.md has the measured accuracy).
 */
function addition(name: string, digits: number, steps: number, lr: number, dims: { d_model: number; n_heads: number; d_head: number; d_mlp: number }): Preset {
  return setAdditionDigits({
    name,
    description: `${digits}-digit addition a + b = c in one layer (Quirke and Barez 2023)`,
    model: {
      n_layers: 1, ...dims, d_vocab: 13, act_fn: 'relu', normalization_type: 'LN', model_name: name, seed: 0,
    },
    train: {
      steps, batchSize: 256, seqLen: 0, lr, warmup: 50, ...optimizer, weightDecay: 0.1,
      logEvery: 50, evalEvery: 250, evalBatches: 8, checkpointEvery: 500,
    },
    data: { corpus: 'brown', tokenizer: { kind: 'bytes' }, repeatFraction: 0, task: { kind: 'addition', digits, heldOut: 2048 } },
  }, digits);
}

/**
 * Makes an addition preset add `digits`-digit numbers (the preset and `train --digits`): `BOS a + b = c` is 3N + 4
 * tokens, so the model sees 3N + 3 and is scored from the '=' (position 2N + 2) on the N + 1 answer digits.
 */
export function setAdditionDigits(p: Preset, digits: number): Preset {
  if (p.data.task?.kind !== 'addition') throw new Error(`setAdditionDigits: preset ${p.name} is not an addition preset`);
  p.data.task.digits = digits;
  p.model['n_ctx'] = 3 * digits + 3;
  p.train.seqLen = 3 * digits + 3;
  p.train.lossFrom = 2 * digits + 2;
  p.description = p.description.replace(/^\d+-digit/, `${digits}-digit`);
  return p;
}

/**
 * Presets named like TransformerLens's toy models, sized to train in minutes on two CPU cores. Any model or
 * training field can be overridden from the command line.
 */
export const PRESETS: Record<string, Preset> = Object.fromEntries([
  // 0l and 1l: 300 steps (500 until 2026-12-02: the bigram Pearson 0.71-0.72 against 0.74, the one-layer heads all
  // copying and holding skip-trigrams either way), so that `reproduce` fits 10 minutes with the BPE two-layer run.
  attnOnly(0, 300, 3e-3), attnOnly(1, 300, 2e-3), attnOnly(2, 3500, 3e-3), gelu(1, 3000), gelu(2, 4000),
  grokking('grokking', 113, 0.3, 1e-3, 25000, { d_model: 128, d_head: 32, d_mlp: 512 }, 500),
  grokking('grokking-fast', 53, 0.5, 3e-3, 3000, { d_model: 64, d_head: 16, d_mlp: 256 }, 50),
  addition('addition', 3, 2000, 2e-3, { d_model: 128, n_heads: 4, d_head: 32, d_mlp: 512 }),
].map((p) => [p.name, p]));

export function getPreset(name: string): Preset {
  const p = PRESETS[name];
  if (!p) throw new Error(`unknown preset ${name} (expected one of ${Object.keys(PRESETS).join(', ')})`);
  return structuredClone(p);
}
