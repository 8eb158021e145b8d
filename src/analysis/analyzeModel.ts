import type { HookedTransformer } from '../model/hookedTransformer.js';
import { headAt } from '../model/heads.js';
import { layerCircuits, skipTrigrams, type SkipTrigram } from './circuits.js';
import { compositionScores, rankVirtualHeads, type CompositionKind } from './composition.js';
import { copyingScores } from './copying.js';
import { detectHeads, inContextLearningScore, type HeadScores } from './detectors.js';
import { inductionAblation, PREVIOUS_TOKEN_HEAD_SCORE, type InductionAblation } from './inductionAblation.js';
import { directLogitAttribution, type Attribution } from './attribution.js';
import { logitLens, type LogitLens } from './logitLens.js';
import { termImportance, type TermImportance } from './termImportance.js';
import { compareBigrams, type BigramComparison } from './bigram.js';
import { spreadWindows } from '../data/batches.js';

/** The version of the JSON `analyze` writes; bumped on any change a reader would notice (docs/analysis-schema.md). */
export const ANALYSIS_SCHEMA = 'circuitscope.analysis/2';

export interface HeadRef { layer: number; head: number }

export interface AnalysisReport {
  schema: typeof ANALYSIS_SCHEMA;
  model: { name: string; n_layers: number; n_heads: number; d_model: number; d_vocab: number; n_ctx: number; attn_only: boolean };
  /**
   * What the weight-based analyses leave out on this architecture, one line each (rotary models: the QK circuits,
   * Q/K composition and skip-trigrams' QK part are computed without the rotation).
   */
  caveats?: string[];
  detectors?: {
    induction: HeadScores; previousToken: HeadScores; duplicateToken: HeadScores; currentToken: HeadScores;
    lossByPosition: number[]; inductionLossGap: number; probeLength: number;
  };
  /** The strongest induction head with the strongest previous-token head below it mean-ablated (the causal claim). */
  inductionAblation?: InductionAblation;
  /** Loss late in a context minus early, on the given text (negative: in-context learning). */
  inContextLearning?: { score: number; early: number; late: number };
  copying?: { scores: HeadScores; eigenvalues: { re: number[]; im: number[] }[][] };
  composition?: {
    scores: Record<CompositionKind, number[][]>; baseline: Record<CompositionKind, number>;
    top: { kind: CompositionKind; from: HeadRef; to: HeadRef; score: number }[];
    virtualHeads: { from: HeadRef; to: HeadRef; score: number }[];
  };
  termImportance?: TermImportance;
  skipTrigrams?: { layer: number; head: number; trigrams: (SkipTrigram & { text?: string })[] }[];
  bigram?: BigramComparison;
  prompt?: { tokens: number[]; strTokens: string[] | null; logitLens: LogitLens; attribution: { token: number; components: Attribution[] } };
}

export interface AnalyzeOptions {
  /** A prompt (token ids) for the logit lens and direct logit attribution. */
  prompt?: number[];
  /** Held-out token stream: for the in-context-learning score and, for zero-layer models, bigram statistics. */
  text?: ArrayLike<number>;
  /** Token to string, for skip-trigram text and prompt tokens. */
  decode?: (ids: readonly number[]) => string;
  /** Skip the analyses that scale with vocab x vocab (skip-trigrams) on large models. */
  skipTrigramsUpTo?: number;
}

/** Runs every analysis that applies to this model and returns them as one JSON-serialisable report. */
export async function analyzeModel(model: HookedTransformer, opts: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const cfg = model.cfg;
  const report: AnalysisReport = {
    schema: ANALYSIS_SCHEMA,
    model: { name: cfg.model_name, n_layers: cfg.n_layers, n_heads: cfg.n_heads, d_model: cfg.d_model, d_vocab: cfg.d_vocab, n_ctx: cfg.n_ctx, attn_only: cfg.attn_only },
  };
  if (cfg.positional_embedding_type === 'rotary') {
    report.caveats = ['a rotary model: the QK circuits, Q and K composition and the skip-trigrams\' QK part are computed from the weights without the rotation, so they describe attention as if every query and key were at the same position'];
  }
  const ref = (flat: number): HeadRef => {
    const { layer, head } = headAt(cfg, flat);
    return { layer, head };
  };
  // The detectors' repeated-token probe needs two tokens repeated (a modular-addition model's 3 positions do not fit one).
  const probeFits = Math.floor((cfg.n_ctx - (cfg.bos_token_id === null ? 0 : 1)) / 2) >= 2;
  if (cfg.n_layers >= 1 && probeFits) {
    const d = await detectHeads(model);
    report.detectors = {
      induction: d.induction, previousToken: d.previousToken, duplicateToken: d.duplicateToken, currentToken: d.currentToken,
      lossByPosition: d.lossByPosition, inductionLossGap: d.inductionLossGap, probeLength: d.probe.length,
    };
    if (cfg.d_vocab_out === cfg.d_vocab) report.copying = await copyingScores(model);
    if (cfg.n_layers >= 2) {
      const { ind, prev } = inductionPair(d.induction, d.previousToken);
      // Every previous-token head below the induction head is ablated together (a model may split the work over
      // two); the strongest alone when none reaches the score.
      const prevHeads: HeadRef[] = [];
      for (let l = 0; l < ind.layer; l++) d.previousToken[l]!.forEach((s, h) => { if (s >= PREVIOUS_TOKEN_HEAD_SCORE) prevHeads.push({ layer: l, head: h }); });
      // The detectors ran the unablated model on the same probe: its induction score and second-copy loss.
      const off = d.probe.bos ? 1 : 0;
      const second = d.lossByPosition.slice(off + d.probe.length, off + 2 * d.probe.length - 1);
      const clean = { score: d.induction[ind.layer]![ind.head]!, loss: second.reduce((s, v) => s + v, 0) / second.length };
      report.inductionAblation = await inductionAblation(model, prevHeads.length > 0 ? prevHeads : [prev], ind, { clean });
    }
  }
  if (opts.text && opts.text.length > cfg.n_ctx * 2) {
    const T = cfg.n_ctx;
    const rows = spreadWindows(opts.text, T, cfg.bos_token_id, ICL_ROWS);
    const per = await model.loss(rows, { perToken: true });
    const early = Math.max(1, Math.floor((T - 1) / 10));
    report.inContextLearning = { score: inContextLearningScore(per, early, T - 2), early, late: T - 2 };
    if (cfg.n_layers === 0) report.bigram = await compareBigrams(model, opts.text);
  }
  if (cfg.n_layers >= 2) {
    const c = await compositionScores(model);
    const top: { kind: CompositionKind; from: HeadRef; to: HeadRef; score: number }[] = [];
    for (const kind of ['q', 'k', 'v'] as const) {
      c.scores[kind].forEach((row, a) => row.forEach((s, b) => { if (s > 0) top.push({ kind, from: ref(a), to: ref(b), score: s }); }));
    }
    top.sort((x, y) => y.score - x.score);
    report.composition = {
      scores: c.scores, baseline: c.baseline, top: top.slice(0, 20),
      virtualHeads: rankVirtualHeads(c, 10).map((v) => ({ from: { layer: v.from[0], head: v.from[1] }, to: { layer: v.to[0], head: v.to[1] }, score: v.score })),
    };
  }
  if (cfg.attn_only && (cfg.n_layers === 1 || cfg.n_layers === 2) && opts.text && opts.text.length > cfg.n_ctx * 4) {
    const rows = spreadWindows(opts.text, Math.min(cfg.n_ctx, 128), cfg.bos_token_id, TERM_ROWS);
    report.termImportance = await termImportance(model, rows);
  }
  if (cfg.n_layers >= 1 && cfg.d_vocab <= (opts.skipTrigramsUpTo ?? 8192) && cfg.d_vocab_out === cfg.d_vocab) {
    const cs = await layerCircuits(model, 0);
    report.skipTrigrams = cs.map((c) => ({
      layer: 0, head: c.head,
      trigrams: skipTrigrams(c, { k: 10 }).map((t) => (opts.decode ? { ...t, text: `${opts.decode([t.src])} ... ${opts.decode([t.dest])} -> ${opts.decode([t.out])}` } : t)),
    }));
  }
  if (opts.prompt && opts.prompt.length >= 2) {
    const lens = await logitLens(model, [opts.prompt]);
    const last = await model.run([opts.prompt]);
    const V = cfg.d_vocab_out;
    const row = last.data.subarray((opts.prompt.length - 1) * V, opts.prompt.length * V);
    let best = 0;
    for (let i = 1; i < V; i++) if (row[i]! > row[best]!) best = i;
    const dla = await directLogitAttribution(model, [opts.prompt], { position: -1, token: best });
    report.prompt = {
      tokens: opts.prompt, strTokens: opts.decode ? opts.prompt.map((t) => opts.decode!([t])) : null,
      logitLens: lens, attribution: { token: best, components: dla.components },
    };
  }
  return report;
}

/** The strongest induction head (layers 1 and up) and the strongest previous-token head in a layer below it. */
function inductionPair(induction: HeadScores, previous: HeadScores): { ind: HeadRef; prev: HeadRef } {
  const best = (scores: HeadScores, from: number, to: number): HeadRef => {
    let r: HeadRef = { layer: from, head: 0 };
    for (let l = from; l < to; l++) scores[l]!.forEach((s, h) => { if (s > scores[r.layer]![r.head]!) r = { layer: l, head: h }; });
    return r;
  };
  const ind = best(induction, 1, induction.length);
  return { ind, prev: best(previous, 0, ind.layer) };
}

/**
 * Windows of the held-out text the in-context-learning score averages over (its two positions' losses are means
 * over windows, one position each) and the term importance runs on: spread over the whole text (spreadWindows),
 * each starting with BOS when the model has one (without it the first positions are out of distribution and the
 * in-context-learning score is inflated).
 */
const ICL_ROWS = 128;
const TERM_ROWS = 32;

