import type { HookedTransformer } from '../model/hookedTransformer.js';
import { logSumExp } from '../model/cache/host.js';

export interface BigramComparison {
  /** Source tokens compared (the most frequent ones), most frequent first. */
  tokens: number[];
  /**
   * Pearson correlation of model and empirical log-probabilities over the (source, next) pairs of those tokens seen
   * at least `minCount` times (well estimated; unseen pairs all share the smoothing floor, which is noise).
   */
  pearson: number;
  /** Spearman rank correlation over the same pairs. */
  spearman: number;
  /** How many pairs those correlations cover. */
  pairs: number;
  /** Pearson correlation over every pair, unseen ones included. */
  pearsonAllPairs: number;
  /** Mean over the sources (weighted by frequency) of KL(empirical || model) in nats. */
  kl: number;
  /** For each compared source token, the model's top next tokens with log-probabilities. */
  topPredictions: { token: number; next: { token: number; logProb: number }[] }[];
}

/** Counts of (token, next token) pairs in a token stream: `counts[a * V + b]`. */
export function bigramCounts(stream: ArrayLike<number>, vocab: number): Float64Array {
  const c = new Float64Array(vocab * vocab);
  for (let i = 0; i + 1 < stream.length; i++) c[stream[i]! * vocab + stream[i + 1]!]! += 1;
  return c;
}

/**
 * Zero-layer models learn bigram statistics ("A Mathematical Framework", zero-layer section): their logits depend
 * only on the current token (embed, ln_final, unembed), so log softmax(logits) should track log P(next | token).
 * The model's prediction for a token is averaged over positions (learned positional embeddings make it depend on
 * position a little). Empirical probabilities are add-`alpha` smoothed.
 */
export async function compareBigrams(model: HookedTransformer, stream: ArrayLike<number>, opts: { topTokens?: number; alpha?: number; positions?: number; minCount?: number } = {}): Promise<BigramComparison> {
  const V = model.cfg.d_vocab;
  if (model.cfg.n_layers !== 0) throw new Error(`compareBigrams: needs a zero-layer model (this one has ${model.cfg.n_layers} layers)`);
  const counts = bigramCounts(stream, V);
  const freq = new Float64Array(V);
  for (let i = 0; i + 1 < stream.length; i++) freq[stream[i]!]! += 1;
  const N = Math.min(opts.topTokens ?? 200, V);
  const tokens = Array.from(freq.keys()).filter((t) => freq[t]! > 0).sort((a, b) => freq[b]! - freq[a]!).slice(0, N);
  const alpha = opts.alpha ?? 0.1;
  const modelLp = await modelBigramLogProbs(model, tokens, opts.positions);
  const empLp = new Float64Array(tokens.length * V);
  let kl = 0;
  let weight = 0;
  tokens.forEach((t, r) => {
    let total = 0;
    for (let j = 0; j < V; j++) total += counts[t * V + j]! + alpha;
    let k = 0;
    for (let j = 0; j < V; j++) {
      const p = (counts[t * V + j]! + alpha) / total;
      empLp[r * V + j] = Math.log(p);
      k += p * (Math.log(p) - modelLp[r * V + j]!);
    }
    kl += freq[t]! * k;
    weight += freq[t]!;
  });
  const topPredictions = tokens.map((t, r) => ({
    token: t,
    next: Array.from({ length: V }, (_, j) => j).sort((a, b) => modelLp[r * V + b]! - modelLp[r * V + a]!).slice(0, 5)
      .map((j) => ({ token: j, logProb: modelLp[r * V + j]! })),
  }));
  const minCount = opts.minCount ?? 5;
  const seenModel: number[] = [];
  const seenEmp: number[] = [];
  tokens.forEach((t, r) => {
    for (let j = 0; j < V; j++) {
      if (counts[t * V + j]! >= minCount) {
        seenModel.push(modelLp[r * V + j]!);
        seenEmp.push(empLp[r * V + j]!);
      }
    }
  });
  return {
    tokens, pearson: pearson(seenModel, seenEmp), spearman: pearson(ranks(seenModel), ranks(seenEmp)), pairs: seenModel.length,
    pearsonAllPairs: pearson(modelLp, empLp), kl: kl / weight, topPredictions,
  };
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Ranks (1-based, ties averaged), for Spearman's correlation. */
export function ranks(x: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Float64Array(x.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1]!] === x[idx[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]!] = avg;
    i = j + 1;
  }
  return r;
}

/**
 * A zero-layer model's (or, for a model with layers, the one-token prompt's) next-token log-probabilities after each
 * of `tokens`, `[tokens.length * d_vocab_out]` row-major: each token repeated at `positions` positions, log-softmax
 * averaged over them (learned positional embeddings make the prediction depend on position a little).
 */
export async function modelBigramLogProbs(model: HookedTransformer, tokens: readonly number[], positions = 8): Promise<Float64Array> {
  const V = model.cfg.d_vocab_out;
  const P = Math.min(positions, model.cfg.n_ctx);
  const logits = await model.run(tokens.map((t) => new Array<number>(P).fill(t)));
  const out = new Float64Array(tokens.length * V);
  tokens.forEach((_, r) => {
    for (let p = 0; p < P; p++) {
      const row = logits.data.subarray((r * P + p) * V, (r * P + p + 1) * V);
      const lse = logSumExp(row);
      for (let j = 0; j < V; j++) out[r * V + j]! += (row[j]! - lse) / P;
    }
  });
  return out;
}
