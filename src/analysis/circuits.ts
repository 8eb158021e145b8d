import { compile, input, matmul, type Tensor } from '../engine/index.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import { attnWeight } from '../model/weightViews.js';
import { FactoredMatrix } from '../linalg/factored.js';
import { matrix, toMatrix, transpose, type Matrix } from '../linalg/matrix.js';

/** The full token circuits of one head, as factored vocab x vocab matrices (never materialised). */
export interface HeadCircuits {
  layer: number;
  head: number;
  /** W_E W_Q W_K^T W_E^T: [dest token, src token], the attention scores from tokens alone (positions left out, before the 1/sqrt(d_head) scale, as in the paper). */
  qk: FactoredMatrix;
  /** W_E W_V W_O W_U: [src token, out logit]: what attending to a token does to the logits. */
  ov: FactoredMatrix;
}

/**
 * The full QK and OV circuits of every head of one layer ("A Mathematical Framework", one-layer section):
 * QK = W_E W_QK^h W_E^T and OV = W_E W_OV^h W_U, each held as its d_head-rank factors. The factors
 * (W_E W_Q^h etc., vocab x d_head) are computed by the engine for all heads of the layer at once.
 */
export async function layerCircuits(model: HookedTransformer, layer: number): Promise<HeadCircuits[]> {
  const { n_heads: H, d_model: D, d_head: E, d_vocab: V, d_vocab_out: VO } = model.cfg;
  if (!Number.isInteger(layer) || layer < 0 || layer >= model.cfg.n_layers) throw new Error(`layerCircuits: layer ${layer} is out of range 0..${model.cfg.n_layers - 1}`);
  const w = model.weights;
  const WE = input('embed.W_E', [V, D]);
  const WU = input('unembed.W_U', [D, VO]);
  const at = (n: string, shape: number[]) => input(`blocks.${layer}.attn.${n}`, shape);
  const out = await compile({
    eq: matmul(WE, at('W_Q', [H, D, E])), // [H, V, E]
    ek: matmul(WE, at('W_K', [H, D, E])),
    ev: matmul(WE, at('W_V', [H, D, E])),
    ou: matmul(at('W_O', [H, E, D]), WU), // [H, E, VO]
  }).run({ ...w, [`blocks.${layer}.attn.W_K`]: attnWeight(model.cfg, w, layer, 'W_K'), [`blocks.${layer}.attn.W_V`]: attnWeight(model.cfg, w, layer, 'W_V') });
  const head = (t: Tensor, h: number, rows: number, cols: number, transpose = false) => {
    const src = t.data as Float32Array;
    const m = matrix(transpose ? cols : rows, transpose ? rows : cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
      const v = src[(h * rows + i) * cols + j]!;
      if (transpose) m.data[j * rows + i] = v;
      else m.data[i * cols + j] = v;
    }
    return m;
  };
  return Array.from({ length: H }, (_, h) => ({
    layer, head: h,
    qk: new FactoredMatrix(head(out.eq!, h, V, E), head(out.ek!, h, V, E, true)),
    ov: new FactoredMatrix(head(out.ev!, h, V, E), head(out.ou!, h, E, VO)),
  }));
}

/**
 * The positional QK circuit of a head: W_pos W_QK^h W_pos^T, `[dest position, src position]`, with the entries a
 * causal model never uses (src > dest) set to -Infinity. Previous-token heads show a bright sub-diagonal.
 */
export async function positionalQK(model: HookedTransformer, layer: number, head: number): Promise<Matrix> {
  const { n_ctx: T } = model.cfg;
  // (W_pos W_Q)(W_K^T W_pos^T), kept factored until the T x T product.
  const m = model.QK(layer, head).rmatmul(model.W_pos).matmul(transpose(toMatrix(model.W_pos))).AB;
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m.data[i * T + j] = -Infinity;
  return m;
}

export interface SkipTrigram {
  /** Source token (attended to). */
  src: number;
  /** Destination token (where attention comes from). */
  dest: number;
  /** Output token whose logit rises. */
  out: number;
  /** QK[dest, src]: how strongly dest attends to src. */
  qk: number;
  /** OV[src, out]: how much attending to src raises out. */
  ov: number;
  /** qk * ov, the ranking key. */
  score: number;
}

/**
 * Skip-trigrams `src ... dest -> out` of one head: the strongest OV entries (src -> out) paired with the
 * destinations that attend most to that src, ranked by the product of the two strengths.
 */
export function skipTrigrams(c: HeadCircuits, opts: { k?: number; candidates?: number; destsPerSource?: number } = {}): SkipTrigram[] {
  const k = opts.k ?? 20;
  const ovTop = c.ov.topK(opts.candidates ?? 4 * k);
  const perSrc = opts.destsPerSource ?? 3;
  const out: SkipTrigram[] = [];
  const colCache = new Map<number, Float64Array>();
  for (const e of ovTop) {
    let col = colCache.get(e.row);
    if (!col) {
      col = c.qk.col(e.row);
      colCache.set(e.row, col);
    }
    const dests = Array.from(col.keys()).sort((a, b) => col[b]! - col[a]!).slice(0, perSrc);
    for (const d of dests) out.push({ src: e.row, dest: d, out: e.col, qk: col[d]!, ov: e.value, score: col[d]! * e.value });
  }
  return out.filter((t) => t.qk > 0).sort((a, b) => b.score - a.score).slice(0, k);
}
