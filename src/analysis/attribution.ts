import { InputError } from '../engine/errors.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import { posInResid } from '../model/config.js';
import { headId } from '../model/heads.js';
import type { TokenIds } from '../model/tokens.js';

/** One component of the residual stream at a position, and its direct effect on a logit direction. */
export interface Attribution {
  /** `embed`, `pos_embed`, `L{l}H{h}`, `L{l} b_O`, `L{l} mlp`. */
  component: string;
  layer: number;
  head: number | null;
  /** Its projection on the logit direction after the final LayerNorm's (cached) scale. */
  attribution: number;
}

export interface DirectLogitAttribution {
  components: Attribution[];
  /** attribution of each head, `[layer][head]`. */
  heads: number[][];
  /** Sum of all components (+ b_U's share): equals the model's logit (difference) when the model has no LN or LNPre. */
  total: number;
  /** The model's actual logit (difference) at that position, for comparison. */
  logit: number;
}

/**
 * Direct logit attribution (TransformerLens's logit attribution with apply_ln_to_stack): the final residual at
 * `position` of sequence `batch` is the sum of components (embeddings, but no pos_embed in a shortformer model;
 * each head's hook_result, each layer's b_O, each MLP's output); each is centred, divided by ln_final's cached scale, and dotted with the logit direction
 * W_U[:, token] - W_U[:, against] (times ln_final.w for LN models).
 */
export async function directLogitAttribution(
  model: HookedTransformer, tokens: TokenIds, opts: { position: number; token: number; against?: number; batch?: number },
): Promise<DirectLogitAttribution> {
  const cfg = model.cfg;
  if (cfg.use_normalization_before_and_after) {
    throw new InputError('directLogitAttribution: this model normalises each attention and MLP output (ln1_post, ln2_post, as Gemma 2 does), so heads\' results are not terms of the residual stream');
  }
  // Rotary and shortformer models' positions never enter the residual stream: no direct effect to attribute.
  const withPos = posInResid(cfg);
  const names = withPos ? ['hook_embed', 'hook_pos_embed'] : ['hook_embed'];
  for (let l = 0; l < cfg.n_layers; l++) {
    names.push(`blocks.${l}.attn.hook_result`);
    if (!cfg.attn_only) names.push(`blocks.${l}.hook_mlp_out`);
  }
  if (cfg.normalization_type !== null) names.push('ln_final.hook_scale');
  const { logits, cache } = await model.runWithCache(tokens, { names });
  const [B, T] = logits.shape as [number, number, number];
  const b = opts.batch ?? 0;
  const p = opts.position < 0 ? T + opts.position : opts.position;
  if (b < 0 || b >= B || p < 0 || p >= T) throw new Error(`directLogitAttribution: batch ${b}, position ${opts.position} are outside [${B}, ${T}]`);
  const D = cfg.d_model;
  const V = cfg.d_vocab_out;
  const WU = model.weights['unembed.W_U']!.data;
  const dir = new Float64Array(D);
  for (let d = 0; d < D; d++) dir[d] = WU[d * V + opts.token]! - (opts.against === undefined ? 0 : WU[d * V + opts.against]!);
  if (cfg.normalization_type === 'LN' || cfg.normalization_type === 'RMS') {
    const w = model.weights['ln_final.w']!.data;
    for (let d = 0; d < D; d++) dir[d]! *= w[d]!;
  }
  const scale = cfg.normalization_type === null ? 1 : cache.get('ln_final.hook_scale').data[b * T + p]!;
  // RMSNorm does not centre.
  const centre = cfg.normalization_type === 'LN' || cfg.normalization_type === 'LNPre';
  const project = (vec: ArrayLike<number>, offset: number): number => {
    let mean = 0;
    if (centre) {
      for (let d = 0; d < D; d++) mean += vec[offset + d]!;
      mean /= D;
    }
    let s = 0;
    for (let d = 0; d < D; d++) s += (vec[offset + d]! - mean) * dir[d]!;
    return s / scale;
  };
  const at = (name: string) => project(cache.get(name).data, (b * T + p) * D);
  const components: Attribution[] = [{ component: 'embed', layer: -1, head: null, attribution: at('hook_embed') }];
  if (withPos) components.push({ component: 'pos_embed', layer: -1, head: null, attribution: at('hook_pos_embed') });
  const heads: number[][] = [];
  for (let l = 0; l < cfg.n_layers; l++) {
    const r = cache.get(`blocks.${l}.attn.hook_result`);
    const H = cfg.n_heads;
    heads.push([]);
    for (let h = 0; h < H; h++) {
      const a = project(r.data, ((b * T + p) * H + h) * D);
      heads[l]!.push(a);
      components.push({ component: headId(cfg, l, h).label, layer: l, head: h, attribution: a });
    }
    components.push({ component: `L${l} b_O`, layer: l, head: null, attribution: project(model.weights[`blocks.${l}.attn.b_O`]!.data, 0) });
    if (!cfg.attn_only) components.push({ component: `L${l} mlp`, layer: l, head: null, attribution: at(`blocks.${l}.hook_mlp_out`) });
  }
  const bU = model.weights['unembed.b_U']!.data;
  const bias = bU[opts.token]! - (opts.against === undefined ? 0 : bU[opts.against]!);
  let lnBias = 0;
  if (cfg.normalization_type === 'LN') {
    const lb = model.weights['ln_final.b']!.data;
    for (let d = 0; d < D; d++) lnBias += lb[d]! * (WU[d * V + opts.token]! - (opts.against === undefined ? 0 : WU[d * V + opts.against]!));
  }
  const total = components.reduce((s, c) => s + c.attribution, 0) + bias + lnBias;
  const logit = logits.data[(b * T + p) * V + opts.token]! - (opts.against === undefined ? 0 : logits.data[(b * T + p) * V + opts.against]!);
  return { components, heads, total, logit };
}
