import type { Tensor } from '../engine/tensor.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import { logSumExp } from '../model/cache/host.js';
import { PROBE_LENGTHS, repeatedTokensEvalSet } from '../data/repeatedTokens.js';
import { patternScores } from './detectors.js';

/** A head, by layer and index. */
export interface HeadAt { layer: number; head: number }

/** The induction claim made causal: one head ablated, its effect on an induction head and on repeated text. */
export interface InductionAblation {
  ablated: HeadAt;
  inductionHead: HeadAt;
  /** `mean`: the head's hook_z replaced by its mean over the batch at each position; `zero`: by zeros. */
  kind: 'mean' | 'zero';
  /** The induction head's score (the detectors' definition) with and without the ablation. */
  inductionScore: { clean: number; ablated: number };
  /** Mean next-token loss on the second copy of the repeated tokens, with and without the ablation. */
  repeatedLoss: { clean: number; ablated: number };
}

/**
 * Ablates one head (normally the previous-token head) at its hook_z and measures what the framework's induction
 * mechanism predicts: the induction head's score on repeated random tokens (`[BOS] + A + A`) falls, and the loss on
 * the second copy rises towards the first copy's. Same probe as `detectHeads`: a caller that has run it on the same
 * probe passes its numbers as `clean` and only the ablated run is made.
 */
export async function inductionAblation(model: HookedTransformer, ablated: HeadAt, inductionHead: HeadAt, opts: {
  kind?: 'mean' | 'zero'; length?: number; batch?: number; seed?: number; clean?: { score: number; loss: number };
} = {}): Promise<InductionAblation> {
  const cfg = model.cfg;
  for (const [what, h] of [['ablated', ablated], ['inductionHead', inductionHead]] as const) {
    if (!Number.isInteger(h.layer) || h.layer < 0 || h.layer >= cfg.n_layers || !Number.isInteger(h.head) || h.head < 0 || h.head >= cfg.n_heads) {
      throw new Error(`inductionAblation: ${what} L${h.layer}H${h.head} is not a head of this ${cfg.n_layers}-layer, ${cfg.n_heads}-head model`);
    }
  }
  const kind = opts.kind ?? 'mean';
  const bos = cfg.bos_token_id;
  const off = bos === null ? 0 : 1;
  const N = Math.min(opts.length ?? PROBE_LENGTHS.detectors, Math.floor((cfg.n_ctx - off) / 2));
  if (N < 2) throw new Error(`inductionAblation: n_ctx ${cfg.n_ctx} is too short for a repeated-token probe`);
  const tokens = repeatedTokensEvalSet({ batch: opts.batch ?? 8, length: N, dVocab: cfg.d_vocab, bosTokenId: bos, seed: opts.seed ?? 0 }).tokens;
  const T = off + 2 * N;
  const patternHook = `blocks.${inductionHead.layer}.attn.hook_pattern`;
  const measure = async (ablate: boolean) => {
    let pattern: Tensor<'float32'> | null = null;
    const hooks: Record<string, (x: Tensor<'float32'>) => Tensor<'float32'> | void> = {
      [patternHook]: (x) => { pattern = x; },
    };
    if (ablate) hooks[`blocks.${ablated.layer}.attn.hook_z`] = (z) => ablateHead(z, ablated.head, kind);
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

/** hook_z `[batch, pos, head, d_head]` with one head's slice replaced by zeros or its mean over the batch. */
function ablateHead(z: Tensor<'float32'>, head: number, kind: 'mean' | 'zero'): Tensor<'float32'> {
  const [B, P, H, D] = z.shape as [number, number, number, number];
  const out = new Float32Array(z.data);
  for (let p = 0; p < P; p++) {
    for (let d = 0; d < D; d++) {
      let mean = 0;
      if (kind === 'mean') for (let b = 0; b < B; b++) mean += z.data[((b * P + p) * H + head) * D + d]! / B;
      for (let b = 0; b < B; b++) out[((b * P + p) * H + head) * D + d] = mean;
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
