import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { ANALYSIS_SCHEMA, type AnalysisReport } from '../analyzeModel.js';
import { compareBigrams } from '../bigram.js';
import { checkClaims, type Claim } from '../claims.js';
import { layerCircuits, skipTrigrams } from '../circuits.js';
import { compositionScores } from '../composition.js';
import { copyingScores } from '../copying.js';
import { detectHeads, inContextLearningScore } from '../detectors.js';
import { termImportance } from '../termImportance.js';
import { Rng } from '../../engine/random.js';
import { bigramsView, type BigramsView } from './bigrams.js';
import { corpusWindows } from './neurons.js';
import { tokenString } from './prompt.js';
import { FRAMEWORK_SECTIONS, type FrameworkSectionId } from './frameworkSections.js';

export { FRAMEWORK_SECTIONS, type FrameworkSectionId };

/** One section of the guided framework view on one model: its claims (as `reproduce` checks them) and figure data. */
export interface FrameworkSectionView {
  section: FrameworkSectionId;
  model: string;
  claims: Claim[];
  /** Where the numbers' text came from (corpus, or random tokens when the model has no tokenizer). */
  data: string;
  bigrams?: BigramsView;
  one?: {
    heads: string[];
    copying: number[];
    eigenvalues: { label: string; re: number[]; im: number[]; note: string }[];
    skipTrigrams: { head: string; src: string; dest: string; out: string; score: number }[];
  };
  two?: {
    induction: number[][];
    previousToken: number[][];
    /** K-composition from each layer-0 head (rows) into each layer-1 head (columns), and the random baseline. */
    kComposition: number[][];
    kBaseline: number;
    copying: number[][];
  };
  terms?: { loss: number; expansionLoss: number; terms: { name: string; kind: string; lossIncrease: number }[] };
}

/** Which section a claim of checkClaims belongs to (by its wording; a test checks every claim lands in one). */
export function claimSection(claim: string): FrameworkSectionId {
  if (/^zero-layer/.test(claim)) return 'zero';
  if (/one-layer/.test(claim)) return 'one';
  if (/^term importance/.test(claim)) return 'terms';
  return 'two';
}

/**
 * An empty report for the models a section does not look at. n_heads is 0 in it: checkClaims reads two.composition
 * without a guard when there are heads, and a section without composition scores must not reach that.
 */
function stub(model: HookedTransformer, heads = false): AnalysisReport {
  const c = model.cfg;
  return { schema: ANALYSIS_SCHEMA, model: { name: c.model_name, n_layers: c.n_layers, n_heads: heads ? c.n_heads : 0, d_model: c.d_model, d_vocab: c.d_vocab, n_ctx: c.n_ctx, attn_only: c.attn_only } };
}

/** Rows for loss-based measures: text windows when there is a corpus, else repeated random tokens (seeded). */
function rowsFor(model: HookedTransformer, stream: ArrayLike<number> | null, T: number, count: number): { rows: number[][]; data: string } {
  const bos = model.cfg.bos_token_id;
  if (stream && stream.length > T * count) return { rows: corpusWindows(stream, T, count, bos, false), data: `${count} windows of ${T} tokens of held-out text` };
  const rng = new Rng(7);
  const half = Math.floor((T - (bos === null ? 0 : 1)) / 2);
  const rows = Array.from({ length: count }, () => {
    const r = Array.from({ length: half }, () => rng.int(model.cfg.d_vocab));
    return [...(bos === null ? [] : [bos]), ...r, ...r];
  });
  return { rows, data: `${count} rows of ${half} random tokens repeated (no text for this model)` };
}

/**
 * Computes one section of the guided framework view on a model with the section's number of layers: the analyses
 * `reproduce` runs for it, its claims (checkClaims, the others' reports left empty) and the figure data.
 * `stream`: held-out text as token ids (the Brown corpus's validation split), or null for a model without a tokenizer.
 */
export async function frameworkSection(model: HookedTransformer, section: FrameworkSectionId, stream: ArrayLike<number> | null, corpusName = 'held-out text'): Promise<FrameworkSectionView> {
  const spec = FRAMEWORK_SECTIONS.find((s) => s.id === section);
  if (!spec) throw new Error(`framework: no section ${JSON.stringify(section)}`);
  const cfg = model.cfg;
  if (cfg.n_layers !== spec.layers) throw new Error(`framework: the ${section} section needs a ${spec.layers}-layer model (this one has ${cfg.n_layers})`);
  const reports = [stub(model), stub(model), stub(model, section === 'two')] as [AnalysisReport, AnalysisReport, AnalysisReport];
  const out: FrameworkSectionView = { section, model: cfg.model_name, claims: [], data: stream ? corpusName : 'no text (the model has no tokenizer)' };
  const labels = (l: number) => Array.from({ length: cfg.n_heads }, (_, h) => `L${l}H${h}`);
  if (section === 'zero') {
    if (stream) reports[0].bigram = await compareBigrams(model, stream);
    out.bigrams = await bigramsView(model, stream ? { stream, name: corpusName } : null);
  } else if (section === 'one') {
    const copying = await copyingScores(model);
    reports[1].copying = copying;
    const circuits = await layerCircuits(model, 0);
    const decode = (i: number) => tokenString(model, i);
    reports[1].skipTrigrams = circuits.map((c) => ({
      layer: 0, head: c.head, trigrams: skipTrigrams(c, { k: 10 }).map((t) => ({ ...t, text: `${decode(t.src)} ... ${decode(t.dest)} -> ${decode(t.out)}` })),
    }));
    out.one = {
      heads: labels(0), copying: copying.scores[0]!,
      eigenvalues: copying.eigenvalues[0]!.map((e, h) => ({ label: `L0H${h}`, re: e.re, im: e.im, note: `copying ${copying.scores[0]![h]!.toFixed(2)}` })),
      skipTrigrams: reports[1].skipTrigrams.flatMap((hd) => hd.trigrams.slice(0, 3).map((t) => ({
        head: `L0H${hd.head}`, src: decode(t.src), dest: decode(t.dest), out: decode(t.out), score: t.score,
      }))),
    };
  } else if (section === 'two') {
    const d = await detectHeads(model);
    const c = await compositionScores(model);
    const copying = await copyingScores(model);
    reports[2].detectors = {
      induction: d.induction, previousToken: d.previousToken, duplicateToken: d.duplicateToken, currentToken: d.currentToken,
      lossByPosition: d.lossByPosition, inductionLossGap: d.inductionLossGap, probeLength: d.probe.length,
    };
    reports[2].composition = { scores: c.scores, baseline: c.baseline, top: [], virtualHeads: [] };
    reports[2].copying = copying;
    if (stream && stream.length > cfg.n_ctx * 2) {
      const T = cfg.n_ctx;
      const per = await model.loss(corpusWindows(stream, T, 16, cfg.bos_token_id, false), { perToken: true });
      const early = Math.max(1, Math.floor((T - 1) / 10));
      reports[2].inContextLearning = { score: inContextLearningScore(per, early, T - 2), early, late: T - 2 };
    }
    const H = cfg.n_heads;
    out.two = {
      induction: d.induction, previousToken: d.previousToken, copying: copying.scores, kBaseline: c.baseline.k,
      kComposition: Array.from({ length: H }, (_, a) => Array.from({ length: H }, (_, b) => c.scores.k[a]![H + b]!)),
    };
  } else {
    const { rows, data } = rowsFor(model, stream, Math.min(cfg.n_ctx, 128), 8);
    const t = await termImportance(model, rows);
    reports[2].termImportance = t;
    out.data = data;
    const terms = [...t.terms].sort((a, b) => Math.abs(b.lossIncrease) - Math.abs(a.lossIncrease));
    out.terms = { loss: t.loss, expansionLoss: t.expansionLoss, terms: terms.map((x) => ({ name: x.name, kind: x.kind, lossIncrease: x.lossIncrease })) };
  }
  out.claims = checkClaims(...reports).filter((c) => claimSection(c.claim) === section);
  return out;
}
