import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { headId } from '../../model/heads.js';
import { activationPatching, logitDiff } from '../patching.js';
import { promptIds, singleToken, tokenString, topIndices } from './prompt.js';

/** Activation patching from a clean to a corrupted prompt of the same length, on a logit difference. */
export interface PatchingView {
  /** The prompts patched (the defaults when none were given). */
  clean: string;
  corrupt: string;
  tokens: string[];
  corruptTokens: string[];
  /** Positions where the two prompts differ. */
  differ: number[];
  /** The metric's two tokens: the clean run's answer and the corrupted run's. */
  answer: string;
  wrong: string;
  /** `logit(answer) - logit(wrong)` at the last position. */
  metric: string;
  /** The metric on the clean run and on the corrupted run. */
  cleanValue: number;
  corruptValue: number;
  /** Normalised effect `[layer][pos]` of patching resid_pre (1 = restores the clean run, 0 = no effect). */
  byPosition: number[][];
  /** Normalised effect `[layer][head]` of patching each head's z at every position. */
  byHead: number[][];
  /** `blocks.{l}.hook_resid_pre` per row of byPosition. */
  layers: string[];
  headLabels: string[][];
}

/** Candidate default pairs, longest first: they differ in one name, and the answer is the other name. */
const TEXT_PAIRS: readonly [string, string][] = [
  ['When Mary and John went to the store, John gave a drink to', 'When Mary and John went to the store, Mary gave a drink to'],
  ['Mary and John met. John gave a book to', 'Mary and John met. Mary gave a book to'],
  ['Ann and Bob met. Bob thanked', 'Ann and Bob met. Ann thanked'],
  ['ab cd ab', 'ab ce ab'],
];

/**
 * Default clean and corrupted prompts for a model: with a tokenizer, the first pair of sentences differing in one
 * name that tokenise to the same length within n_ctx; without one, a repeated run of ids (induction predicts the
 * token after the first copy's last) and the same with that token changed.
 */
export function defaultPatchingPrompts(model: HookedTransformer): { clean: string; corrupt: string } {
  const n = model.cfg.n_ctx;
  if (model.tokenizer) {
    for (const [clean, corrupt] of TEXT_PAIRS) {
      const c = model.toTokens(clean).data.length;
      if (c <= n && c === model.toTokens(corrupt).data.length) return { clean, corrupt };
    }
  }
  const V = model.cfg.d_vocab;
  const k = Math.max(2, Math.min(7, Math.floor(n / 2)));
  const run = [5, 9, 2, 14, 7, 11, 3].slice(0, k).map((i) => i % V);
  const changed = [...run];
  changed[k - 1] = (run[k - 1]! + 1) % V;
  // The second copy stops before its last token: the model should predict it from the first copy.
  const clean = [...run, ...run.slice(0, k - 1)];
  const corrupt = [...changed, ...run.slice(0, k - 1)];
  return { clean: clean.join(' '), corrupt: corrupt.join(' ') };
}

/** The top token at the last position, skipping `not`. */
async function lastTop(model: HookedTransformer, ids: number[], not?: number): Promise<number> {
  const V = model.cfg.d_vocab_out;
  const logits = await model.run([ids]);
  const order = topIndices(logits.data.subarray((ids.length - 1) * V, ids.length * V), 2);
  return order[0] === not ? order[1]! : order[0]!;
}

/**
 * Patches resid_pre at each (layer, position) and each head's z from the clean run into the corrupted one and
 * measures `logit(answer) - logit(wrong)` at the last position, normalised so that 1 restores the clean run.
 * Defaults: the prompts from defaultPatchingPrompts, the answer the clean run's top prediction, the wrong answer
 * the corrupted run's (its second if it is the same token).
 */
export async function patchingView(
  model: HookedTransformer, opts: { clean?: string; corrupt?: string; answer?: string; wrong?: string } = {},
): Promise<PatchingView> {
  if (model.cfg.n_layers === 0) throw new Error('patching: this model has no layers to patch');
  const d = defaultPatchingPrompts(model);
  const clean = opts.clean || d.clean;
  const corrupt = opts.corrupt || d.corrupt;
  const c = promptIds(model, clean);
  const k = promptIds(model, corrupt);
  if (c.length !== k.length) throw new Error(`patching: the clean prompt has ${c.length} tokens and the corrupted one ${k.length}; they must have the same number`);
  const good = opts.answer ? singleToken(model, opts.answer, 'answer') : await lastTop(model, c);
  const bad = opts.wrong ? singleToken(model, opts.wrong, 'wrong answer') : await lastTop(model, k, good);
  if (good === bad) throw new Error('patching: the answer and the wrong answer are the same token');
  const metric = logitDiff(good, bad);
  const byPos = await activationPatching(model, [c], [k], metric, 'resid_pre');
  const byHead = await activationPatching(model, [c], [k], metric, 'z');
  const { n_layers: L, n_heads: H } = model.cfg;
  return {
    clean, corrupt, tokens: c.map((i) => tokenString(model, i)), corruptTokens: k.map((i) => tokenString(model, i)),
    differ: c.flatMap((t, i) => (t !== k[i] ? [i] : [])),
    answer: tokenString(model, good), wrong: tokenString(model, bad),
    metric: `logit(${JSON.stringify(tokenString(model, good))}) - logit(${JSON.stringify(tokenString(model, bad))}) at the last position`,
    cleanValue: byPos.clean, corruptValue: byPos.corrupt, byPosition: byPos.normalized, byHead: byHead.normalized, layers: byPos.hooks,
    headLabels: Array.from({ length: L }, (_, l) => Array.from({ length: H }, (_, h) => headId(model.cfg, l, h).label)),
  };
}
