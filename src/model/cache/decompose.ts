import { posInResid, type HookedTransformerConfig } from '../config.js';
import type { StateDict } from '../weights.js';
import { concatFirst, f32, moveAxisToFront, select, sliceAxis, stack, type F32 } from './host.js';

/**
 * TransformerLens's ActivationCache decompositions of the residual stream (`accumulated_resid`, `decompose_resid`,
 * `stack_head_results`, `stack_neuron_results`, `get_full_resid_decomposition`, `apply_ln_to_stack`,
 * `logit_attrs`, `compute_head_results`), on host tensors, with its argument defaults and component labels.
 * Every stack is `[components, batch, pos, d_model]` (the pos axis dropped when `pos` is a number).
 */

/** What the decompositions need of a model: its config and weights (a HookedTransformer is one). */
export interface CacheModel {
  readonly cfg: HookedTransformerConfig;
  readonly weights: StateDict;
}

/** What they need of a cache. */
export interface CacheReader {
  get(name: string): F32;
  has(name: string): boolean;
}

/** TransformerLens's `pos_slice`: one position (the axis is dropped), or `[start, end)`. */
export type PosSlice = number | readonly [number, number];

/** A stack of residual-stream components and TransformerLens's label for each. */
export interface Decomposition {
  stack: F32;
  labels: string[];
}

/** Applies a pos slice to axis -2 (`[..., pos, d]`). */
export function applyPos(t: F32, pos: PosSlice | undefined, fromEnd = 2): F32 {
  if (pos === undefined) return t;
  const axis = t.shape.length - fromEnd;
  return typeof pos === 'number' ? select(t, axis, pos) : sliceAxis(t, axis, pos[0], pos[1]);
}

function layerOrFinal(cfg: HookedTransformerConfig, layer: number | undefined): number {
  const L = cfg.n_layers;
  const l = layer === undefined || layer === -1 ? L : layer;
  if (!Number.isInteger(l) || l < 0 || l > L) throw new Error(`layer ${layer} is out of range 0..${L} (or -1 for the final residual stream)`);
  return l;
}

function weight(m: CacheModel, name: string): Float32Array {
  const w = m.weights[name];
  if (!w) throw new Error(`the model has no weight ${name}`);
  return w.data as Float32Array;
}

/**
 * `accumulated_resid`: the residual stream before each layer up to `layer` (`{l}_pre`, with `{l}_mid` when
 * `inclMid`, `final_post` for the last), optionally through LayerNorm: to the final residual stream (`layer`
 * -1 or n_layers) `ln_final` is applied with its scale recomputed for each component (TransformerLens's
 * `recompute_ln`, the logit lens), otherwise the cached scale of `layer`'s LayerNorm is used.
 */
export function accumulatedResid(c: CacheReader, m: CacheModel, opts: { layer?: number; inclMid?: boolean; applyLn?: boolean; pos?: PosSlice; mlpInput?: boolean } = {}): Decomposition {
  const cfg = m.cfg;
  const layer = layerOrFinal(cfg, opts.layer);
  const parts: F32[] = [];
  const labels: string[] = [];
  for (let l = 0; l <= layer; l++) {
    if (l === cfg.n_layers) {
      parts.push(c.get(`blocks.${cfg.n_layers - 1}.hook_resid_post`));
      labels.push('final_post');
      continue;
    }
    parts.push(c.get(`blocks.${l}.hook_resid_pre`));
    labels.push(`${l}_pre`);
    if ((opts.inclMid && l < layer) || (opts.mlpInput && l === layer)) {
      parts.push(c.get(`blocks.${l}.hook_resid_mid`));
      labels.push(`${l}_mid`);
    }
  }
  let s = stack(parts.map((p) => applyPos(p, opts.pos)));
  if (opts.applyLn) s = applyLnToStack(c, m, s, { layer, pos: opts.pos, mlpInput: opts.mlpInput, recomputeLn: layer === cfg.n_layers });
  return { stack: s, labels };
}

/**
 * `decompose_resid`: the residual stream into `layer` as `embed`, `pos_embed`, then `{l}_attn_out` and
 * `{l}_mlp_out` per earlier layer (`mode` 'attn' or 'mlp' keeps one kind; `mlpInput` adds `{layer}_attn_out`).
 * Attention biases are inside attn_out. A shortformer model has no `pos_embed` component: its positional
 * embedding never enters the residual stream (TransformerLens would list it, and the stack would not sum to it).
 */
export function decomposeResid(c: CacheReader, m: CacheModel, opts: { layer?: number; mlpInput?: boolean; mode?: 'all' | 'attn' | 'mlp'; applyLn?: boolean; pos?: PosSlice; inclEmbeds?: boolean } = {}): Decomposition {
  const cfg = m.cfg;
  const layer = layerOrFinal(cfg, opts.layer);
  const mode = opts.mode ?? 'all';
  const attn = mode !== 'mlp';
  const mlps = mode !== 'attn' && !cfg.attn_only;
  const parts: F32[] = [];
  const labels: string[] = [];
  const add = (name: string, label: string) => { parts.push(applyPos(c.get(name), opts.pos)); labels.push(label); };
  if (opts.inclEmbeds ?? true) {
    add('hook_embed', 'embed');
    if (posInResid(cfg)) add('hook_pos_embed', 'pos_embed');
  }
  for (let l = 0; l < layer; l++) {
    if (attn) add(`blocks.${l}.hook_attn_out`, `${l}_attn_out`);
    if (mlps) add(`blocks.${l}.hook_mlp_out`, `${l}_mlp_out`);
  }
  if (opts.mlpInput && attn) add(`blocks.${layer}.hook_attn_out`, `${layer}_attn_out`);
  let s = stack(parts, residShape(c, opts.pos));
  if (opts.applyLn) s = applyLnToStack(c, m, s, { layer, pos: opts.pos, mlpInput: opts.mlpInput });
  return { stack: s, labels };
}

function residShape(c: CacheReader, pos: PosSlice | undefined): number[] {
  return [...applyPos(c.get('hook_embed'), pos).shape];
}

/**
 * `compute_head_results`: each head's output `z W_O` (no `b_O`), `[batch, pos, head, d_model]`, for every layer
 * whose `hook_result` is not cached, from the cached `hook_z`.
 */
export function computeHeadResults(c: CacheReader, m: CacheModel): Record<string, F32> {
  const { n_layers: L, n_heads: H, d_head: E, d_model: D } = m.cfg;
  const out: Record<string, F32> = {};
  for (let l = 0; l < L; l++) {
    const name = `blocks.${l}.attn.hook_result`;
    if (c.has(name)) continue;
    const z = c.get(`blocks.${l}.attn.hook_z`);
    const WO = weight(m, `blocks.${l}.attn.W_O`);
    const rows = z.data.length / (H * E);
    const r = new Float32Array(rows * H * D);
    for (let i = 0; i < rows; i++) for (let h = 0; h < H; h++) {
      const zo = (i * H + h) * E;
      const ro = (i * H + h) * D;
      for (let e = 0; e < E; e++) {
        const zv = z.data[zo + e]!;
        if (zv === 0) continue;
        const wo = (h * E + e) * D;
        for (let d = 0; d < D; d++) r[ro + d]! += zv * WO[wo + d]!;
      }
    }
    out[name] = f32(r, [...z.shape.slice(0, -1), D]);
  }
  return out;
}

/**
 * `stack_head_results`: every head's output in layers before `layer`, labelled `L{l}H{h}`, plus a `remainder`
 * (the residual stream into `layer` minus the heads) when `inclRemainder`.
 */
export function stackHeadResults(c: CacheReader, m: CacheModel, opts: { layer?: number; inclRemainder?: boolean; pos?: PosSlice; applyLn?: boolean } = {}): Decomposition {
  const cfg = m.cfg;
  const layer = layerOrFinal(cfg, opts.layer);
  const parts: F32[] = [];
  const labels: string[] = [];
  for (let l = 0; l < layer; l++) {
    const r = applyPos(c.get(`blocks.${l}.attn.hook_result`), opts.pos, 3);
    parts.push(moveAxisToFront(r, -2));
    for (let h = 0; h < cfg.n_heads; h++) labels.push(`L${l}H${h}`);
  }
  return withRemainder(c, m, parts, labels, layer, opts, `blocks.${layer - 1}.hook_resid_post`);
}

/** `stack_neuron_results`: each neuron's output `post[n] W_out[n]` in layers before `layer`, labelled `L{l}N{n}`. */
export function stackNeuronResults(c: CacheReader, m: CacheModel, opts: { layer?: number; inclRemainder?: boolean; pos?: PosSlice; applyLn?: boolean; mlpInput?: boolean } = {}): Decomposition {
  const cfg = m.cfg;
  if (cfg.attn_only) throw new Error('stackNeuronResults: an attention-only model has no neurons');
  const layer = layerOrFinal(cfg, opts.layer);
  const { d_model: D } = cfg;
  const M = cfg.d_mlp!;
  const parts: F32[] = [];
  const labels: string[] = [];
  for (let l = 0; l < layer; l++) {
    const post = applyPos(c.get(`blocks.${l}.mlp.hook_post`), opts.pos);
    const W = weight(m, `blocks.${l}.mlp.W_out`);
    const rows = post.data.length / M;
    const out = new Float32Array(M * rows * D);
    for (let n = 0; n < M; n++) for (let i = 0; i < rows; i++) {
      const a = post.data[i * M + n]!;
      const o = (n * rows + i) * D;
      for (let d = 0; d < D; d++) out[o + d] = a * W[n * D + d]!;
    }
    parts.push(f32(out, [M, ...post.shape.slice(0, -1), D]));
    for (let n = 0; n < M; n++) labels.push(`L${l}N${n}`);
  }
  const target = opts.mlpInput ? `blocks.${layer}.hook_resid_mid` : `blocks.${layer - 1}.hook_resid_post`;
  return withRemainder(c, m, parts, labels, layer, opts, target);
}

function withRemainder(c: CacheReader, m: CacheModel, parts: F32[], labels: string[], layer: number, opts: { inclRemainder?: boolean; pos?: PosSlice; applyLn?: boolean; mlpInput?: boolean }, target: string): Decomposition {
  let s = parts.length > 0 ? concatFirst(parts) : stack([], residShape(c, opts.pos));
  if (opts.inclRemainder) {
    const resid = layer === 0 ? sumOf(c, m, opts.pos) : applyPos(c.get(target), opts.pos);
    const rem = new Float32Array(resid.data);
    const n = rem.length;
    for (let k = 0; k < s.shape[0]!; k++) for (let i = 0; i < n; i++) rem[i]! -= s.data[k * n + i]!;
    s = concatFirst([s, f32(rem, [1, ...resid.shape])]);
    labels.push('remainder');
  }
  if (opts.applyLn) s = applyLnToStack(c, m, s, { layer, pos: opts.pos, mlpInput: opts.mlpInput });
  return { stack: s, labels };
}

function sumOf(c: CacheReader, _m: CacheModel, pos: PosSlice | undefined): F32 {
  return applyPos(c.get('blocks.0.hook_resid_pre'), pos);
}

/** TransformerLens's `accumulated_bias`: the attention (and, with `includeMlpBiases`, MLP) biases before `layer`. */
export function accumulatedBias(m: CacheModel, layer: number, mlpInput = false, includeMlpBiases = true): Float32Array {
  const cfg = m.cfg;
  const out = new Float32Array(cfg.d_model);
  const addW = (name: string) => { const w = weight(m, name); for (let d = 0; d < out.length; d++) out[d]! += w[d]!; };
  for (let l = 0; l < layer; l++) {
    addW(`blocks.${l}.attn.b_O`);
    if (includeMlpBiases && !cfg.attn_only) addW(`blocks.${l}.mlp.b_out`);
  }
  if (mlpInput) {
    if (layer >= cfg.n_layers) throw new Error('accumulatedBias: no attention bias beyond the final layer');
    addW(`blocks.${layer}.attn.b_O`);
  }
  return out;
}

/**
 * `get_full_resid_decomposition`: every head (`L{l}H{h}`), every neuron (`L{l}N{n}`, or `{l}_mlp_out` with
 * `expandNeurons: false`), `embed`, `pos_embed` and the accumulated `bias`: their sum is the residual stream
 * into `layer` (the final one by default).
 */
export function getFullResidDecomposition(c: CacheReader, m: CacheModel, opts: { layer?: number; mlpInput?: boolean; expandNeurons?: boolean; applyLn?: boolean; pos?: PosSlice } = {}): Decomposition {
  const cfg = m.cfg;
  const layer = layerOrFinal(cfg, opts.layer);
  const expand = opts.expandNeurons ?? true;
  const heads = stackHeadResults(c, m, { layer: layer + (opts.mlpInput ? 1 : 0), pos: opts.pos });
  const parts = [heads.stack];
  const labels = [...heads.labels];
  if (!cfg.attn_only && layer > 0) {
    const mlp = expand ? stackNeuronResults(c, m, { layer, pos: opts.pos }) : decomposeResid(c, m, { layer, mlpInput: opts.mlpInput, pos: opts.pos, inclEmbeds: false, mode: 'mlp' });
    parts.push(mlp.stack);
    labels.push(...mlp.labels);
  }
  parts.push(stack([applyPos(c.get('hook_embed'), opts.pos)]));
  labels.push('embed');
  if (posInResid(cfg)) {
    parts.push(stack([applyPos(c.get('hook_pos_embed'), opts.pos)]));
    labels.push('pos_embed');
  }
  const bias = accumulatedBias(m, layer, opts.mlpInput ?? false, expand);
  const shape = residShape(c, opts.pos);
  const b = new Float32Array(shape.reduce((a, v) => a * v, 1));
  for (let i = 0; i < b.length; i++) b[i] = bias[i % cfg.d_model]!;
  parts.push(f32(b, [1, ...shape]));
  labels.push('bias');
  let s = concatFirst(parts);
  if (opts.applyLn) s = applyLnToStack(c, m, s, { layer, pos: opts.pos, mlpInput: opts.mlpInput });
  return { stack: s, labels };
}

/**
 * `apply_ln_to_stack`: each component centred (LN, LNPre) and divided by the cached scale of the LayerNorm that
 * reads the residual stream into `layer` (ln1, ln2 with `mlpInput`, ln_final for the final stream). With the
 * cached scale the map is linear, so the components still sum to the normalised residual (without LN's `w` and
 * `b`, as TransformerLens: fold them into the weights first). `recomputeLn` (the final stream only) instead puts
 * each component through `ln_final` with its own scale, `w` and `b`: the logit lens.
 */
export function applyLnToStack(c: CacheReader, m: CacheModel, s: F32, opts: { layer?: number; mlpInput?: boolean; pos?: PosSlice; recomputeLn?: boolean } = {}): F32 {
  const cfg = m.cfg;
  if (cfg.normalization_type === null) return s;
  const layer = layerOrFinal(cfg, opts.layer);
  const D = cfg.d_model;
  const out = new Float32Array(s.data.length);
  const rows = s.data.length / D;
  // RMSNorm divides by the root mean square without centring.
  const centre = cfg.normalization_type === 'LN' || cfg.normalization_type === 'LNPre';
  if (opts.recomputeLn && layer === cfg.n_layers) {
    const w = cfg.normalization_type === 'LN' || cfg.normalization_type === 'RMS' ? weight(m, 'ln_final.w') : null;
    const b = cfg.normalization_type === 'LN' ? weight(m, 'ln_final.b') : null;
    for (let r = 0; r < rows; r++) {
      let mean = 0;
      if (centre) for (let d = 0; d < D; d++) mean += s.data[r * D + d]!;
      mean /= D;
      let v = 0;
      for (let d = 0; d < D; d++) { const x = s.data[r * D + d]! - mean; v += x * x; }
      const scale = Math.sqrt(v / D + cfg.eps);
      for (let d = 0; d < D; d++) {
        const x = (s.data[r * D + d]! - mean) / scale;
        out[r * D + d] = w ? x * w[d]! + (b ? b[d]! : 0) : x;
      }
    }
    return f32(out, s.shape);
  }
  const name = layer === cfg.n_layers ? 'ln_final.hook_scale' : `blocks.${layer}.ln${opts.mlpInput ? 2 : 1}.hook_scale`;
  const scale = applyPos(c.get(name), opts.pos).data;
  const per = scale.length;
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    if (centre) for (let d = 0; d < D; d++) mean += s.data[r * D + d]!;
    mean /= D;
    const sc = scale[r % per]!;
    for (let d = 0; d < D; d++) out[r * D + d] = (s.data[r * D + d]! - mean) / sc;
  }
  return f32(out, s.shape);
}

/** Tokens for `logitAttrs`: one for all, one per batch row, or one per row and position. */
export type TokenSpec = number | readonly number[] | readonly (readonly number[])[];

/**
 * `logit_attrs`: each component's contribution to the logit of `tokens` (minus `incorrect`'s): the stack through
 * ln_final's cached scale, dotted with `W_U[:, token]` (`[components, batch, pos]`). As TransformerLens, the
 * direction is `W_U`'s column alone: fold ln_final's weights first (`processWeights`) for exact logits.
 */
export function logitAttrs(c: CacheReader, m: CacheModel, s: F32, tokens: TokenSpec, opts: { incorrect?: TokenSpec; pos?: PosSlice } = {}): F32 {
  const cfg = m.cfg;
  const D = cfg.d_model;
  const V = cfg.d_vocab_out;
  const WU = weight(m, 'unembed.W_U');
  const scaled = applyLnToStack(c, m, s, { pos: opts.pos });
  const lead = s.shape.slice(1, -1);
  const per = lead.reduce((a, v) => a * v, 1);
  const B = lead[0] ?? 1;
  const P = per / B;
  const tokAt = (spec: TokenSpec, i: number): number => {
    if (typeof spec === 'number') return spec;
    const b = Math.floor(i / P);
    const row = spec[b];
    if (row === undefined) throw new Error(`logitAttrs: no token for batch row ${b}`);
    if (typeof row === 'number') return row;
    const t = row[i % P];
    if (t === undefined) throw new Error(`logitAttrs: no token for batch row ${b}, position ${i % P}`);
    return t;
  };
  const n = s.shape[0]!;
  const out = new Float32Array(n * per);
  for (let i = 0; i < per; i++) {
    const t = tokAt(tokens, i);
    const u = opts.incorrect === undefined ? -1 : tokAt(opts.incorrect, i);
    for (const x of [t, u]) if (x >= V || x < -1 || !Number.isInteger(x)) throw new Error(`logitAttrs: token ${x} is out of range 0..${V - 1}`);
    for (let k = 0; k < n; k++) {
      const o = (k * per + i) * D;
      let acc = 0;
      for (let d = 0; d < D; d++) acc += scaled.data[o + d]! * (WU[d * V + t]! - (u < 0 ? 0 : WU[d * V + u]!));
      out[k * per + i] = acc;
    }
  }
  return f32(out, [n, ...lead]);
}

/** TransformerLens's short activation names (`utils.get_act_name`) as full hook names for layer `l`. */
export function actName(name: string, l: number, sublayer?: string): string {
  if (name.includes('hook_')) return name.startsWith('blocks.') ? name : `blocks.${l}.${name}`;
  const attn = ['q', 'k', 'v', 'z', 'result', 'pattern', 'attn_scores'];
  const mlp = ['pre', 'post'];
  const ln = ['scale', 'normalized'];
  if (attn.includes(name)) return `blocks.${l}.attn.hook_${name}`;
  if (mlp.includes(name)) return `blocks.${l}.mlp.hook_${name}`;
  if (ln.includes(name)) {
    if (!sublayer) throw new Error(`activation ${name} needs a sublayer (ln1 or ln2)`);
    return `blocks.${l}.${sublayer}.hook_${name}`;
  }
  return `blocks.${l}.hook_${name}`;
}

/** `stack_activation`: the activation `name` of every layer before `layer`, stacked `[layers, ...]`. */
export function stackActivation(c: CacheReader, m: CacheModel, name: string, opts: { layer?: number; sublayer?: string } = {}): F32 {
  const layer = layerOrFinal(m.cfg, opts.layer);
  return stack(Array.from({ length: layer }, (_, l) => c.get(actName(name, l, opts.sublayer))));
}
