import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { allHeads, headId } from '../../model/heads.js';
import { copyingScores } from '../copying.js';
import { detectHeads } from '../detectors.js';
import { compositionScores, rankVirtualHeads } from '../composition.js';
import { layerCircuits, positionalQK, skipTrigrams } from '../circuits.js';
import { matrix, transpose } from '../../linalg/matrix.js';
import { termImportance, type Term } from '../termImportance.js';
import { promptIds, tokenString } from './prompt.js';

/** The Heads view: a layer x head grid per score. */
export interface HeadsView {
  /** `[layer][head]` each; copying is null when the model's input and output vocabularies differ. */
  scores: { name: string; values: number[][] }[];
  /** OV eigenvalues per head `[layer][head]`, for the complex plane. */
  eigenvalues: { re: number[]; im: number[] }[][] | null;
  /** The detectors' probe: repeated random tokens of this length. */
  probeLength: number;
  inductionLossGap: number;
}

export async function headsView(model: HookedTransformer): Promise<HeadsView> {
  if (model.cfg.n_layers === 0) return { scores: [], eigenvalues: null, probeLength: 0, inductionLossGap: 0 };
  const d = await detectHeads(model);
  const scores = [
    { name: 'induction', values: d.induction },
    { name: 'previous token', values: d.previousToken },
    { name: 'duplicate token', values: d.duplicateToken },
  ];
  let eigenvalues = null;
  if (model.cfg.d_vocab_out === model.cfg.d_vocab) {
    const c = await copyingScores(model);
    scores.push({ name: 'copying', values: c.scores });
    eigenvalues = c.eigenvalues;
  }
  return { scores, eigenvalues, probeLength: d.probe.length, inductionLossGap: d.inductionLossGap };
}

/** The Circuits view of one head: its token QK and OV circuits over chosen tokens, positional QK, skip-trigrams. */
export interface CircuitsView {
  head: string;
  /** The tokens the circuits are shown over (rows and columns), and their ids. */
  tokens: string[];
  ids: number[];
  /** QK[dest][src] = W_E[dest] W_QK W_E[src]^T over the chosen tokens. */
  qk: number[][];
  /** OV[src][out] = W_E[src] W_OV W_U[:, out] over the chosen tokens. */
  ov: number[][];
  /** W_pos W_QK W_pos^T, `[dest][src]` (NaN above the diagonal), for the first `positions` positions. */
  positional: number[][];
  /** The head's strongest skip-trigrams (src ... dest -> out), when the vocabulary is small enough to search. */
  skipTrigrams: { src: string; dest: string; out: string; score: number }[];
}

/**
 * A head's circuits over the distinct tokens of `text` (or the first ids of the vocabulary when it is empty), at
 * most `maxTokens` of them.
 */
export async function circuitsView(model: HookedTransformer, layer: number, head: number, text: string, opts: { maxTokens?: number; positions?: number } = {}): Promise<CircuitsView> {
  const id = headId(model.cfg, layer, head);
  const maxTokens = opts.maxTokens ?? 40;
  let ids: number[] = [];
  if (text.trim()) ids = [...new Set(promptIds(model, text))].slice(0, maxTokens);
  else ids = Array.from({ length: Math.min(maxTokens, model.cfg.d_vocab) }, (_, i) => i);
  // Over the chosen tokens only: (W_E[ids] W_Q)(W_K^T W_E[ids]^T) and (W_E[ids] W_V)(W_O W_U[:, ids]), never the
  // vocabulary-sized factors (a click in the app would otherwise cost d_vocab x d_model x d_head per head).
  const { d_model: D, d_vocab_out: VO } = model.cfg;
  const E = matrix(ids.length, D);
  ids.forEach((t, r) => E.data.set(model.W_E.data.subarray(t * D, (t + 1) * D), r * D));
  const U = matrix(D, ids.length);
  for (let d = 0; d < D; d++) ids.forEach((t, c) => { U.data[d * ids.length + c] = model.W_U.data[d * VO + t]!; });
  const qk = model.QK(layer, head).rmatmul(E).matmul(transpose(E)).AB;
  const ov = model.OV(layer, head).rmatmul(E).matmul(U).AB;
  const grid = (m: typeof qk) => ids.map((_, i) => Array.from(m.data.subarray(i * ids.length, (i + 1) * ids.length)));
  const P = Math.min(opts.positions ?? 64, model.cfg.n_ctx);
  const pos = await positionalQK(model, layer, head);
  const positional = Array.from({ length: P }, (_, i) => Array.from({ length: P }, (_, j) => (j > i ? NaN : pos.data[i * pos.cols + j]!)));
  const trigrams = model.cfg.d_vocab <= 8192 && model.cfg.d_vocab_out === model.cfg.d_vocab
    ? skipTrigrams((await layerCircuits(model, layer))[head]!, { k: 12 }).map((t) => ({ src: tokenString(model, t.src), dest: tokenString(model, t.dest), out: tokenString(model, t.out), score: t.score }))
    : [];
  return {
    head: id.label, tokens: ids.map((i) => tokenString(model, i)), ids,
    qk: grid(qk),
    ov: model.cfg.d_vocab_out === model.cfg.d_vocab ? grid(ov) : [],
    positional, skipTrigrams: trigrams,
  };
}

/** The Composition view: Q/K/V composition between every pair of heads, the baseline, virtual heads, terms. */
export interface CompositionView {
  /** Head labels in flat order (`L0H0`, `L0H1`, ...): rows (earlier head) and columns (later head). */
  heads: string[];
  scores: { q: number[][]; k: number[][]; v: number[][] };
  /** Mean score between random heads of the same shapes. */
  baseline: { q: number; k: number; v: number };
  virtualHeads: { from: string; to: string; score: number }[];
  /** Path-expansion term importance on the prompt (one- and two-layer attention-only models). */
  terms: Term[] | null;
}

export async function compositionView(model: HookedTransformer, text: string): Promise<CompositionView> {
  const cfg = model.cfg;
  const heads = allHeads(cfg).map((h) => h.label);
  let scores = { q: [] as number[][], k: [] as number[][], v: [] as number[][] };
  let baseline = { q: 0, k: 0, v: 0 };
  let virtualHeads: CompositionView['virtualHeads'] = [];
  if (cfg.n_layers >= 2) {
    const c = await compositionScores(model);
    scores = c.scores;
    baseline = c.baseline;
    virtualHeads = rankVirtualHeads(c, 12).map((v) => ({ from: headId(cfg, ...v.from).label, to: headId(cfg, ...v.to).label, score: v.score }));
  }
  let terms: Term[] | null = null;
  if (cfg.attn_only && (cfg.n_layers === 1 || cfg.n_layers === 2) && text.trim()) {
    const ids = promptIds(model, text);
    terms = (await termImportance(model, [ids])).terms.sort((a, b) => b.lossIncrease - a.lossIncrease).slice(0, 24);
  }
  return { heads, scores, baseline, virtualHeads, terms };
}
