import {
  add, causalMask, div, expand, gather, gelu, geluTanh, matmul, mul, reduceMean, reduceSum, relu, reshape, slice,
  softmax, sqrt, sub, transpose, type Node,
} from '../engine/index.js';
import type { HookedTransformerConfig } from './config.js';

/**
 * What the forward pass asks at each hook point. `at` may return the activation unchanged (nothing to do), record
 * it (caching), or return a replacement (interventions, or a placeholder where a JavaScript hook cuts the graph).
 */
export interface HookHandler {
  at(name: string, x: Node): Node;
  /** Whether anything wants `name`: `hook_result` costs n_heads x the memory of attn_out, so it is built only then. */
  wants(name: string): boolean;
}

export const NO_HOOKS: HookHandler = { at: (_n, x) => x, wants: () => false };

/** The model's weights as graph nodes, by TransformerLens name. */
export type WeightNodes = Readonly<Record<string, Node>>;

/**
 * The HookedTransformer forward pass: tokens [batch, pos] (int64) -> logits [batch, pos, d_vocab_out], calling
 * `hooks.at` at every TransformerLens hook point.
 */
export function forward(cfg: HookedTransformerConfig, w: WeightNodes, tokens: Node, hooks: HookHandler = NO_HOOKS): Node {
  const [, T] = tokens.shape as [number, number];
  if (T > cfg.n_ctx) throw new Error(`forward: ${T} positions is more than the model's n_ctx (${cfg.n_ctx})`);
  const H = cfg.n_heads;
  const E = cfg.d_head;

  const norm = (x: Node, name: string): Node => {
    if (cfg.normalization_type === null) return x;
    // TransformerLens's LayerNorm: centre, scale = sqrt(mean(x^2) + eps), x / scale (* w + b for LN).
    const centred = sub(x, reduceMean(x, -1, true));
    const scale = hooks.at(`${name}.hook_scale`, sqrt(add(reduceMean(mul(centred, centred), -1, true), cfg.eps)));
    let normalized = div(centred, scale);
    if (cfg.normalization_type === 'LN') normalized = add(mul(normalized, w[`${name}.w`]!), w[`${name}.b`]!);
    return hooks.at(`${name}.hook_normalized`, normalized);
  };

  const embed = hooks.at('hook_embed', gather(w['embed.W_E']!, tokens));
  // TransformerLens's hook_pos_embed is [batch, pos, d_model], the positional rows repeated over the batch.
  const posEmbed = hooks.at('hook_pos_embed', expand(slice(w['pos_embed.W_pos']!, [0], [T], [0]), [tokens.shape[0]!, T, cfg.d_model]));
  // Shortformer: position enters only the queries' and keys' inputs (after ln1); the residual stream is tokens alone.
  const shortformer = cfg.positional_embedding_type === 'shortformer';
  let resid = shortformer ? embed : add(embed, posEmbed);

  for (let l = 0; l < cfg.n_layers; l++) {
    const p = `blocks.${l}`;
    resid = hooks.at(`${p}.hook_resid_pre`, resid);
    const x = norm(resid, `${p}.ln1`);

    // x [b, pos, d_model] @ W [d_model, n_heads * d_head] + b, viewed as [b, pos, head, d_head]. (One fused QKV
    // product is no faster here, and slicing it apart costs a padded copy per slice in the backward pass.)
    const qkIn = shortformer ? add(x, posEmbed) : x;
    const proj = (name: string, bias: string, from: Node) => reshape(add(
      matmul(from, reshape(transpose(w[`${p}.attn.${name}`]!, [1, 0, 2]), [cfg.d_model, H * E])),
      reshape(w[`${p}.attn.${bias}`]!, [H * E])), [-1, T, H, E]);
    const part = (i: number) => proj(['W_Q', 'W_K', 'W_V'][i]!, ['b_Q', 'b_K', 'b_V'][i]!, i < 2 ? qkIn : x);
    const q = hooks.at(`${p}.attn.hook_q`, part(0));
    const k = hooks.at(`${p}.attn.hook_k`, part(1));
    const v = hooks.at(`${p}.attn.hook_v`, part(2));

    // scores[b, h, dest, src] = q . k / sqrt(d_head), masked to -inf where src > dest
    const qh = transpose(q, [0, 2, 1, 3]);
    const kh = transpose(k, [0, 2, 3, 1]);
    const scores = hooks.at(`${p}.attn.hook_attn_scores`, causalMask(div(matmul(qh, kh), Math.sqrt(E))));
    const pattern = hooks.at(`${p}.attn.hook_pattern`, softmax(scores, -1));
    const z = hooks.at(`${p}.attn.hook_z`, transpose(matmul(pattern, transpose(v, [0, 2, 1, 3])), [0, 2, 1, 3]));

    let attnOut: Node;
    if (hooks.wants(`${p}.attn.hook_result`)) {
      // result[b, pos, h, :] = z[b, pos, h, :] W_O[h]; summing over heads (plus b_O) gives attn_out.
      const result = hooks.at(`${p}.attn.hook_result`,
        transpose(matmul(transpose(z, [0, 2, 1, 3]), w[`${p}.attn.W_O`]!), [0, 2, 1, 3]));
      attnOut = add(reduceSum(result, 2), w[`${p}.attn.b_O`]!);
    } else {
      attnOut = add(matmul(reshape(z, [-1, T, H * E]), reshape(w[`${p}.attn.W_O`]!, [H * E, cfg.d_model])), w[`${p}.attn.b_O`]!);
    }
    attnOut = hooks.at(`${p}.hook_attn_out`, attnOut);

    if (cfg.attn_only) {
      resid = add(resid, attnOut);
    } else {
      resid = hooks.at(`${p}.hook_resid_mid`, add(resid, attnOut));
      const x2 = norm(resid, `${p}.ln2`);
      const pre = hooks.at(`${p}.mlp.hook_pre`, add(matmul(x2, w[`${p}.mlp.W_in`]!), w[`${p}.mlp.b_in`]!));
      const act = cfg.act_fn === 'relu' ? relu(pre) : cfg.act_fn === 'gelu_new' ? geluTanh(pre) : gelu(pre);
      const post = hooks.at(`${p}.mlp.hook_post`, act);
      const mlpOut = hooks.at(`${p}.hook_mlp_out`, add(matmul(post, w[`${p}.mlp.W_out`]!), w[`${p}.mlp.b_out`]!));
      resid = add(resid, mlpOut);
    }
    resid = hooks.at(`${p}.hook_resid_post`, resid);
  }

  const final = norm(resid, 'ln_final');
  // Unembed as one 2-D product whose result is the graph output itself (the closing reshape costs nothing on the
  // host), rather than a 3-D product that onnxruntime reshapes with a copy of the whole logits tensor.
  const B = tokens.shape[0]!;
  const flat = add(matmul(reshape(final, [B * T, cfg.d_model]), w['unembed.W_U']!), w['unembed.b_U']!);
  return reshape(flat, [B, T, cfg.d_vocab_out]);
}
