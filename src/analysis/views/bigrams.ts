import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { logSumExp } from '../../model/cache/host.js';
import { bigramCounts, compareBigrams, modelBigramLogProbs, pearson, ranks } from '../bigram.js';
import { tokenString } from './prompt.js';

/** The Zero-layer view: the model's bigram table beside the corpus's, over the corpus's most frequent tokens. */
export interface BigramsView {
  /** `model`: a zero-layer model's own next-token log-probabilities; `direct path`: W_E -> ln_final -> W_U. */
  source: 'model' | 'direct path';
  /** The tabled tokens (rows: current token, columns: next token), most frequent first. */
  tokens: string[];
  ids: number[];
  /** `[current][next]` log-probabilities (normalised over the whole vocabulary). */
  model: number[][];
  /** The corpus's `log P(next | current)`, NaN where the pair never occurs; null without a corpus. */
  corpus: number[][] | null;
  /** Correlation of model and corpus log-probabilities over the pairs seen `minCount` times among `compared` tokens. */
  pearson: number | null;
  spearman: number | null;
  pairs: number;
  compared: number;
  minCount: number;
  /** KL(corpus || model) in nats, for zero-layer models (compareBigrams). */
  kl: number | null;
  corpusName: string | null;
  corpusTokens: number;
}

function logSoftmax(row: ArrayLike<number>): Float64Array {
  const lse = logSumExp(row);
  return Float64Array.from(row, (v) => v - lse);
}

/**
 * The direct path's next-token log-probabilities for each token: its embedding through ln_final (computed on the
 * embedding alone; positional embeddings left out, as the paper's W_U W_E) and the unembedding.
 */
export function directPathLogProbs(model: HookedTransformer, tokens: readonly number[]): Float64Array[] {
  const { d_model: D, d_vocab_out: V, normalization_type: norm, eps } = model.cfg;
  const WE = model.W_E.data;
  const WU = model.W_U.data;
  const bU = model.weights['unembed.b_U']?.data;
  const w = model.weights['ln_final.w']?.data;
  const b = model.weights['ln_final.b']?.data;
  return tokens.map((t) => {
    let x = Float64Array.from(WE.subarray(t * D, (t + 1) * D));
    if (norm !== null) {
      const mean = x.reduce((s, v) => s + v, 0) / D;
      x = x.map((v) => v - mean);
      const scale = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / D + eps);
      x = x.map((v, i) => (norm === 'LN' ? (v / scale) * w![i]! + b![i]! : v / scale));
    }
    const logits = new Float64Array(V);
    for (let d = 0; d < D; d++) {
      const xd = x[d]!;
      if (xd === 0) continue;
      for (let v = 0; v < V; v++) logits[v]! += xd * WU[d * V + v]!;
    }
    if (bU) for (let v = 0; v < V; v++) logits[v]! += bU[v]!;
    return logSoftmax(logits);
  });
}

/** A zero-layer model's own log-probabilities for each token (modelBigramLogProbs: averaged over positions). */
async function zeroLayerLogProbs(model: HookedTransformer, tokens: readonly number[], P: number): Promise<Float64Array[]> {
  const V = model.cfg.d_vocab_out;
  const flat = await modelBigramLogProbs(model, tokens, P);
  return tokens.map((_, r) => flat.subarray(r * V, (r + 1) * V));
}

/**
 * The model's bigram table (a zero-layer model's own predictions; for models with layers the direct path) beside
 * the corpus's over its `k` most frequent tokens, and their correlation over the pairs seen at least `minCount`
 * times among the `compare` most frequent (for zero-layer models, compareBigrams's numbers, as `reproduce` prints).
 * Without a corpus, the table covers token ids 0..k-1 and there is no correlation.
 */
export async function bigramsView(
  model: HookedTransformer, corpus: { stream: ArrayLike<number>; name: string } | null, opts: { k?: number; compare?: number; minCount?: number } = {},
): Promise<BigramsView> {
  const V = model.cfg.d_vocab;
  const k = Math.min(opts.k ?? 24, V);
  const minCount = opts.minCount ?? 5;
  const zero = model.cfg.n_layers === 0;
  const P = Math.min(8, model.cfg.n_ctx);
  const logProbs = (ts: number[]) => (zero ? zeroLayerLogProbs(model, ts, P) : Promise.resolve(directPathLogProbs(model, ts)));
  const base = { source: zero ? 'model' as const : 'direct path' as const, minCount };
  if (!corpus || corpus.stream.length < 2) {
    const ids = Array.from({ length: k }, (_, i) => i);
    const lp = await logProbs(ids);
    return {
      ...base, tokens: ids.map((i) => tokenString(model, i)), ids, model: lp.map((row) => ids.map((j) => row[j]!)), corpus: null,
      pearson: null, spearman: null, pairs: 0, compared: 0, kl: null, corpusName: null, corpusTokens: 0,
    };
  }
  const counts = bigramCounts(corpus.stream, V);
  const freq = new Float64Array(V);
  for (let i = 0; i + 1 < corpus.stream.length; i++) freq[corpus.stream[i]!]! += 1;
  const compare = Math.min(opts.compare ?? 200, V);
  const order = Array.from(freq.keys()).filter((t) => freq[t]! > 0).sort((a, b) => freq[b]! - freq[a]!).slice(0, compare);
  const ids = order.slice(0, k);
  const lp = await logProbs(order);
  const table = ids.map((_, r) => ids.map((j) => lp[r]![j]!));
  const corpusTable = ids.map((t) => ids.map((j) => (counts[t * V + j]! > 0 ? Math.log(counts[t * V + j]! / freq[t]!) : Number.NaN)));
  let pear: number;
  let spear: number;
  let pairs: number;
  let kl: number | null = null;
  if (zero) {
    const c = await compareBigrams(model, corpus.stream, { topTokens: compare, minCount });
    ({ pearson: pear, spearman: spear, pairs, kl } = c);
  } else {
    // The same pairs and smoothing as compareBigrams (add-0.1), for the direct path's predictions.
    const m: number[] = [];
    const e: number[] = [];
    order.forEach((t, r) => {
      const total = freq[t]! + 0.1 * V;
      for (let j = 0; j < V; j++) {
        if (counts[t * V + j]! >= minCount) {
          m.push(lp[r]![j]!);
          e.push(Math.log((counts[t * V + j]! + 0.1) / total));
        }
      }
    });
    pear = pearson(m, e);
    spear = pearson(ranks(m), ranks(e));
    pairs = m.length;
  }
  return {
    ...base, tokens: ids.map((i) => tokenString(model, i)), ids, model: table, corpus: corpusTable,
    pearson: pear, spearman: spear, pairs, compared: order.length, kl, corpusName: corpus.name, corpusTokens: corpus.stream.length,
  };
}
