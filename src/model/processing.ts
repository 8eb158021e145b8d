/**
 * TransformerLens's weight processing (`fold_layer_norm`, `center_writing_weights`, `center_unembed`,
 * `fold_value_biases`), as pure functions of (config, weights). Each rewrites weights so that the model's
 * log-probabilities stay the same while the weights read more simply: LayerNorm's gain and bias live in the
 * matrices that read from it, nothing writes a component along the all-ones direction that LayerNorm would
 * remove anyway, and a head's constant value-bias contribution moves to the layer's output bias.
 * Arithmetic is float64; results are rounded to float32 once. Tensors a step does not change are shared with
 * its input, not copied: treat both state dicts as immutable.
 */
import type { Tensor } from '../engine/tensor.js';
import type { HookedTransformerConfig } from './config.js';
import type { StateDict } from './weights.js';

/** A config and its weights, as every processing step takes and returns them. */
export interface ProcessedModel {
  config: HookedTransformerConfig;
  weights: StateDict;
}

/** Which steps `processWeights` applies; each defaults to true, as in TransformerLens's `from_pretrained`. */
export interface ProcessOptions {
  foldLn?: boolean;
  centreWritingWeights?: boolean;
  centreUnembed?: boolean;
  foldValueBiases?: boolean;
}

/** Why TransformerLens refuses these steps on shortformer models, and so do we. */
const SHORTFORMER_LN = 'a shortformer model adds W_pos to ln1\'s output, so ln1\'s gain cannot move into W_Q and W_K without also scaling W_pos (shared by every layer)';
const RMS_CENTRE = 'RMSNorm does not centre the residual stream, so removing the mean from its writers would change the outputs';
const SOFT_CAP_UNEMBED = 'the logits are soft-capped (cap tanh(logits / cap)), which is not invariant to adding a constant to every logit';
const SHORTFORMER_POS = 'a shortformer model adds W_pos to the queries\' and keys\' inputs after LayerNorm, so centring W_pos would change the attention scores';

function weight(w: StateDict, name: string): Tensor<'float32'> {
  const t = w[name];
  if (!t) throw new Error(`weight processing: missing ${name}`);
  return t;
}

function f64(w: StateDict, name: string): Float64Array {
  return new Float64Array(weight(w, name).data);
}

function f32(shape: readonly number[], data: Float64Array): Tensor<'float32'> {
  return { dtype: 'float32', shape: [...shape], data: new Float32Array(data) };
}

/**
 * A copy of `t` with each row (over the last axis, of length `n`) minus its mean: `x[r][j] - mean_j x[r][j]`,
 * accumulated in float64 row by row (no model-sized float64 buffer: W_E is 38M entries in GPT-2).
 */
export function centredRows(t: Tensor<'float32'>, n: number): Tensor<'float32'> {
  const x = t.data;
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length; r += n) {
    let s = 0;
    for (let j = 0; j < n; j++) s += x[r + j]!;
    const m = s / n;
    for (let j = 0; j < n; j++) out[r + j] = x[r + j]! - m;
  }
  return { dtype: 'float32', shape: [...t.shape], data: out };
}

/**
 * Folds a LayerNorm (`w`, `b` over d_model, or none for LNPre) into a matrix that reads from it, stored as
 * `blocks` consecutive `[D, N]` matrices with one `[N]` bias each:
 * `bias[k][n] += Σ_d b[d] W[k][d][n]`, then `W[k][d][n] *= w[d]`, then `W[k][d][n] -= mean_d W[k][d][n]`.
 * Centring over d_model is free because LayerNorm's normalized output has zero mean over d_model.
 */
export function foldReader(W: Float64Array, bias: Float64Array | null, D: number, N: number, lnW: Float64Array | null, lnB: Float64Array | null, centre = true): void {
  const blocks = W.length / (D * N);
  const mean = new Float64Array(N);
  // Row-major sweeps only: for W_U (d_model x d_vocab) a column-wise loop is several times slower.
  for (let k = 0; k < blocks; k++) {
    const base = k * D * N;
    const b = bias?.subarray(k * N, (k + 1) * N) ?? null;
    mean.fill(0);
    for (let d = 0; d < D; d++) {
      const row = W.subarray(base + d * N, base + (d + 1) * N);
      const shift = lnB ? lnB[d]! : 0;
      const scale = lnW ? lnW[d]! : 1;
      for (let n = 0; n < N; n++) {
        const x = row[n]!;
        if (b) b[n]! += shift * x;
        row[n] = x * scale;
        mean[n]! += row[n]! / D;
      }
    }
    if (!centre) continue;
    for (let d = 0; d < D; d++) {
      const row = W.subarray(base + d * N, base + (d + 1) * N);
      for (let n = 0; n < N; n++) row[n]! -= mean[n]!;
    }
  }
}

/**
 * Folds every LayerNorm into the weights that read from it (TransformerLens's `fold_layer_norm` with
 * `fold_biases` and `center_weights`): `ln1` into `W_Q, W_K, W_V` (`b_Q += ln1.b W_Q`, `W_Q *= ln1.w` per input
 * row, likewise K and V), `ln2` into `W_in`/`b_in` (and `W_gate`), `ln_final` into `W_U`/`b_U`; then centres each
 * of those reading matrices over d_model. The LN weights disappear and `normalization_type` becomes `LNPre`.
 * On an LNPre model only the centring applies. RMSNorm (TransformerLens: `fold_biases=False, center_weights=False`)
 * has no bias and does not centre its input, so only the gain moves and `RMS` becomes `RMSPre`.
 * Throws on a model without LayerNorm, and where TransformerLens's folding does not hold (see `foldLnBlocker`).
 */
export function foldLayerNorm(cfg: HookedTransformerConfig, sd: StateDict): ProcessedModel {
  if (cfg.normalization_type === null) throw new Error('foldLayerNorm: the model has no LayerNorm to fold (normalization_type is null)');
  const blocker = foldLnBlocker(cfg);
  if (blocker) throw new Error(`foldLayerNorm: ${blocker}`);
  const rms = cfg.normalization_type === 'RMS' || cfg.normalization_type === 'RMSPre';
  const hasW = cfg.normalization_type === 'LN' || cfg.normalization_type === 'RMS';
  const { d_model: D, d_head: E } = cfg;
  const out: StateDict = { ...sd };
  const fold = (ln: string, wName: string, bName: string | null, N: number) => {
    const W = f64(sd, wName);
    const b = bName === null || rms ? null : f64(sd, bName);
    foldReader(W, b, D, N, hasW ? f64(sd, `${ln}.w`) : null, hasW && !rms ? f64(sd, `${ln}.b`) : null, !rms);
    out[wName] = f32(sd[wName]!.shape, W);
    if (b && bName) out[bName] = f32(sd[bName]!.shape, b);
  };
  const kv = cfg.n_key_value_heads !== null ? '_' : '';
  for (let l = 0; l < cfg.n_layers; l++) {
    const p = `blocks.${l}`;
    fold(`${p}.ln1`, `${p}.attn.W_Q`, `${p}.attn.b_Q`, E);
    for (const x of ['K', 'V']) fold(`${p}.ln1`, `${p}.attn.${kv}W_${x}`, `${p}.attn.${kv}b_${x}`, E);
    if (!cfg.attn_only) {
      fold(`${p}.ln2`, `${p}.mlp.W_in`, `${p}.mlp.b_in`, cfg.d_mlp!);
      if (cfg.gated_mlp) fold(`${p}.ln2`, `${p}.mlp.W_gate`, null, cfg.d_mlp!);
    }
  }
  fold('ln_final', 'unembed.W_U', 'unembed.b_U', cfg.d_vocab_out);
  for (const k of Object.keys(out)) {
    if (/(^|\.)(ln1|ln2|ln_final)\.[wb]$/.test(k)) delete out[k];
  }
  return { config: { ...cfg, normalization_type: rms ? 'RMSPre' : 'LNPre' }, weights: out };
}

/** Why LayerNorm folding does not apply to this model, or null when it does. */
export function foldLnBlocker(cfg: HookedTransformerConfig): string | null {
  if (cfg.positional_embedding_type === 'shortformer') return SHORTFORMER_LN;
  if (cfg.use_normalization_before_and_after) {
    return 'ln1_post and ln2_post (Gemma 2) normalise attention\'s and the MLP\'s outputs before the residual add, so no matrix reads them to take their gains, and one normalization_type covers every norm';
  }
  if (cfg.gated_mlp && cfg.normalization_type === 'LN') return 'a gated MLP adds b_in after the gate\'s product, so ln2\'s bias cannot move into b_in';
  return null;
}

/**
 * Centres the weights that write to the residual stream (TransformerLens's `center_writing_weights`): removes
 * the mean over d_model from every output vector, `W_E[v] -= mean_d W_E[v][d]`, likewise `W_pos`, `W_O` and
 * `W_out` (over their last axis), and `b_O -= mean(b_O)`, `b_out -= mean(b_out)`. Free only when every reader
 * of the residual stream centres it first, so LN and LNPre models only.
 */
export function centreWritingWeights(cfg: HookedTransformerConfig, sd: StateDict): ProcessedModel {
  if (cfg.normalization_type === null) {
    throw new Error('centreWritingWeights: without LayerNorm the residual stream is not centred, so centring its writers would change the outputs');
  }
  if (cfg.positional_embedding_type === 'shortformer') throw new Error(`centreWritingWeights: ${SHORTFORMER_POS}`);
  const D = cfg.d_model;
  if (cfg.normalization_type === 'RMS' || cfg.normalization_type === 'RMSPre') throw new Error(`centreWritingWeights: ${RMS_CENTRE}`);
  const names = cfg.positional_embedding_type === 'rotary' ? ['embed.W_E'] : ['embed.W_E', 'pos_embed.W_pos'];
  for (let l = 0; l < cfg.n_layers; l++) {
    names.push(`blocks.${l}.attn.W_O`, `blocks.${l}.attn.b_O`);
    if (!cfg.attn_only) names.push(`blocks.${l}.mlp.W_out`, `blocks.${l}.mlp.b_out`);
  }
  const out: StateDict = { ...sd };
  for (const name of names) out[name] = centredRows(weight(sd, name), D);
  return { config: cfg, weights: out };
}

/**
 * Centres the unembedding over the vocabulary (TransformerLens's `center_unembed`):
 * `W_U[d][v] -= mean_v W_U[d][v]`, `b_U -= mean(b_U)`. Every logit at a position moves by the same amount, so
 * logits change and log-probabilities do not.
 */
export function centreUnembed(cfg: HookedTransformerConfig, sd: StateDict): ProcessedModel {
  const V = cfg.d_vocab_out;
  const out: StateDict = { ...sd };
  for (const name of ['unembed.W_U', 'unembed.b_U']) out[name] = centredRows(weight(sd, name), V);
  return { config: cfg, weights: out };
}

/**
 * Folds the value biases into the output bias (TransformerLens's `fold_value_biases`):
 * `b_O[m] += Σ_h Σ_e b_V[h][e] W_O[h][e][m]`, then `b_V = 0`. Exact because each attention row sums to one,
 * so a head adds `b_V[h] W_O[h]` at every position whatever it attends to.
 */
export function foldValueBiases(cfg: HookedTransformerConfig, sd: StateDict): ProcessedModel {
  const { n_heads: H, d_head: E, d_model: D } = cfg;
  // Grouped-query attention: query head h reads value head floor(h / group), so its value bias is that head's.
  const group = H / (cfg.n_key_value_heads ?? H);
  const bVName = cfg.n_key_value_heads !== null ? '_b_V' : 'b_V';
  const out: StateDict = { ...sd };
  for (let l = 0; l < cfg.n_layers; l++) {
    const p = `blocks.${l}.attn`;
    const bV = f64(sd, `${p}.${bVName}`);
    const WO = f64(sd, `${p}.W_O`);
    const bO = f64(sd, `${p}.b_O`);
    for (let h = 0; h < H; h++) {
      for (let e = 0; e < E; e++) {
        const v = bV[Math.floor(h / group) * E + e]!;
        const he = h * E + e;
        if (v !== 0) for (let m = 0; m < D; m++) bO[m]! += v * WO[he * D + m]!;
      }
    }
    out[`${p}.b_O`] = f32(sd[`${p}.b_O`]!.shape, bO);
    out[`${p}.${bVName}`] = f32(sd[`${p}.${bVName}`]!.shape, new Float64Array(bV.length));
  }
  return { config: cfg, weights: out };
}

/**
 * TransformerLens's `process_weights`: the chosen steps in its order, fold LayerNorm, centre writing weights,
 * centre unembed, fold value biases. A step that does not apply to the model (folding or centring writers
 * without LayerNorm) is skipped, as TransformerLens skips it with a warning; `skipped` says which and why.
 */
export function processWeights(cfg: HookedTransformerConfig, sd: StateDict, options: ProcessOptions = {}): ProcessedModel & { skipped: string[] } {
  const opt = { foldLn: true, centreWritingWeights: true, centreUnembed: true, foldValueBiases: true, ...options };
  let m: ProcessedModel = { config: cfg, weights: sd };
  const skipped: string[] = [];
  const noLn = (step: string) => skipped.push(`${step}: the model has no LayerNorm (normalization_type null)`);
  // TransformerLens's from_pretrained turns fold_ln, center_writing_weights and center_unembed off for shortformer
  // models; centring the unembedding would be harmless, but following it keeps processed weights the same as its.
  const shortformer = cfg.positional_embedding_type === 'shortformer';
  if (opt.foldLn) {
    if (m.config.normalization_type === null) noLn('foldLn');
    else if (foldLnBlocker(m.config)) skipped.push(`foldLn: ${foldLnBlocker(m.config)!}`);
    else m = foldLayerNorm(m.config, m.weights);
  }
  if (opt.centreWritingWeights) {
    if (m.config.normalization_type === null) noLn('centreWritingWeights');
    else if (shortformer) skipped.push(`centreWritingWeights: ${SHORTFORMER_POS}`);
    else if (m.config.normalization_type === 'RMS' || m.config.normalization_type === 'RMSPre') skipped.push(`centreWritingWeights: ${RMS_CENTRE}`);
    else m = centreWritingWeights(m.config, m.weights);
  }
  if (opt.centreUnembed) {
    if (shortformer) skipped.push('centreUnembed: TransformerLens does not centre the unembedding of shortformer models');
    else if (m.config.output_logits_soft_cap > 0) skipped.push(`centreUnembed: ${SOFT_CAP_UNEMBED}`);
    else m = centreUnembed(m.config, m.weights);
  }
  if (opt.foldValueBiases) m = foldValueBiases(m.config, m.weights);
  return { ...m, skipped };
}
