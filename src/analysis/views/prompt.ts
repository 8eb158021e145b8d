import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { headId } from '../../model/heads.js';
import { logSumExp } from '../../model/cache/host.js';

/** One position's prediction: the next token's rank and log-probability, and the model's top-k. */
export interface TokenPrediction {
  /** The actual next token's log-probability (null at the last position). */
  logProb: number | null;
  /** Its rank among the model's predictions, 0 = top (null at the last position). */
  rank: number | null;
  /** The top-k next tokens, most likely first. */
  top: { token: string; id: number; prob: number }[];
}

/** What the Prompt and Attention views show for one prompt. */
export interface PromptView {
  /** The prompt's tokens as strings (`#id` without a tokenizer). */
  tokens: string[];
  ids: number[];
  /** `[pos]`: next-token loss (-log p of the token at pos + 1); null at the last position. */
  loss: (number | null)[];
  predictions: TokenPrediction[];
  /** Every layer's attention, `[layer][head][dest][src]`. */
  attention: number[][][][];
  /** `L{l}H{h}` per layer and head, `[layer][head]`. */
  headLabels: string[][];
}

/**
 * A token's display string: the tokenizer's, or `#id` for a model without one. Tokens that are part of a UTF-8
 * character all decode to U+FFFD; they get their id too (`\uFFFD#id`, as the report labels them), so they differ.
 */
export function tokenString(model: HookedTransformer, id: number): string {
  if (!model.tokenizer) return `#${id}`;
  const s = model.tokenizer.decode([id]);
  return s.includes('\uFFFD') ? `\uFFFD#${id}` : s;
}

/**
 * Tokenises a prompt the way the model does (BOS first by default), or reads ids written as `1 5 7 9` /
 * `[1, 5, 7, 9]` for a model without a tokenizer, cut to n_ctx.
 */
export function promptIds(model: HookedTransformer, text: string): number[] {
  let ids: number[];
  if (model.tokenizer) {
    ids = Array.from(model.toTokens(text).data, Number);
  } else {
    const parts = text.replace(/[[\],]/g, ' ').trim().split(/\s+/).filter(Boolean);
    ids = parts.map(Number);
    const bad = parts.find((_, i) => !Number.isInteger(ids[i]) || ids[i]! < 0 || ids[i]! >= model.cfg.d_vocab);
    if (bad !== undefined) throw new Error(`prompt: "${bad}" is not a token id in 0..${model.cfg.d_vocab - 1} (this model has no tokenizer: give ids separated by spaces)`);
  }
  if (ids.length < 2) throw new Error('prompt: needs at least two tokens');
  return ids.slice(0, model.cfg.n_ctx);
}

/** Per-token loss, top-k predictions and every head's attention on one prompt. */
export async function promptView(model: HookedTransformer, text: string, k = 8): Promise<PromptView> {
  const ids = promptIds(model, text);
  const T = ids.length;
  const { n_layers: L, n_heads: H } = model.cfg;
  const names = Array.from({ length: L }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const { logits, cache } = await model.runWithCache([ids], { names });
  const predictions = tokenPredictions(logits.data, model.cfg.d_vocab_out, ids, k, (id) => tokenString(model, id));
  const loss = predictions.map((p) => (p.logProb === null ? null : -p.logProb));
  const attention = names.map((n) => {
    const a = cache.get(n).data;
    return Array.from({ length: H }, (_, h) => Array.from({ length: T }, (_, d) => Array.from(a.subarray((h * T + d) * T, (h * T + d + 1) * T))));
  });
  return {
    tokens: ids.map((id) => tokenString(model, id)), ids, loss, predictions, attention,
    headLabels: Array.from({ length: L }, (_, l) => Array.from({ length: H }, (_, h) => headId(model.cfg, l, h).label)),
  };
}

/**
 * What the model predicts after each position of one sequence, from its logits `[T, V]` (row-major): the next
 * token's log-probability and rank (null at the last position) and the top-k with probabilities.
 */
export function tokenPredictions(logits: Float32Array, V: number, ids: readonly number[], k: number, name: (id: number) => string): TokenPrediction[] {
  return ids.map((_, p) => {
    const row = logits.subarray(p * V, (p + 1) * V);
    const logZ = logSumExp(row);
    const next = p + 1 < ids.length ? ids[p + 1]! : null;
    let rank: number | null = null;
    if (next !== null) {
      rank = 0;
      for (let v = 0; v < V; v++) if (row[v]! > row[next]!) rank++;
    }
    return {
      logProb: next === null ? null : row[next]! - logZ, rank,
      top: topIndices(row, k).map((id) => ({ id, token: name(id), prob: Math.exp(row[id]! - logZ) })),
    };
  });
}

/** Indices of the k largest entries, largest first. */
export function topIndices(row: ArrayLike<number>, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < row.length; i++) {
    if (best.length < k || row[i]! > row[best[best.length - 1]!]!) {
      let j = best.length < k ? best.length : best.length - 1;
      if (best.length < k) best.push(i);
      while (j > 0 && row[best[j - 1]!]! < row[i]!) { best[j] = best[j - 1]!; j--; }
      best[j] = i;
    }
  }
  return best;
}

/** Reads one token of the model's vocabulary: text for a model with a tokenizer, an id (`7` or `#7`) without. */
export function singleToken(model: HookedTransformer, s: string, what: string): number {
  // `#id` (or the `\uFFFD#id` tokenString gives) names a token by its id, with or without a tokenizer.
  const byId = /^\s*\uFFFD?#(\d+)\s*$/.exec(s);
  const a = byId ? [Number(byId[1])] : model.tokenizer ? model.tokenizer.encode(s) : [Number(s.trim())];
  if (a.length !== 1 || !Number.isInteger(a[0]) || a[0]! < 0 || a[0]! >= model.cfg.d_vocab_out) {
    throw new Error(`${what}: ${JSON.stringify(s)} is not a single token of this model's vocabulary${model.tokenizer ? '' : ' (give a token id)'}`);
  }
  return a[0]!;
}
