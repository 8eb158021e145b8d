import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { additionLayout, additionTokens, cascadeProblems, heldOutProblems } from '../../data/addition.js';
import { additionInputs, scoreAddition, type AdditionAccuracy } from './accuracy.js';
import { ablatePairEdges } from './ablation.js';
import { digitAttentionFromPattern, type DigitAttention } from './attention.js';
import { digitCarryAccuracy, type DigitCarryAccuracy } from './carries.js';
import { pairReads, type PairReads } from './pairs.js';

/** Everything `reproduce --suite addition` measures on one addition model (Quirke and Barez 2023's analyses). */
export interface AdditionAnalysis {
  digits: number;
  model: { n_layers: number; n_heads: number; d_model: number };
  /** Exact-match accuracy on held-out problems, by carry case. */
  accuracy: AdditionAccuracy;
  /** Per-digit accuracy on the same problems by how each digit's carry-in arises. */
  carries: DigitCarryAccuracy;
  /** Per-digit accuracy on held-out problems that all have a carry cascading through two or more sum-9 pairs (data's `cascadeProblems`). */
  deepCascades: DigitCarryAccuracy | null;
  /** Layer 0's attention from each answer digit's predictor to every operand digit, per head. */
  attention: DigitAttention;
  reads: PairReads;
  /**
   * The attention from every answer digit to the pair below it, in every head of layer 0, mean-ablated over the
   * problems where that pair makes no carry: per-digit accuracy by carry-in before and after.
   */
  carryAblation: { offset: number; heads: number[]; kind: 'mean'; meanOf: 'no-carry'; clean: DigitCarryAccuracy; ablated: DigitCarryAccuracy };
}

export interface AdditionAnalysisOptions {
  /** Held-out problems measured (default 4096). */
  problems?: number;
  /** At most this many problems with a deep cascade (default 256; 0 to skip). */
  deepCascades?: number;
  seed?: number;
}

/**
 * The addition analyses on a model trained on `digits`-digit problems `BOS a + b = c` (sum most significant first):
 * accuracy by carry case, the digit attention of layer 0 and the pairs each answer digit reads, and the carry
 * ablation. Every problem is a held-out pair (data/addition's `isHeldOut`).
 */
export async function analyzeAddition(model: HookedTransformer, digits: number, o: AdditionAnalysisOptions = {}): Promise<AdditionAnalysis> {
  const layout = additionLayout(digits);
  if (model.cfg.n_ctx < layout.length - 1) throw new Error(`analyzeAddition: the model's context (${model.cfg.n_ctx}) is shorter than a ${digits}-digit problem (${layout.length - 1} inputs)`);
  if (model.cfg.d_vocab < 12) throw new Error(`analyzeAddition: the model's vocabulary (${model.cfg.d_vocab}) is not the addition task's (13 tokens)`);
  const seed = o.seed ?? 1;
  const toRows = (ps: { a: number; b: number }[]) => ps.map((p) => additionTokens(p.a, p.b, { digits }));
  const rows = toRows(heldOutProblems(digits, o.problems ?? 4096, seed));
  const name = 'blocks.0.attn.hook_pattern';
  const { logits, cache } = await model.runWithCache(additionInputs(rows), { names: [name] });
  const accuracy = scoreAddition(logits, rows, digits);
  const carries = digitCarryAccuracy(logits, rows, digits);
  const attention = digitAttentionFromPattern(cache.get(name), digits, 0);
  let deepCascades: DigitCarryAccuracy | null = null;
  const nDeep = o.deepCascades ?? 256;
  if (digits >= 3 && nDeep > 0) {
    const deep = toRows(cascadeProblems(digits, 2, nDeep, seed + 1));
    if (deep.length > 0) deepCascades = digitCarryAccuracy(await model.run(additionInputs(deep)), deep, digits);
  }
  const heads = Array.from({ length: model.cfg.n_heads }, (_, h) => h);
  const ablated = await ablatePairEdges(model, rows, digits, { layer: 0, offset: 1, heads }, 'mean', 'no-carry');
  return {
    digits, model: { n_layers: model.cfg.n_layers, n_heads: model.cfg.n_heads, d_model: model.cfg.d_model },
    accuracy, carries, deepCascades, attention, reads: pairReads(attention, 0.5),
    carryAblation: { offset: 1, heads, kind: 'mean', meanOf: 'no-carry', clean: carries, ablated: digitCarryAccuracy(ablated, rows, digits) },
  };
}
