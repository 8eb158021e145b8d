import {
  compile, input, matmul, mT, reshape, Rng, transpose, type Node, type Tensor,
} from '../engine/index.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import type { HookedTransformerConfig } from '../model/config.js';
import type { StateDict } from '../model/weights.js';
import { headAt } from '../model/heads.js';
import { stackHeads } from '../model/weightViews.js';
import { centredRows, foldReader } from '../model/processing.js';

export type CompositionKind = 'q' | 'k' | 'v';

export interface CompositionResult {
  /** score[kind][a][b] for flat head indices a = layer * n_heads + head; 0 unless layer(a) < layer(b). */
  scores: Record<CompositionKind, number[][]>;
  /** The mean score of random matrices of the same shapes (Gaussian factors), per kind: the level of no composition. */
  baseline: Record<CompositionKind, number>;
  nHeads: number;
  nLayers: number;
}

/**
 * Q, K and V composition scores of every pair of heads in different layers (TransformerLens's
 * all_composition_scores): with W_OV^a = W_V^a W_O^a of the earlier head and W_QK^b = W_Q^b W_K^bT of the later,
 *   Q: ||W_OV^a W_QK^b||_F, K: ||W_OV^a W_QK^bT||_F, V: ||W_OV^a W_OV^b||_F,
 * each divided by the product of the two factors' Frobenius norms. The factors are taken as the residual stream is
 * read (readingFactors): through the later head's LayerNorm, as TransformerLens's processed weights give them.
 *
 * Never a d_model^2 product per pair: ||W_OV^a M_b||_F^2 = <G_a, H_b> with G_a = W_OV^aT W_OV^a and H_b = M_b M_b^T,
 * each built from its d_head-sized Gram core, and all pairs come from one [n, d_model^2] x [d_model^2, n] product.
 */
/** `baselineSamples` heads per side for the random baseline (0: none, the baseline is NaN). */
export async function compositionScores(model: HookedTransformer, opts: { baselineSamples?: number; seed?: number } = {}): Promise<CompositionResult> {
  const { n_layers: L, n_heads: H } = model.cfg;
  const f = readingFactors(model.cfg, model.weights);
  const scores = await compositionFromFactors(f.W_Q, f.W_K, f.W_V, f.W_O, L, H);
  const samples = opts.baselineSamples ?? Math.max(4, Math.min(16, H));
  const baseline = samples > 0 ? await randomBaseline(model.cfg.d_model, model.cfg.d_head, samples, opts.seed ?? 0) : { q: NaN, k: NaN, v: NaN };
  return { scores, baseline, nHeads: H, nLayers: L };
}

/**
 * Composition scores from stacked factors `W_Q, W_K, W_V [n, d_model, d_head]`, `W_O [n, d_head, d_model]` with
 * n = layers x heads (layer-major); pairs are scored when the first head's layer is below the second's.
 */
export async function compositionFromFactors(
  WQ: Tensor<'float32'>, WK: Tensor<'float32'>, WV: Tensor<'float32'>, WO: Tensor<'float32'>, L: number, H: number,
): Promise<Record<CompositionKind, number[][]>> {
  const n = L * H;
  const [, D, E] = WQ.shape as [number, number, number];
  const q = input('W_Q', [n, D, E]);
  const k = input('W_K', [n, D, E]);
  const v = input('W_V', [n, D, E]);
  const o = input('W_O', [n, E, D]);
  const gram = (x: Node) => matmul(mT(x), x); // [n, E, E]
  // X C X^T for factors X [n, D, E] and cores C [n, E, E], flattened to [n, D*D]
  const sandwich = (x: Node, c: Node) => reshape(matmul(matmul(x, c), mT(x)), [n, D * D]);
  const oT = mT(o); // [n, D, E]
  const G = sandwich(oT, gram(v)); // W_OV^T W_OV = W_O^T (W_V^T W_V) W_O
  const right: Record<CompositionKind, Node> = {
    q: sandwich(q, gram(k)), // W_QK W_QK^T = W_Q (W_K^T W_K) W_Q^T
    k: sandwich(k, gram(q)), // W_QK^T W_QK = W_K (W_Q^T W_Q) W_K^T
    v: sandwich(v, matmul(o, oT)), // W_OV W_OV^T = W_V (W_O W_O^T) W_V^T
  };
  // All n x n products in one matmul per kind (twice the pairs we keep, but no copies of row and column blocks,
  // which cost more than the products they save).
  const outs: Record<string, Node> = {};
  for (const kind of ['q', 'k', 'v'] as const) outs[`sq_${kind}`] = matmul(G, mT(right[kind]));
  // Squared norms from the d_head x d_head cores: ||W_V W_O||^2 = tr(W_V^T W_V W_O W_O^T), likewise QK.
  const trace = (a: Node, b: Node) => reshape(matmul(reshape(a, [n, 1, E * E]), reshape(transpose(b, [0, 2, 1]), [n, E * E, 1])), [n]);
  outs['ov2'] = trace(gram(v), matmul(o, oT));
  outs['qk2'] = trace(gram(q), gram(k));
  const r = await compile(outs).run({ W_Q: WQ, W_K: WK, W_V: WV, W_O: WO });
  const ov = Array.from(r['ov2']!.data as Float32Array, Math.sqrt);
  const qk = Array.from(r['qk2']!.data as Float32Array, Math.sqrt);
  const result = {} as Record<CompositionKind, number[][]>;
  const heads = { n_layers: L, n_heads: H };
  for (const kind of ['q', 'k', 'v'] as const) {
    const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const sq = r[`sq_${kind}`]!.data as Float32Array;
    for (let a = 0; a < n; a++) for (let b = (headAt(heads, a).layer + 1) * H; b < n; b++) {
      const denom = ov[a]! * (kind === 'v' ? ov[b]! : qk[b]!);
      m[a]![b] = denom > 0 ? Math.sqrt(Math.max(0, sq[a * n + b]!)) / denom : 0;
    }
    result[kind] = m;
  }
  return result;
}

/**
 * Every head's W_Q, W_K, W_V `[n, d_model, d_head]` and W_O `[n, d_head, d_model]` (n = layers x heads) as the
 * residual stream is read: a head's output reaches a later head through that head's ln1, which (LN, LNPre) removes
 * the mean over d_model and (LN, RMS) scales by its gain. So W_O is centred over d_model and W_Q, W_K, W_V are
 * scaled row by row by ln1.w and centred over d_model, as TransformerLens's fold_ln and center_writing_weights
 * leave them (a per-position scale does not change a normalised score). On processed weights (LNPre, centred) this
 * changes nothing; it matters where the weights could not be processed: a shortformer model's LayerNorm cannot be
 * folded (its gain would scale W_pos too), yet its residual stream is read through the gain all the same.
 */
export function readingFactors(cfg: HookedTransformerConfig, weights: StateDict): Record<'W_Q' | 'W_K' | 'W_V' | 'W_O', Tensor<'float32'>> {
  const { n_layers: L, n_heads: H, d_model: D, d_head: E, normalization_type: norm } = cfg;
  const centres = norm === 'LN' || norm === 'LNPre';
  const gains = norm === 'LN' || norm === 'RMS';
  const stack = (name: string) => stackHeads(cfg, weights, `attn.${name}`);
  // processWeights' own folding, one layer's heads ([H, D, E], blocks of [D, E]) at a time with that layer's gain.
  const reading = (name: string): Tensor<'float32'> => {
    const t = stack(name);
    const W = new Float64Array(t.data);
    const per = H * D * E;
    for (let l = 0; l < L; l++) {
      const gain = gains ? weights[`blocks.${l}.ln1.w`]?.data : undefined;
      foldReader(W.subarray(l * per, (l + 1) * per), null, D, E, gain ? new Float64Array(gain) : null, null, centres);
    }
    return { ...t, data: new Float32Array(W) };
  };
  const WO = stack('W_O');
  return { W_Q: reading('W_Q'), W_K: reading('W_K'), W_V: reading('W_V'), W_O: centres ? centredRows(WO, D) : WO };
}

/** Mean composition score between independent Gaussian heads of the same shapes (two layers of `samples` heads). */
async function randomBaseline(D: number, E: number, samples: number, seed: number): Promise<Record<CompositionKind, number>> {
  const rng = new Rng(seed + 7919);
  const n = 2 * samples;
  const r = (shape: number[]) => ({ dtype: 'float32', shape, data: rng.normals(shape.reduce((a, b) => a * b, 1)) }) as Tensor<'float32'>;
  const s = await compositionFromFactors(r([n, D, E]), r([n, D, E]), r([n, D, E]), r([n, E, D]), 2, samples);
  const mean = (m: number[][]) => {
    let t = 0;
    for (let a = 0; a < samples; a++) for (let b = samples; b < n; b++) t += m[a]![b]!;
    return t / (samples * samples);
  };
  return { q: mean(s.q), k: mean(s.k), v: mean(s.v) };
}

/** Virtual heads (a -> b V-composition paths) ranked by V-composition score, strongest first. */
export function rankVirtualHeads(c: CompositionResult, top = 10): { from: [number, number]; to: [number, number]; score: number }[] {
  const out: { from: [number, number]; to: [number, number]; score: number }[] = [];
  const heads = { n_layers: c.nLayers, n_heads: c.nHeads };
  const n = c.nLayers * c.nHeads;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
    const s = c.scores.v[a]![b]!;
    if (s <= 0) continue;
    const [from, to] = [headAt(heads, a), headAt(heads, b)];
    out.push({ from: [from.layer, from.head], to: [to.layer, to.head], score: s });
  }
  return out.sort((x, y) => y.score - x.score).slice(0, top);
}
