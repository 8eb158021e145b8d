import {
  add, causalMask, concat, div, expand, input, matmul, mul, reduceSum, reshape, slice, softmax, sub, transpose, type Node,
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
 * - `grad`: every reader reads the whole residual stream, through its own copy (`readerInputs`, one node per
 *   group), so the gradient of a metric with respect to each reader's input is one backward pass. The
 *   embedding is `corrupt + alpha (clean - corrupt)` (`alpha` fed: 1 is the clean run; EAP-IG's steps).
 *
 * Each reader's LayerNorm computes its scale from its own input, as in ACDC and auto-circuit.
 */
export interface EdgeForward {
  logits: Node;
  /** Every writer's output, `[writers, batch*pos*d_model]`. */
  writers: Node;
  /** grad mode: each reader group's inputs `[count, batch*pos*d_model]`, in `groups` order. */
  readerInputs: Node[];
}

export function edgeForward(cfg: HookedTransformerConfig, w: WeightNodes, graph: CircuitGraph & { groups: ReaderGroup[] }, B: number, T: number, mode: 'mask' | 'grad'): EdgeForward {
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
  const readerInputs: Node[] = [];

  const groupInput = (g: ReaderGroup): Node => {
    let x: Node;
    if (mask && ablate) {
      const O = outs.length === 1 ? outs[0]! : concat([...outs], 0);
      const A = slice(ablate, [0], [g.fanIn], [0]);
      const M = slice(mask, [g.start, 0], [g.start + g.count, g.fanIn], [0, 1]);
      x = add(matmul(M, sub(O, A)), reduceSum(A, 0, true));
    } else {
      x = expand(resid, [g.count, N]);
      readerInputs.push(x);
    }
    const shaped = reshape(x, [g.count, B, T, D]);
    return bias ? add(shaped, bias) : shaped;
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
    const x = layerNorm(cfg, w, `${p}.ln1`, reshape(groupInput(g), [3, H, B, T, D]));
    const part = (i: number) => reshape(slice(x, [i], [i + 1], [0]), [H, B, T, D]);
    const qkIn = (i: number) => cfg.positional_embedding_type === 'shortformer' ? add(part(i), emb.posEmbed) : part(i);
    const proj = (from: Node, name: 'Q' | 'K' | 'V') =>
      reshape(add(matmul(reshape(from, [H, B * T, D]), W(`W_${name}`)), reshape(W(`b_${name}`), [H, 1, E])), [H, B, T, E]);
    const q = proj(qkIn(0), 'Q');
    const k = proj(qkIn(1), 'K');
    const v = proj(part(2), 'V');
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
  }
  const gl = graph.groups[gi]!;
  const final = reshape(groupInput(gl), [B, T, D]);
  const logits = unembed(cfg, w, layerNorm(cfg, w, 'ln_final', final));
  return { logits, writers: concat([...outs], 0), readerInputs };
}
