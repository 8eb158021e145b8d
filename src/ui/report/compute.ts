// The report's data from a model: the versioned analysis plus what the figures need beyond it (the prompt's
// attention, per-token loss and top-k, QK/OV circuits over the prompt's tokens, training curves). No Node
// built-ins: the live app's worker can call it too.
import { Rng } from '../../engine/random.js';
import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { analyzeModel, bigramCounts, layerCircuits, modelBigramLogProbs, positionalQK, type AnalysisReport } from '../../analysis/index.js';
import { tokenPredictions } from '../../analysis/views/prompt.js';
import { discoverCircuit, inductionTask, rankEdges } from '../../analysis/discovery/index.js';
import { InputError } from '../../engine/errors.js';
import { REPORT_SCHEMA, type ReportData } from './types.js';
import { trainingCurves, type MetricsLine } from '../lib/trainingCurves.js';

export type { MetricsLine };

export interface ReportInput {
  /** The directory's name, for the title. */
  source: string;
  /** Prompt text (needs a tokenizer) or token ids; default: a sentence repeated, or random ids repeated. */
  prompt?: string | number[];
  /** Held-out token stream for the in-context-learning score, term importance and bigram statistics. */
  text?: ArrayLike<number>;
  metrics?: MetricsLine[];
  run?: Record<string, unknown>;
  processed?: boolean;
  /** Top-k next tokens per position (default 8). */
  k?: number;
  /** Most distinct prompt tokens in the QK/OV heatmaps (default 40). */
  circuitTokens?: number;
  /** Neurons per layer shown on the prompt (default 32). */
  neurons?: number;
  /** An analysis already computed (skips analyzeModel). */
  analysis?: AnalysisReport;
  /** Find the induction circuit by EAP (default: for models with at most 256 heads). */
  circuit?: boolean;
}

/** Edges of the circuit kept in the report: the graph draws at most 500, and the page stays small. */
const CIRCUIT_EDGES = 200;

/** EAP on the induction task (`B + A` corruption, as docs/discovery.md recommends), or null when the model is too small for it. */
async function inductionCircuit(model: HookedTransformer): Promise<NonNullable<ReportData['circuit']> | null> {
  let task;
  try {
    task = inductionTask(model.cfg, { corrupt: 'first-half' });
  } catch (e) {
    if (e instanceof InputError) return null;
    throw e;
  }
  const r = await discoverCircuit(model, task, { method: 'eap' });
  return {
    method: r.method, task: 'induction (first half re-drawn)', metric: r.metric, clean: round(r.clean), corrupt: round(r.corrupt), edgeCount: r.edges.length,
    nodes: r.nodes, edges: rankEdges(r.edges).slice(0, CIRCUIT_EDGES).map((e) => ({ from: e.from, to: e.to, score: round(e.score, 6), kept: e.kept })),
    faithfulness: r.faithfulness.map((p) => ({ edges: p.edges, recovered: round(p.recovered, 4) })),
  };
}

const DEFAULT_TEXT = 'When Mary and John went to the store, John gave a drink to Mary. When Mary and John went to the store, John gave a drink to Mary.';

/** The prompt's ids: the given ids, the text tokenised, or (no tokenizer) random ids repeated (an induction probe). */
export function reportPromptIds(model: HookedTransformer, prompt?: string | number[]): { ids: number[]; text: string | null; origin: 'text' | 'ids' | 'default-text' | 'default-ids' } {
  const cfg = model.cfg;
  if (Array.isArray(prompt)) return { ids: prompt.slice(0, cfg.n_ctx), text: null, origin: 'ids' };
  if (model.tokenizer) {
    const text = prompt ?? DEFAULT_TEXT;
    return { ids: Array.from(model.toTokens(text).data, Number).slice(0, cfg.n_ctx), text, origin: prompt === undefined ? 'default-text' : 'text' };
  }
  if (prompt !== undefined) throw new Error('report: this model has no tokenizer; give the prompt as token ids');
  const bos = cfg.bos_token_id;
  const half = Math.max(1, Math.min(12, Math.floor((cfg.n_ctx - (bos === null ? 0 : 1)) / 2)));
  const rng = new Rng(7);
  const body: number[] = [];
  while (body.length < half) {
    const t = rng.int(cfg.d_vocab);
    if (t !== bos) body.push(t);
  }
  return { ids: [...(bos === null ? [] : [bos]), ...body, ...body], text: null, origin: 'default-ids' };
}

const round = (x: number, d = 5) => Number(x.toFixed(d));
const roundAll = (m: number[][], d = 5) => m.map((r) => r.map((x) => round(x, d)));

/** Every figure's data for one model. */
export async function computeReportData(model: HookedTransformer, input: ReportInput): Promise<ReportData> {
  const cfg = model.cfg;
  const { n_layers: L, n_heads: H } = cfg;
  // A token's string; one that decodes to U+FFFD (part of a UTF-8 character, e.g. a single byte >= 0x80) keeps its
  // id so that different ones stay apart.
  const name = (id: number) => {
    if (!model.tokenizer) return `#${id}`;
    const s = model.tokenizer.decode([id]);
    return s.includes('\uFFFD') ? `${s}#${id}` : s;
  };
  const { ids, text, origin } = reportPromptIds(model, input.prompt);
  const tokens = ids.map(name);
  const analysis = input.analysis ?? await analyzeModel(model, {
    // The logit lens and attribution need a layer (analyzeModel's prompt branch fails on zero-layer models).
    ...(ids.length >= 2 && L >= 1 ? { prompt: ids } : {}),
    ...(input.text ? { text: input.text } : {}),
    ...(model.tokenizer ? { decode: (x: readonly number[]) => model.tokenizer!.decode(x) } : {}),
  });
  let params = 0;
  for (const w of Object.values(model.weights)) params += w.data.length;
  const headLabels = Array.from({ length: L * H }, (_, i) => `L${Math.floor(i / H)}H${i % H}`);
  const data: ReportData = {
    schema: REPORT_SCHEMA, title: `${cfg.model_name || input.source}`, source: input.source, generated: new Date().toISOString(),
    model: {
      name: cfg.model_name, n_layers: L, n_heads: H, d_model: cfg.d_model, d_head: cfg.d_head, d_mlp: cfg.attn_only ? null : cfg.d_mlp,
      d_vocab: cfg.d_vocab, n_ctx: cfg.n_ctx, attn_only: cfg.attn_only, positional_embedding_type: String(cfg.positional_embedding_type),
      normalization_type: cfg.normalization_type ?? null, params, tokenizer: model.tokenizer !== null, processed: input.processed ?? false,
    },
    analysis,
  };
  if (input.run) data.run = Object.entries(input.run).map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v) }));
  const training = trainingCurves(input.metrics ?? []);
  if (training) data.training = training;

  // The prompt: predictions and every head's attention.
  if (ids.length >= 1) {
    const names = Array.from({ length: L }, (_, l) => `blocks.${l}.attn.hook_pattern`);
    const { logits, cache } = await model.runWithCache([ids], { names });
    const T = ids.length;
    const V = cfg.d_vocab_out;
    const attention: number[][][] = [];
    for (let l = 0; l < L; l++) {
      const p = cache.get(names[l]!).data;
      for (let h = 0; h < H; h++) {
        attention.push(Array.from({ length: T }, (_, d) => Array.from({ length: T }, (_, s) => round(p[(h * T + d) * T + s]!, 4))));
      }
    }
    data.prompt = { text, origin, tokens, ids, predictions: tokenPredictions(logits.data, V, ids, input.k ?? 8, name), attention, headLabels };
  }

  const det = analysis.detectors;
  if (det) {
    data.heads = [
      { name: 'induction', scores: roundAll(det.induction, 4) },
      { name: 'previous token', scores: roundAll(det.previousToken, 4) },
      { name: 'duplicate token', scores: roundAll(det.duplicateToken, 4) },
      { name: 'current token', scores: roundAll(det.currentToken, 4) },
      ...(analysis.copying ? [{ name: 'copying', scores: roundAll(analysis.copying.scores, 4), scale: 'diverging' as const, min: -1, max: 1 }] : []),
    ];
    data.inductionLossGap = det.inductionLossGap;
    data.lossByPosition = det.lossByPosition;
  }
  if (analysis.inContextLearning) data.inContextLearning = analysis.inContextLearning;
  if (L >= 1 && (input.circuit ?? L * H <= 256)) {
    const c = await inductionCircuit(model);
    if (c) data.circuit = c;
  }

  // QK and OV circuits of every head over the prompt's distinct tokens.
  const circuitsOf: Awaited<ReturnType<typeof layerCircuits>>[] = [];
  if (L >= 1 && cfg.d_vocab_out === cfg.d_vocab) for (let l = 0; l < L; l++) circuitsOf.push(await layerCircuits(model, l));
  if (L >= 1 && cfg.d_vocab_out === cfg.d_vocab) {
    const distinct = [...new Set(ids)].slice(0, input.circuitTokens ?? 40);
    const heads: NonNullable<ReportData['circuits']>['heads'] = [];
    // Positional circuits only for small contexts (n_ctx x n_ctx per head), and for models with learned positions.
    const P = cfg.n_ctx <= 1024 && model.weights['pos_embed.W_pos'] && cfg.n_layers * cfg.n_heads * cfg.n_ctx <= 64 * 1024 ? Math.min(cfg.n_ctx, 64) : 0;
    for (let l = 0; l < L; l++) {
      for (const c of circuitsOf[l]!) {
        heads.push({
          label: `L${l}H${c.head}`, layer: l, head: c.head,
          qk: distinct.map((d) => distinct.map((s) => round(c.qk.get(d, s), 4))),
          ov: distinct.map((s) => distinct.map((o) => round(c.ov.get(s, o), 4))),
        });
        if (P > 0) {
          // The positional QK circuit W_pos W_QK W_posᵀ over the first P positions (src > dest is masked: NaN).
          const pq = await positionalQK(model, l, c.head);
          heads[heads.length - 1]!.positional = Array.from({ length: P }, (_, d) => Array.from({ length: P }, (_, s2) => {
            const v = pq.data[d * pq.cols + s2]!;
            return Number.isFinite(v) ? round(v, 4) : Number.NaN;
          }));
        }
      }
    }
    data.circuits = { tokens: distinct.map(name), heads };
  }
  if (L >= 1 && cfg.d_vocab_out === cfg.d_vocab) {
    // Each head's OV diagonal over the whole vocabulary: the tokens it copies most.
    const items: NonNullable<ReportData['copyingTokens']> = [];
    for (let l = 0; l < L; l++) {
      for (const c of circuitsOf[l]!) {
        const diag = Array.from({ length: cfg.d_vocab }, (_, t) => c.ov.get(t, t));
        const order = diag.map((_, t) => t).sort((a, b) => diag[b]! - diag[a]!);
        items.push({ label: `L${l}H${c.head}`, top: order.slice(0, 6).map((t) => ({ token: name(t), value: round(diag[t]!, 4) })) });
      }
    }
    data.copyingTokens = items;
  }
  if (!cfg.attn_only && L >= 1 && ids.length >= 1) {
    const names = Array.from({ length: L }, (_, l) => `blocks.${l}.mlp.hook_post`);
    const { cache } = await model.runWithCache([ids], { names });
    const T = ids.length;
    const neuronIds: number[][] = [];
    const perLayer: Float32Array[] = [];
    for (let l = 0; l < L; l++) {
      const a = cache.get(names[l]!).data;
      const M = a.length / T;
      const peak = Array.from({ length: M }, (_, k) => { let m = 0; for (let t = 0; t < T; t++) m = Math.max(m, Math.abs(a[t * M + k]!)); return m; });
      neuronIds.push(peak.map((_, k) => k).sort((x, y) => peak[y]! - peak[x]!).slice(0, input.neurons ?? 32).sort((x, y) => x - y));
      perLayer.push(a);
    }
    const activations = ids.map((_, t) => neuronIds.map((ks, l) => {
      const M = perLayer[l]!.length / T;
      return ks.map((k) => round(perLayer[l]![t * M + k]!, 4));
    }));
    data.neurons = { activations, neuronIds };
  }
  if (L === 0 && analysis.bigram && input.text) {
    // The model's and the corpus's next-token log-probabilities over the most frequent tokens.
    const V = cfg.d_vocab;
    const top = analysis.bigram.tokens.slice(0, 24);
    const counts = bigramCounts(input.text, V);
    const lp = await modelBigramLogProbs(model, top);
    const modelLp = top.map((_, r) => top.map((j) => round(lp[r * V + j]!, 4)));
    const corpus = top.map((t) => {
      let total = 0;
      for (let j = 0; j < V; j++) total += counts[t * V + j]!;
      return top.map((j) => (counts[t * V + j]! > 0 ? round(Math.log(counts[t * V + j]! / total), 4) : Number.NaN));
    });
    data.bigramTables = { tokens: top.map(name), model: modelLp, corpus };
  }
  if (analysis.copying) {
    data.eigenvalues = analysis.copying.eigenvalues.flatMap((row, l) => row.map((e, h) => ({
      label: `L${l}H${h}`, re: e.re.map((x) => round(x)), im: e.im.map((x) => round(x)), note: `copying ${analysis.copying!.scores[l]![h]!.toFixed(2)}`,
    })));
  }
  if (analysis.skipTrigrams) {
    data.skipTrigrams = analysis.skipTrigrams.flatMap((hd) => hd.trigrams.map((t) => ({
      head: `L${hd.layer}H${hd.head}`, src: name(t.src), dest: name(t.dest), out: name(t.out), qk: round(t.qk, 4), ov: round(t.ov, 4), score: round(t.score, 4),
    })));
  }
  if (analysis.composition) {
    const c = analysis.composition;
    const hl = (r: { layer: number; head: number }) => `L${r.layer}H${r.head}`;
    data.composition = {
      labels: headLabels, q: roundAll(c.scores.q, 4), k: roundAll(c.scores.k, 4), v: roundAll(c.scores.v, 4), baseline: c.baseline,
      top: c.top.map((t) => ({ kind: t.kind.toUpperCase(), from: hl(t.from), to: hl(t.to), score: round(t.score, 4) })),
      virtualHeads: c.virtualHeads.map((t) => ({ virtual: `${hl(t.to)}<-${hl(t.from)}`, from: hl(t.from), to: hl(t.to), score: round(t.score, 4) })),
    };
  }
  if (analysis.termImportance) {
    const t = analysis.termImportance;
    data.termImportance = { loss: t.loss, expansionLoss: t.expansionLoss, terms: t.terms.map((x) => ({ label: x.name, value: round(x.lossIncrease) })) };
    const o = t.byOrder;
    if (o) {
      data.termImportance.byOrder = {
        direct: round(o.direct),
        reductions: [{ label: 'single heads', value: round(o.direct - o.head) }, ...(o.virtual === undefined ? [] : [{ label: 'virtual heads', value: round(o.head - o.virtual) }])],
      };
    }
  }
  if (analysis.prompt) {
    const pr = analysis.prompt;
    const T = pr.tokens.length;
    data.logitLens = {
      layers: pr.logitLens.layers.map((s) => s.replace(/^blocks\.(\d+)\.hook_resid_(pre|post)$/, (_m, l: string, w: string) => (w === 'pre' ? `resid_pre ${l}` : `resid_post ${l}`))),
      tokens: pr.tokens.slice(0, T - 1).map(name),
      correctLogProb: roundAll(pr.logitLens.correctLogProb, 4),
      top: pr.logitLens.top.map((layer) => (layer[0] ?? []).slice(0, T - 1).map(name)),
    };
    data.attribution = { position: T - 1, token: name(pr.attribution.token), components: pr.attribution.components.map((c) => ({ label: c.component, value: round(c.attribution, 4) })) };
  }
  if (analysis.bigram) {
    const b = analysis.bigram;
    data.bigram = {
      tokens: b.tokens.map(name), pearson: b.pearson, spearman: b.spearman, kl: b.kl, pairs: b.pairs,
      top: b.topPredictions.slice(0, 30).map((p) => ({ token: name(p.token), ...Object.fromEntries(p.next.slice(0, 3).flatMap((n, i) => [[`next${i + 1}`, name(n.token)], [`lp${i + 1}`, round(n.logProb, 3)]])) })),
    };
  }
  return data;
}
