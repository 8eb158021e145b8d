import {
  add, causalMask, concat, div, expand, fill, gather, input, matmul, mul, reciprocal, reduceMean, reduceSum, reshape, slice, softmax, sqrt, sub,
  transpose, type Node,
} from '../../engine/index.js';
import type { HookedTransformerConfig } from '../../model/config.js';
import { embed, layerNorm, mlp, unembed, weightNode, type WeightNodes } from '../../model/components/index.js';
import type { CircuitGraph, ReaderGroup } from './graph.js';

/**
 * The forward pass rebuilt on the circuit graph: each reader's input is its own sum of the writers' outputs, so
 * every edge can be cut on its own. Two modes, each compiled once and fed at run time:
 *
 * - `mask`: reader r's input is `sum_w mask[r, w] out_w + (1 - mask[r, w]) ablate_w` (+ the attention and MLP
 *   biases, never ablated): `mask` `[readers, writers]` and `ablate` `[writers, batch*pos*d_model]` (the writers'
 *   outputs on the corrupted prompts for resample ablation, zeros for zero ablation) are inputs. ACDC, path
 *   patching and faithfulness run it.
 * - `grad`: the ordinary forward pass, plus what one backward pass needs to give the gradient of a metric with
 *   respect to every reader's own input (`readerGrads`). The embedding is `corrupt + alpha (clean - corrupt)`
 *   (`alpha` fed: 1 is the clean run; EAP-IG's steps). Every reader of a layer reads the same residual stream, so
 *   its LayerNorm is computed once; the heads' q/k/v read it through one copy each (`wrt`), and the gradient
 *   with respect to a reader's input is the LayerNorm's vector-Jacobian product of the gradient at its copy,
 *   built explicitly (nothing of the LayerNorm is stored per reader). Only the `rows` (`[K]`, fed) of the final
 *   residual stream reach `ln_final` and the unembedding: `final` `[K, d_model]`, `logits` `[1, K, d_vocab]`.
 *
 * Each reader's LayerNorm computes its scale from its own input, as in ACDC and auto-circuit.
 */
export interface EdgeForward {
  /** mask: `[B, T, d_vocab]`; grad: the `rows`' logits, `[1, K, d_vocab]`. */
  logits: Node;
  /** Every writer's output, `[writers, batch*pos*d_model]`. */
  writers: Node;
  /** grad mode: the nodes to differentiate the metric with respect to, in order. */
  wrt: Node[];
  /** grad mode: from the gradients at `wrt` (same order), each reader group's input gradient `[count, batch*pos*d_model]`. */
  readerGrads: (gs: readonly Node[]) => Node[];
  /** grad mode: `ln_final` of the residual stream at `rows`, `[K, d_model]` (logits = final W_U + b_U). */
  final: Node | null;
}

/** `forward` is the grad mode's forward pass alone (no copies, no interpolation): the writers' outputs, cheaply. */
export type EdgeMode = 'mask' | 'grad' | 'forward';

export function edgeForward(
  cfg: HookedTransformerConfig, w: WeightNodes, graph: CircuitGraph & { groups: ReaderGroup[] }, B: number, T: number, mode: EdgeMode, K = 1,
): EdgeForward {
  const D = cfg.d_model;
  const N = B * T * D;
  const tokens = input('tokens', [B, T], 'int64');
  const emb = embed(cfg, w, tokens);
  let embOut = emb.resid;
  if (mode === 'grad') {
    const corrupt = embed(cfg, w, input('corruptTokens', [B, T], 'int64')).resid;
    embOut = add(corrupt, mul(input('alpha', [1]), sub(emb.resid, corrupt)));
  }
  const outs: Node[] = [reshape(embOut, [1, N])];
  const nR = graph.readers.length;
  const nW = graph.writers.length;
  const mask = mode === 'mask' ? input('mask', [nR, nW]) : null;
  const ablate = mode === 'mask' ? input('ablate', [nW, N]) : null;
  let bias: Node | null = null; // attention (and MLP) biases so far: never ablated
  let resid: Node = reshape(embOut, [1, N]); // grad mode: the residual stream
  const wrt: Node[] = [];
  const toGrads: ((gs: readonly Node[]) => Node)[] = [];
  const withBias = (x: Node, count: number): Node => {
    const shaped = reshape(x, [count, B, T, D]);
    return bias ? add(shaped, bias) : shaped;
  };

  /** A group's input `[count, B, T, D]`: mask mode mixes the writers; grad mode reads the stream through a copy. */
  const groupInput = (g: ReaderGroup): Node => {
    if (mask && ablate) {
      const O = outs.length === 1 ? outs[0]! : concat([...outs], 0);
      const A = slice(ablate, [0], [g.fanIn], [0]);
      const M = slice(mask, [g.start, 0], [g.start + g.count, g.fanIn], [0, 1]);
      return withBias(add(matmul(M, sub(O, A)), reduceSum(A, 0, true)), g.count);
    }
    if (mode === 'forward') return withBias(resid, g.count);
    // The reader's own copy of the stream (a new node even for one reader: expand to the same shape is x itself,
    // and the gradient at the stream would include every later reader's).
    const x = g.count === 1 ? reshape(resid, [1, B, T, D]) : expand(resid, [g.count, N]);
    const n = wrt.length;
    wrt.push(x);
    toGrads.push((gs) => reshape(gs[n]!, [g.count, N]));
    return withBias(x, g.count);
  };
  const addBias = (b: Node) => { bias = bias ? add(bias, b) : b; };
  const write = (o: Node, count: number) => {
    outs.push(o);
    resid = add(resid, count === 1 ? o : reduceSum(o, 0, true));
  };

  let gi = 0;
  for (let l = 0; l < cfg.n_layers; l++) {
    const g = graph.groups[gi++]!;
    const H = cfg.n_heads;
    const E = cfg.d_head;
    const p = `blocks.${l}`;
    const W = (k: string) => weightNode(w, `${p}.attn.${k}`);
    // One batched projection for q, k and v: the 3H inputs `[3H, B*T, D]` (or `[1, B*T, D]`, broadcast) against
    // W_Q, W_K, W_V stacked `[3H, D, E]`.
    const x3 = mode === 'mask'
      ? layerNorm(cfg, w, `${p}.ln1`, reshape(groupInput(g), [3 * H, B * T, D]))
      : sharedInput(withBias(resid, 1));
    const Wqkv = concat([W('W_Q'), W('W_K'), W('W_V')], 0);
    let qkv = add(matmul(x3, Wqkv), reshape(concat([W('b_Q'), W('b_K'), W('b_V')], 0), [3 * H, 1, E]));
    if (cfg.positional_embedding_type === 'shortformer') {
      // Position enters the queries' and keys' inputs after ln1: (x + pos) W = x W + pos W.
      const pos = matmul(reshape(emb.posEmbed, [1, B * T, D]), concat([W('W_Q'), W('W_K')], 0));
      qkv = add(qkv, concat([pos, fill(0, [H, B * T, E])], 0));
    }
    const part = (i: number) => reshape(slice(qkv, [i * H], [(i + 1) * H], [0]), [H, B, T, E]);
    const q = part(0);
    const k = part(1);
    const v = part(2);
    const pattern = softmax(causalMask(div(matmul(q, transpose(k, [0, 1, 3, 2])), Math.sqrt(E))), -1);
    const z = matmul(pattern, v); // [H, B, T, E]
    const result = reshape(matmul(reshape(z, [H, B * T, E]), W('W_O')), [H, N]);
    write(result, H);
    addBias(W('b_O'));
    if (!cfg.attn_only) {
      const gm = graph.groups[gi++]!;
      const xin = reshape(groupInput(gm), [B, T, D]);
      const out = reshape(mlp(cfg, w, `${p}.mlp`, layerNorm(cfg, w, `${p}.ln2`, xin)), [1, N]);
      write(out, 1);
    }

    /** grad and forward modes: ln1 once on the stream; grad mode reads it through one copy per q/k/v reader. */
    function sharedInput(x: Node): Node {
      const xf = reshape(x, [1, B * T, D]);
      const ln = layerNorm(cfg, w, `${p}.ln1`, xf);
      if (mode === 'forward') return ln; // [1, B*T, D] broadcasts against [3H, D, E]
      const copies = expand(ln, [3 * H, B * T, D]);
      const n = wrt.length;
      wrt.push(copies);
      toGrads.push((gs) => lnVjp(cfg, w, `${p}.ln1`, xf, gs[n]!, N));
      return copies;
    }
  }
  const gl = graph.groups[gi]!;
  const last = groupInput(gl);
  if (mode === 'mask') {
    const logits = unembed(cfg, w, layerNorm(cfg, w, 'ln_final', reshape(last, [B, T, D])));
    return { logits, writers: concat([...outs], 0), wrt, readerGrads: () => [], final: null };
  }
  const final = layerNorm(cfg, w, 'ln_final', gather(reshape(last, [B * T, D]), input('rows', [K], 'int64')));
  return {
    logits: reshape(unembed(cfg, w, final), [1, K, cfg.d_vocab_out]),
    writers: concat([...outs], 0),
    wrt,
    readerGrads: (gs) => toGrads.map((f) => f(gs)),
    final,
  };
}

/**
 * The vector-Jacobian product of LayerNorm `name` at `x` (`[1, rows, D]`) for the gradients `u` at its output
 * (`[count, rows, D]`): `(u w - mean(u w) - xhat mean(u w xhat)) / scale`, flattened to `[count, N]`.
 */
export function lnVjp(cfg: HookedTransformerConfig, w: WeightNodes, name: string, x: Node, u: Node, N: number): Node {
  const count = u.shape[0]!;
  if (cfg.normalization_type === null) return reshape(u, [count, N]);
  const centred = sub(x, reduceMean(x, -1, true));
  const scale = sqrt(add(reduceMean(mul(centred, centred), -1, true), cfg.eps));
  const xhat = div(centred, scale);
  // With U = u w / scale (one pass; w / scale is [1, rows, D]): U - mean(U) - xhat mean(U xhat).
  const U = mul(u, cfg.normalization_type === 'LN' ? div(weightNode(w, `${name}.w`), scale) : reciprocal(scale));
  const g = sub(sub(U, reduceMean(U, -1, true)), mul(xhat, reduceMean(mul(U, xhat), -1, true)));
  return reshape(g, [count, N]);
}
