import type { HookedTransformer } from '../model/hookedTransformer.js';
import { allHeads } from '../model/heads.js';
import { PROBE_LENGTHS } from '../data/index.js';
import { detectHeads } from './detectors.js';
import { findKeyFrequencies, progressMeasures, type ModularSplit } from './grokking/progressMeasures.js';

/**
 * Analyses over training: the chosen analyses run at every checkpoint of a run, gathered into one series per
 * quantity against the steps (what `analyze RUN --over-training` writes and the UI plots).
 */
export const OVER_TRAINING_ANALYSES = ['heads', 'loss', 'grokking'] as const;
export type OverTrainingAnalysis = (typeof OVER_TRAINING_ANALYSES)[number];

/** A checkpoint loaded only when its turn comes, so one model is in memory at a time. */
export interface CheckpointModel {
  step: number;
  load(): Promise<HookedTransformer>;
}

export interface OverTrainingOptions {
  analyses: readonly OverTrainingAnalysis[];
  /** Held-out token rows for 'loss' (mean next-token loss on them). */
  heldOut?: readonly (readonly number[])[];
  /** The modular-addition split for 'grokking'; the key frequencies are the last checkpoint's (as the paper fixes them). */
  grokking?: { split: ModularSplit; cover?: number };
  /**
   * How many positions the model had trained on at a step (a sequence-length warm-up; default n_ctx): 'heads'
   * shortens its probe's repeat to fit, as the training probes do, since positions past it have had no gradient.
   */
  trainedContext?(step: number): number;
  /** Called before each checkpoint is analysed (progress). */
  onCheckpoint?(step: number, index: number, count: number): void;
}

export interface OverTrainingResult {
  steps: number[];
  /** One value per step for each quantity: `induction L1H0`, `held_out_loss`, `test_accuracy`, ... */
  series: Record<string, number[]>;
  analyses: OverTrainingAnalysis[];
  /** 'grokking': the key frequencies (of the last checkpoint) the restricted and excluded losses use. */
  keyFrequencies?: number[];
  /** 'grokking': each frequency's share in the last checkpoint (embedding norm, neuron variance), k = 1, 2, ... */
  frequencyShares?: { embedding: number[]; neurons: number[]; combined: number[] };
}

/** Runs `analyses` at every checkpoint (in step order) and gathers the series. */
export async function analyzeOverTraining(checkpoints: readonly CheckpointModel[], o: OverTrainingOptions): Promise<OverTrainingResult> {
  if (checkpoints.length === 0) throw new Error('analyzeOverTraining: no checkpoints');
  const ordered = [...checkpoints].sort((a, b) => a.step - b.step);
  const result: OverTrainingResult = { steps: [], series: {}, analyses: [...new Set(o.analyses)] };
  if (result.analyses.includes('loss') && !(o.heldOut && o.heldOut.length > 0)) throw new Error("analyzeOverTraining: 'loss' needs held-out token rows");
  let keyFreqs: number[] = [];
  if (result.analyses.includes('grokking')) {
    if (!o.grokking) throw new Error("analyzeOverTraining: 'grokking' needs the modular-addition split");
    const last = await ordered.at(-1)!.load();
    const r = await findKeyFrequencies(last, o.grokking.split.p, o.grokking.cover);
    keyFreqs = r.keyFrequencies;
    result.keyFrequencies = keyFreqs;
    result.frequencyShares = { embedding: r.embedding, neurons: r.neurons, combined: r.combined };
  }
  const push = (name: string, v: number, i: number) => {
    const s = (result.series[name] ??= new Array<number>(i).fill(NaN));
    s.push(v);
  };
  for (const [i, c] of ordered.entries()) {
    o.onCheckpoint?.(c.step, i, ordered.length);
    const model = await c.load();
    result.steps.push(c.step);
    if (result.analyses.includes('heads') && model.cfg.n_layers > 0 && model.cfg.n_ctx >= 5) {
      const context = o.trainedContext?.(c.step) ?? model.cfg.n_ctx;
      const short = context < model.cfg.n_ctx ? { length: Math.min(PROBE_LENGTHS.detectors, Math.floor((context - 1) / 2)) } : {};
      const d = await detectHeads(model, { batch: 4, ...short });
      for (const h of allHeads(model.cfg)) {
        push(`induction ${h.label}`, d.induction[h.layer]![h.head]!, i);
        push(`previous_token ${h.label}`, d.previousToken[h.layer]![h.head]!, i);
        push(`duplicate_token ${h.label}`, d.duplicateToken[h.layer]![h.head]!, i);
      }
    }
    if (result.analyses.includes('loss')) {
      const T = model.cfg.n_ctx;
      const rows = o.heldOut!.map((r) => r.slice(0, T));
      const per = await model.loss(rows);
      push('held_out_loss', Number(per.data[0]), i);
    }
    if (result.analyses.includes('grokking')) {
      const m = await progressMeasures(model, o.grokking!.split, keyFreqs);
      for (const [k, v] of Object.entries(m)) push(k, v, i);
    }
  }
  return result;
}
