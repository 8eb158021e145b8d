import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { promptIds, tokenString } from './prompt.js';

/** Token windows to look for a neuron's top activations in, and what they are. */
export interface NeuronCorpus {
  /** Rows of token ids (each may start with BOS, which is skipped). */
  rows: number[][];
  /** e.g. "48 windows of 32 tokens from the Brown corpus's validation text". */
  name: string;
}

/** One text window around a top activation, with the neuron's activation at each token. */
export interface NeuronSample {
  tokens: string[];
  values: number[];
  /** Index in `tokens` of the activation the sample was picked for. */
  at: number;
  max: number;
}

/** The Neurons view: one MLP neuron on the prompt and over a corpus sample. */
export interface NeuronsView {
  layer: number;
  neuron: number;
  d_mlp: number;
  hook: string;
  /** The prompt and the neuron's activation at each of its tokens. */
  tokens: string[];
  activations: number[];
  /** The layer's neurons most active on the prompt (max activation), most active first. */
  promptTop: { neuron: number; max: number }[];
  corpus: string;
  corpusTokens: number;
  /** Token types by their largest activation over the corpus (`count`: occurrences; `mean`: mean activation). */
  topTokens: { token: string; max: number; mean: number; count: number }[];
  /** The lowest, likewise (most negative first), leaving out those in topTokens. */
  bottomTokens: { token: string; max: number; mean: number; count: number }[];
  /** The top-activating occurrences with the text before them (at most one per overlapping window). */
  samples: NeuronSample[];
}

/**
 * Windows of `length` tokens of a token stream, each after BOS when the model has one: spread evenly over the
 * stream, or consecutive from its start (as `analyze` and `reproduce` take them).
 */
export function corpusWindows(stream: ArrayLike<number>, length: number, count: number, bos: number | null, spread = true): number[][] {
  const body = bos === null ? length : length - 1;
  const n = Math.min(count, Math.floor(stream.length / body));
  const stride = spread && n > 0 ? Math.floor(stream.length / n) : body;
  return Array.from({ length: n }, (_, r) => {
    const row = Array.from({ length: body }, (_, j) => stream[r * stride + j]!);
    return bos === null ? row : [bos, ...row];
  });
}

function mlpLayer(model: HookedTransformer, layer: number, neuron: number): number {
  const { cfg } = model;
  if (cfg.attn_only || !cfg.d_mlp) throw new Error('neurons: this model is attention-only; it has no MLP neurons');
  if (!Number.isInteger(layer) || layer < 0 || layer >= cfg.n_layers) throw new Error(`neurons: layer ${layer} is not in 0..${cfg.n_layers - 1}`);
  if (!Number.isInteger(neuron) || neuron < 0 || neuron >= cfg.d_mlp) throw new Error(`neurons: neuron ${neuron} is not in 0..${cfg.d_mlp - 1}`);
  return cfg.d_mlp;
}

/**
 * One MLP neuron (`blocks.{layer}.mlp.hook_post`): its activation on the prompt, and over the corpus's windows (or
 * the prompt when there is no corpus) the token types and text windows that activate it most.
 */
export async function neuronsView(
  model: HookedTransformer, text: string, layer: number, neuron: number, corpus: NeuronCorpus | null, opts: { k?: number; context?: number } = {},
): Promise<NeuronsView> {
  const M = mlpLayer(model, layer, neuron);
  const k = opts.k ?? 10;
  const context = opts.context ?? 12;
  const hook = `blocks.${layer}.mlp.hook_post`;
  const ids = promptIds(model, text);
  const T = ids.length;
  const a = (await model.runWithCache([ids], { names: [hook] })).cache.get(hook).data;
  const activations = Array.from({ length: T }, (_, t) => a[t * M + neuron]!);
  const peaks = Array.from({ length: M }, (_, n) => {
    let m = -Infinity;
    for (let t = 0; t < T; t++) m = Math.max(m, a[t * M + n]!);
    return { neuron: n, max: m };
  });
  const promptTop = peaks.sort((x, y) => y.max - x.max).slice(0, 8);

  const rows = corpus && corpus.rows.length > 0 ? corpus.rows : [ids];
  const bos = model.cfg.bos_token_id;
  // Rows may differ in length (the prompt); run them one length at a time.
  const acts: number[][] = new Array<number[]>(rows.length);
  const byLength = new Map<number, number[]>();
  rows.forEach((r, i) => byLength.set(r.length, [...(byLength.get(r.length) ?? []), i]));
  for (const [len, idx] of byLength) {
    const c = (await model.runWithCache(idx.map((i) => rows[i]!), { names: [hook] })).cache.get(hook).data;
    idx.forEach((i, b) => { acts[i] = Array.from({ length: len }, (_, t) => c[(b * len + t) * M + neuron]!); });
  }
  const stats = new Map<number, { max: number; sum: number; count: number }>();
  const occurrences: { r: number; t: number; v: number }[] = [];
  let corpusTokens = 0;
  rows.forEach((row, r) => row.forEach((tok, t) => {
    if (t === 0 && bos !== null && tok === bos) return;
    const v = acts[r]![t]!;
    corpusTokens++;
    occurrences.push({ r, t, v });
    const s = stats.get(tok);
    if (s) { s.max = Math.max(s.max, v); s.sum += v; s.count++; } else stats.set(tok, { max: v, sum: v, count: 1 });
  }));
  const typed = [...stats.entries()].map(([tok, s]) => ({ token: tokenString(model, tok), max: s.max, mean: s.sum / s.count, count: s.count }));
  const topTokens = [...typed].sort((x, y) => y.max - x.max).slice(0, k);
  // The bottom list leaves out the top list's tokens (with few token types the two would repeat each other).
  const bottomTokens = typed.filter((t) => !topTokens.includes(t)).sort((x, y) => x.max - y.max).slice(0, k);
  occurrences.sort((x, y) => y.v - x.v);
  const samples: NeuronSample[] = [];
  const taken: { r: number; t: number }[] = [];
  for (const o of occurrences) {
    if (samples.length >= k) break;
    if (taken.some((x) => x.r === o.r && Math.abs(x.t - o.t) <= context)) continue;
    taken.push(o);
    const from = Math.max(0, o.t - context);
    const to = Math.min(rows[o.r]!.length, o.t + 3);
    samples.push({
      tokens: rows[o.r]!.slice(from, to).map((i) => tokenString(model, i)), values: acts[o.r]!.slice(from, to), at: o.t - from, max: o.v,
    });
  }
  return {
    layer, neuron, d_mlp: M, hook, tokens: ids.map((i) => tokenString(model, i)), activations, promptTop,
    corpus: corpus && corpus.rows.length > 0 ? corpus.name : 'the prompt (no corpus at hand)', corpusTokens, topTokens, bottomTokens, samples,
  };
}
