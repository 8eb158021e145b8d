import type { Tensor } from '../engine/tensor.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import { logSumExp } from '../model/cache/host.js';
import { PROBE_LENGTHS, repeatedTokensEvalSet } from '../data/repeatedTokens.js';
import { patternScores } from './detectors.js';

/** A head, by layer and index. */
export interface HeadAt { layer: number; head: number }

/**
 * A head is a previous-token head when its previous-token score (the detectors' definition) is at least this: the
 * framework suite's claim that a two-layer model has one, and the heads its causal claim ablates.
 */
export const PREVIOUS_TOKEN_HEAD_SCORE = 0.3;

/** The induction claim made causal: heads ablated together, their effect on an induction head and on repeated text. */
export interface InductionAblation {
  /** The heads ablated together (normally every previous-token head below the induction head). */
  ablated: HeadAt[];
  inductionHead: HeadAt;
  /**
   * `mean`: each ablated head's hook_z replaced, at each position, by its mean over a reference batch of the same
   * probe drawn with another seed (a mean over the probe's own rows would keep 1/batch of each row's activation);
   * `zero`: by zeros.
   */
  kind: 'mean' | 'zero';
  /** The induction head's score (the detectors' definition) with and without the ablation. */
  inductionScore: { clean: number; ablated: number };
  /** Mean next-token loss on the second copy of the repeated tokens, with and without the ablation. */
  repeatedLoss: { clean: number; ablated: number };
}

/**
 * Ablates heads (normally the previous-token heads) together at their hook_z and measures what the framework's
 * induction mechanism predicts: the induction head's score on repeated random tokens (`[BOS] + A + A`) falls, and
 * the loss on the second copy rises towards the first copy's. Same probe as `detectHeads`: a caller that has run
 * it on the same probe passes its numbers as `clean` and only the ablated run is made.
 */
export async function inductionAblation(model: HookedTransformer, ablate: HeadAt | readonly HeadAt[], inductionHead: HeadAt, opts: {
  kind?: 'mean' | 'zero'; length?: number; batch?: number; seed?: number; referenceBatch?: number; clean?: { score: number; loss: number };
} = {}): Promise<InductionAblation> {
  const cfg = model.cfg;
  const ablated = Array.isArray(ablate) ? [...(ablate as readonly HeadAt[])] : [ablate as HeadAt];
  if (ablated.length === 0) throw new Error('inductionAblation: no head to ablate');
  for (const [what, h] of [...ablated.map((a) => ['ablated', a] as const), ['inductionHead', inductionHead] as const]) {
    if (!Number.isInteger(h.layer) || h.layer < 0 || h.layer >= cfg.n_layers || !Number.isInteger(h.head) || h.head < 0 || h.head >= cfg.n_heads) {
      throw new Error(`inductionAblation: ${what} L${h.layer}H${h.head} is not a head of this ${cfg.n_layers}-layer, ${cfg.n_heads}-head model`);
    }
  }
  const kind = opts.kind ?? 'mean';
  const bos = cfg.bos_token_id;
  const off = bos === null ? 0 : 1;
  const N = Math.min(opts.length ?? PROBE_LENGTHS.detectors, Math.floor((cfg.n_ctx - off) / 2));
  if (N < 2) throw new Error(`inductionAblation: n_ctx ${cfg.n_ctx} is too short for a repeated-token probe`);
  const seed = opts.seed ?? 0;
  const tokens = repeatedTokensEvalSet({ batch: opts.batch ?? 8, length: N, dVocab: cfg.d_vocab, bosTokenId: bos, seed }).tokens;
  const T = off + 2 * N;
  const layers = [...new Set(ablated.map((h) => h.layer))];
  // The value each ablated head's hook_z takes, per layer: zeros, or its mean at each position over a reference batch.
  const replacement = new Map<number, Tensor<'float32'>>();
  if (kind === 'mean') {
    const ref = repeatedTokensEvalSet({ batch: opts.referenceBatch ?? 64, length: N, dVocab: cfg.d_vocab, bosTokenId: bos, seed: seed + 1 }).tokens;
    const hooks: Record<string, (x: Tensor<'float32'>) => void> = {};
    for (const l of layers) hooks[`blocks.${l}.attn.hook_z`] = (z) => { replacement.set(l, meanOverBatch(z)); };
    await model.runWithHooks(ref, hooks);
  }
  const patternHook = `blocks.${inductionHead.layer}.attn.hook_pattern`;
  const measure = async (ablate: boolean) => {
    let pattern: Tensor<'float32'> | null = null;
    const hooks: Record<string, (x: Tensor<'float32'>) => Tensor<'float32'> | void> = {
      [patternHook]: (x) => { pattern = x; },
    };
    if (ablate) {
      for (const l of layers) {
        const heads = ablated.filter((h) => h.layer === l).map((h) => h.head);
        hooks[`blocks.${l}.attn.hook_z`] = (z) => ablateHeads(z, heads, replacement.get(l) ?? null);
      }
    }
    const logits = await model.runWithHooks(tokens, hooks);
    const score = patternScores(pattern!, (d) => d - N + 1, off + N, T)[inductionHead.head]!;
    return { score, loss: secondCopyLoss(logits, tokens, off + N, T - 1) };
  };
  const clean = opts.clean ?? await measure(false);
  const abl = await measure(true);
  return {
    ablated, inductionHead, kind,
    inductionScore: { clean: clean.score, ablated: abl.score },
    repeatedLoss: { clean: clean.loss, ablated: abl.loss },
  };
}

/** hook_z `[batch, pos, head, d_head]` averaged over the batch: `[pos, head, d_head]`. */
function meanOverBatch(z: Tensor<'float32'>): Tensor<'float32'> {
  const [B, P, H, D] = z.shape as [number, number, number, number];
  const row = P * H * D;
  const mean = new Float32Array(row);
  for (let b = 0; b < B; b++) for (let i = 0; i < row; i++) mean[i]! += z.data[b * row + i]! / B;
  return { dtype: 'float32', shape: [P, H, D], data: mean };
}

/** hook_z `[batch, pos, head, d_head]` with the heads' slices replaced by `value` `[pos, head, d_head]` (or zeros). */
function ablateHeads(z: Tensor<'float32'>, heads: readonly number[], value: Tensor<'float32'> | null): Tensor<'float32'> {
  const [B, P, H, D] = z.shape as [number, number, number, number];
  const out = new Float32Array(z.data);
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < P; p++) {
      for (const h of heads) {
        const at = (p * H + h) * D;
        const slice = value ? value.data.subarray(at, at + D) : new Float32Array(D);
        out.set(slice, b * P * H * D + at);
      }
    }
  }
  return { dtype: 'float32', shape: z.shape, data: out };
}

/** Mean next-token cross-entropy of positions `[from, to)` (position p predicts token p + 1). */
function secondCopyLoss(logits: Tensor<'float32'>, tokens: readonly (readonly number[])[], from: number, to: number): number {
  const [B, T, V] = logits.shape as [number, number, number];
  let s = 0;
  for (let b = 0; b < B; b++) {
    for (let p = from; p < to; p++) {
      const row = logits.data.subarray((b * T + p) * V, (b * T + p + 1) * V);
      s += logSumExp(row) - row[tokens[b]![p + 1]!]!;
    }
  }
  return s / (B * (to - from));
}
