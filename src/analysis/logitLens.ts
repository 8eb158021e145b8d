import { argMax, compile, concat, gatherElements, input, logSoftmax, reduceMean, slice, squeeze, type Tensor } from '../engine/index.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import { layerNorm, unembed } from '../model/components/index.js';
import type { TokenIds } from '../model/tokens.js';
import { topK } from '../model/cache/host.js';

export interface LogitLens {
  /** `blocks.{l}.hook_resid_pre` for each layer, then the final `blocks.{L-1}.hook_resid_post`. */
  layers: string[];
  /** Mean log-probability of the actual next token read off each layer's residual, `[layer][pos]` (pos < T - 1). */
  correctLogProb: number[][];
  /** Most likely next token read off each layer, `[layer][batch][pos]`. */
  top: number[][][];
}

/**
 * The logit lens: each layer's accumulated residual stream put through the final LayerNorm and the unembedding,
 * as if the model stopped there. The LayerNorm scale is recomputed for each residual (reusing the final layer's
 * cached scale would make early layers look uniform: DESIGN.md, "Exact semantics").
 */
export async function logitLens(model: HookedTransformer, tokens: TokenIds): Promise<LogitLens> {
  const cfg = model.cfg;
  const t = model.toTokens(tokens);
  const [B, T] = t.shape as [number, number];
  const L = cfg.n_layers;
  const layers = [...Array.from({ length: L }, (_, l) => `blocks.${l}.hook_resid_pre`), ...(L > 0 ? [`blocks.${L - 1}.hook_resid_post`] : [])];
  // A zero-layer model has no intermediate residual stream to read: its only reading is the model itself.
  if (layers.length === 0) return { layers, correctLogProb: [], top: [] };
  const { cache } = await model.runWithCache(t, { names: layers });
  const D = cfg.d_model;
  const w = model.weightNodes();
  const resid = input('resid', [layers.length, B, T, D]);
  const logits = unembed(cfg, w, layerNorm(cfg, w, 'ln_final', resid)); // [layers, B, T, V]
  const lp = logSoftmax(slice(logits, [0], [T - 1], [2]), -1);
  const next = input('next', [1, B, T - 1, 1], 'int64');
  const targets = concat(Array.from({ length: layers.length }, () => next), 0);
  const correct = reduceMean(squeeze(gatherElements(lp, targets, -1), -1), 1); // [layers, T - 1]
  const program = compile({ correct, top: argMax(logits, -1) });
  const stacked = new Float32Array(layers.length * B * T * D);
  layers.forEach((n, i) => stacked.set(cache.get(n).data, i * B * T * D));
  const nextIds = new BigInt64Array(B * (T - 1));
  for (let b = 0; b < B; b++) for (let p = 0; p < T - 1; p++) nextIds[b * (T - 1) + p] = t.data[b * T + p + 1]!;
  const out = await program.run({
    ...model.weights, resid: { dtype: 'float32', shape: [layers.length, B, T, D], data: stacked },
    next: { dtype: 'int64', shape: [1, B, T - 1, 1], data: nextIds },
  });
  const corr = out.correct as Tensor<'float32'>;
  const top = out.top as Tensor<'int64'>;
  return {
    layers,
    correctLogProb: layers.map((_, i) => Array.from(corr.data.subarray(i * (T - 1), (i + 1) * (T - 1)))),
    top: layers.map((_, i) => Array.from({ length: B }, (_, b) => Array.from(top.data.subarray((i * B + b) * T, (i * B + b + 1) * T), Number))),
  };
}


/** The lens logits themselves: `[layer, batch, pos, d_vocab_out]`, or only their top k per row. */
export interface LensLogits {
  /** As `logitLens`: each layer's `hook_resid_pre`, then the final `hook_resid_post`. */
  layers: string[];
  /** `[layer, batch, pos, d_vocab_out]` (absent with `topK`). */
  logits: Tensor<'float32'> | null;
  /** With `topK`: the k largest lens logits of each row, descending, `[layer, batch, pos, k]`, and their token ids. */
  top: { values: Tensor<'float32'>; indices: Int32Array } | null;
}

/**
 * The logit lens's logits: each layer's accumulated residual through `ln_final` (its scale recomputed for each,
 * as TransformerLens's `accumulated_resid(apply_ln=True)` does for the final stream) and the unembedding.
 */
export async function logitLensLogits(model: HookedTransformer, tokens: TokenIds, opts: { topK?: number } = {}): Promise<LensLogits> {
  const cfg = model.cfg;
  const t = model.toTokens(tokens);
  const [B, T] = t.shape as [number, number];
  const L = cfg.n_layers;
  const layers = [...Array.from({ length: L }, (_, l) => `blocks.${l}.hook_resid_pre`), ...(L > 0 ? [`blocks.${L - 1}.hook_resid_post`] : [])];
  const { cache } = await model.runWithCache(t, { names: layers });
  const D = cfg.d_model;
  const w = model.weightNodes();
  const resid = input('resid', [layers.length, B, T, D]);
  const program = compile({ logits: unembed(cfg, w, layerNorm(cfg, w, 'ln_final', resid)) });
  const stacked = new Float32Array(layers.length * B * T * D);
  layers.forEach((n, i) => stacked.set(cache.get(n).data, i * B * T * D));
  const out = await program.run({ ...model.weights, resid: { dtype: 'float32', shape: [layers.length, B, T, D], data: stacked } });
  const logits = out.logits as Tensor<'float32'>;
  if (opts.topK === undefined) return { layers, logits, top: null };
  const k = topK(logits, opts.topK);
  return { layers, logits: null, top: { values: k.values, indices: k.indices } };
}
