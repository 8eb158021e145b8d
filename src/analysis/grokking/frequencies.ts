import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { fourierBasis, frequencyCount, sumDirections, type FourierBasis } from './fourier.js';
import { allPairInputs, type LogitTable } from './logits.js';

/**
 * How much of something each frequency k = 1..(p-1)/2 carries, as shares that add up to 1 over the frequencies
 * (index k - 1). The constant term is left out of every share: it carries no information about a + b.
 */
export type FrequencyShares = number[];

function normalise(xs: number[]): number[] {
  const total = xs.reduce((s, v) => s + v, 0);
  return xs.map((v) => (total > 0 ? v / total : 0));
}

/**
 * The embedding's norm per frequency: W_E's rows for the p numbers in the Fourier basis (B W_E), and for each k
 * the squared norm of its cos and sin rows, as a share of all non-constant rows' squared norm.
 */
export function embeddingFrequencyShares(model: HookedTransformer, p: number, basis: FourierBasis = fourierBasis(p)): FrequencyShares {
  const W = model.weights['embed.W_E']!;
  const D = model.cfg.d_model;
  const norms = new Array<number>(frequencyCount(p)).fill(0);
  for (let i = 1; i < p; i++) {
    const k = basis.freqs[i]!;
    if (k > norms.length) continue;
    let sq = 0;
    for (let d = 0; d < D; d++) {
      let v = 0;
      for (let x = 0; x < p; x++) v += basis.rows[i * p + x]! * W.data[x * D + d]!;
      sq += v * v;
    }
    norms[k - 1]! += sq;
  }
  return normalise(norms);
}

/**
 * The MLP neurons' variance per frequency: each neuron's activation at '=' over the p x p grid of inputs in the 2-D
 * Fourier basis (B X B^T); frequency k's share is the squared size of the terms made of k alone (the linear terms
 * cos/sin(w_k a), cos/sin(w_k b) and the four quadratic ones) summed over neurons, over all non-constant terms.
 */
export async function neuronFrequencyShares(model: HookedTransformer, p: number, basis: FourierBasis = fourierBasis(p)): Promise<FrequencyShares> {
  const hook = 'blocks.0.mlp.hook_post';
  const { cache } = await model.runWithCache(allPairInputs(p), { names: [hook] });
  const acts = cache.get(hook);
  const M = acts.shape[2]!;
  const K = frequencyCount(p);
  const per = new Array<number>(K).fill(0);
  let total = 0;
  const X = new Float64Array(p * p);
  const T = new Float64Array(p * p);
  const B = basis.rows;
  for (let m = 0; m < M; m++) {
    for (let i = 0; i < p * p; i++) X[i] = acts.data[(i * 3 + 2) * M + m]!;
    // T = B X, then G = T B^T, one row at a time.
    T.fill(0);
    for (let i = 0; i < p; i++) for (let x = 0; x < p; x++) {
      const bix = B[i * p + x]!;
      if (bix === 0) continue;
      for (let y = 0; y < p; y++) T[i * p + y]! += bix * X[x * p + y]!;
    }
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        if (i === 0 && j === 0) continue;
        let g = 0;
        for (let y = 0; y < p; y++) g += T[i * p + y]! * B[j * p + y]!;
        const g2 = g * g;
        total += g2;
        const ki = basis.freqs[i]!;
        const kj = basis.freqs[j]!;
        const k = ki === 0 ? kj : kj === 0 || kj === ki ? ki : -1;
        if (k >= 1 && k <= K) per[k - 1]! += g2;
      }
    }
  }
  return per.map((v) => (total > 0 ? v / total : 0));
}

/**
 * The logit table's norm per frequency: for every output c, the squared projection of its column (over the p^2
 * inputs, mean removed) on cos(w_k (a + b)) and sin(w_k (a + b)), summed over c, as a share of the columns'
 * total squared norm after removing their means. A table that is a sum of cos(w_k (a + b - c)) terms over a set K
 * has all its share in K.
 */
export function logitFrequencyShares(t: LogitTable): FrequencyShares {
  const { p, data } = t;
  const n = p * p;
  const K = frequencyCount(p);
  const per = new Array<number>(K).fill(0);
  let total = 0;
  const mean = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let c = 0; c < p; c++) mean[c]! += data[i * p + c]! / n;
  for (let i = 0; i < n; i++) for (let c = 0; c < p; c++) total += (data[i * p + c]! - mean[c]!) ** 2;
  for (let k = 1; k <= K; k++) {
    const { cos, sin } = sumDirections(p, k);
    for (const d of [cos, sin]) {
      for (let c = 0; c < p; c++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += d[i]! * data[i * p + c]!;
        per[k - 1]! += dot * dot;
      }
    }
  }
  return per.map((v) => (total > 0 ? v / total : 0));
}

/**
 * The key frequencies: the fewest frequencies whose shares add up to at least `cover` of the shares' total, in
 * increasing order. With shares that are exactly zero outside a set K (and cover close to 1), that is K.
 */
export function keyFrequencies(shares: FrequencyShares, cover = 0.8): number[] {
  const total = shares.reduce((s, v) => s + v, 0);
  if (!(total > 0)) return [];
  const order = shares.map((v, i) => ({ k: i + 1, v })).sort((a, b) => b.v - a.v);
  const out: number[] = [];
  let acc = 0;
  for (const { k, v } of order) {
    if (acc >= cover * total - 1e-12 || v <= 0) break;
    out.push(k);
    acc += v;
  }
  return out.sort((a, b) => a - b);
}

/** The largest total share that `n` frequencies carry (the top n shares summed). */
export function topShare(shares: FrequencyShares, n: number): number {
  return [...shares].sort((a, b) => b - a).slice(0, n).reduce((s, v) => s + v, 0);
}
