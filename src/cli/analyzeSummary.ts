import type { AnalysisReport, HeadRef } from '../analysis/analyzeModel.js';
import { InputError } from '../engine/errors.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import type { TokenizerLike } from '../model/tokens.js';

type Tok = TokenizerLike & { tokenToString?(id: number): string };

// analyze's terminal summary: the finding first, then the tables, tokens as visible strings.

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3));
const label = (h: HeadRef) => `L${h.layer}H${h.head}`;

/** A token as a visible string: spaces as ·, newlines as ↵, tabs as →, bytes that are not text as <0xNN>. */
export function visibleToken(tok: Tok | null, id: number): string {
  if (!tok) return `#${id}`;
  let s: string;
  try {
    s = tok.tokenToString ? tok.tokenToString(id) : tok.decode([id]);
  } catch {
    return `#${id}`;
  }
  if (s.includes('\ufffd')) return tok.name === 'bytes' && id < 256 ? `<0x${id.toString(16).toUpperCase().padStart(2, '0')}>` : `#${id}`;
  if (s === '') return `#${id}`;
  let out = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    out += c === ' ' ? '·' : c === '\n' ? '↵' : c === '\t' ? '→' : code < 0x20 || code === 0x7f ? `<0x${code.toString(16).toUpperCase().padStart(2, '0')}>` : c;
  }
  return out;
}

function best(m: number[][], minLayer = 0): { head: HeadRef; score: number } | null {
  let out: { head: HeadRef; score: number } | null = null;
  for (const [layer, row] of m.entries()) {
    if (layer < minLayer) continue;
    for (const [head, score] of row.entries()) if (Number.isFinite(score) && (!out || score > out.score)) out = { head: { layer, head }, score };
  }
  return out;
}

/** What the model's circuit is, in one line (e.g. "induction head L1H1 (0.961), fed by previous-token head L0H2 (0.973)"). */
export function finding(r: AnalysisReport): string {
  if (r.model.n_layers === 0) {
    return r.bigram ? `a bigram model: its logits match the text's bigram statistics with Pearson ${fmt(r.bigram.pearson)}` : 'a zero-layer model: it can only learn bigram statistics (give --text to measure them)';
  }
  const d = r.detectors;
  if (!d) return `${r.model.n_layers} layers; no head scores`;
  const ind = best(d.induction);
  const prev = best(d.previousToken);
  const prevText = prev ? `previous-token head ${label(prev.head)} (${fmt(prev.score)})` : 'no previous-token head';
  if (!ind || ind.score < 0.3) {
    return `no induction head (the strongest induction score is ${ind ? `${label(ind.head)}, ${fmt(ind.score)}` : 'absent'}); strongest ${prevText}`;
  }
  // The previous-token head that feeds it: the earlier-layer head with the strongest K-composition into it, else
  // the earlier layer's strongest previous-token head.
  const into = (r.composition?.top ?? []).filter((c) => c.kind === 'k' && c.to.layer === ind.head.layer && c.to.head === ind.head.head);
  const byPrev = (h: HeadRef) => d.previousToken[h.layer]?.[h.head] ?? 0;
  const feeder = into.sort((a, b) => byPrev(b.from) - byPrev(a.from))[0]?.from ?? best(d.previousToken.slice(0, ind.head.layer))?.head;
  const fed = feeder && ind.head.layer > 0 ? `, fed by previous-token head ${label(feeder)} (${fmt(byPrev(feeder))})` : '';
  return `induction head ${label(ind.head)} (${fmt(ind.score)})${fed}`;
}

function headTable(title: string, m: number[][]): string {
  const rows = m.map((r, l) => `  L${l}  ${r.map((v) => fmt(v).padStart(7)).join(' ')}`);
  return [`${title}  (rows: layers, columns: heads)`, ...rows].join('\n');
}

/** A readable summary of a report for the terminal, the finding first; `skipped` says which sections are absent and why. */
export function summarize(r: AnalysisReport, tok: Tok | null = null, skipped: readonly string[] = []): string {
  const v = (id: number) => visibleToken(tok, id);
  const out: string[] = [`${r.model.name}: ${finding(r)}`,
    `  ${r.model.n_layers} layers, ${r.model.n_heads} heads, d_model ${r.model.d_model}, d_vocab ${r.model.d_vocab}${r.model.attn_only ? ', attention only' : ''}`];
  if (r.bigram) out.push(`bigram statistics over the ${r.bigram.tokens.length} most frequent tokens: Pearson ${fmt(r.bigram.pearson)}, Spearman ${fmt(r.bigram.spearman)} over the ${r.bigram.pairs} pairs seen 5+ times (all pairs: ${fmt(r.bigram.pearsonAllPairs)}), KL ${fmt(r.bigram.kl)} nats`);
  if (r.detectors) {
    out.push(headTable('induction scores', r.detectors.induction));
    out.push(headTable('previous-token scores', r.detectors.previousToken));
    out.push(headTable('duplicate-token scores', r.detectors.duplicateToken));
    out.push(`induction loss gap (first half - repeated half of random tokens): ${fmt(r.detectors.inductionLossGap)} nats`);
  }
  const a = r.inductionAblation;
  if (a) out.push(`${a.kind}-ablating ${a.ablated.map(label).join(' and ')}: ${label(a.inductionHead)} induction ${fmt(a.inductionScore.clean)} -> ${fmt(a.inductionScore.ablated)}, loss on the repeated half ${fmt(a.repeatedLoss.clean)} -> ${fmt(a.repeatedLoss.ablated)} nats`);
  if (r.inContextLearning) out.push(`in-context-learning score (loss at ${r.inContextLearning.late} - loss at ${r.inContextLearning.early}): ${fmt(r.inContextLearning.score)}`);
  if (r.copying) out.push(headTable('copying scores', r.copying.scores));
  if (r.composition) {
    out.push(`composition (random baseline q ${fmt(r.composition.baseline.q)}, k ${fmt(r.composition.baseline.k)}, v ${fmt(r.composition.baseline.v)}); strongest:`);
    for (const c of r.composition.top.slice(0, 6)) out.push(`  ${c.kind.toUpperCase()}  ${label(c.from)} -> ${label(c.to)}  ${fmt(c.score)}`);
  }
  if (r.termImportance) {
    const t = [...r.termImportance.terms].sort((a, b) => b.lossIncrease - a.lossIncrease);
    out.push(`term importance (loss ${fmt(r.termImportance.loss)}; rise when removed):`);
    for (const x of t.slice(0, 8)) out.push(`  ${x.name.padEnd(14)} ${fmt(x.lossIncrease)}`);
  }
  if (r.skipTrigrams) {
    out.push('skip-trigrams (layer 0; source ... destination -> output, spaces shown as ·):');
    for (const h of r.skipTrigrams) out.push(`  H${h.head}: ${h.trigrams.slice(0, 3).map((t) => `${v(t.src)} ... ${v(t.dest)} -> ${v(t.out)}`).join(',  ')}`);
  }
  if (r.prompt) {
    const lens = r.prompt.logitLens;
    out.push(`prompt: ${r.prompt.tokens.map(v).join(' ')}`);
    out.push(`logit lens, mean log-prob of the next token: ${lens.layers.map((l, i) => `${l.replace('blocks.', 'L').replace('.hook_', ' ')} ${fmt(mean(lens.correctLogProb[i]!))}`).join(', ')}`);
    const top = [...r.prompt.attribution.components].sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution)).slice(0, 5);
    out.push(`direct logit attribution to the predicted next token ${v(r.prompt.attribution.token)} at the last position: ${top.map((c) => `${c.component} ${fmt(c.attribution)}`).join(', ')}`);
  }
  for (const s of skipped) out.push(`not shown: ${s}`);
  for (const c of r.caveats ?? []) out.push(`caveat: ${c}`);
  return out.join('\n');
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
}

/** Refuses a model whose weights hold NaN or infinite values: every analysis of it would be NaN. */
export function assertFiniteWeights(model: HookedTransformer, where: string): void {
  for (const [name, t] of Object.entries(model.weights)) {
    let bad = 0;
    for (const x of t.data as Float32Array) if (!Number.isFinite(x)) bad++;
    if (bad > 0) {
      throw new InputError(`${where}: weight ${name} holds ${bad} NaN or infinite value${bad === 1 ? '' : 's'}, so no analysis of this model means anything (did its training diverge?)`);
    }
  }
}
