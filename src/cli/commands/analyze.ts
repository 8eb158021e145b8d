import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import type { AnalysisReport } from '../../analysis/analyzeModel.js';
import { analyzeWithText } from '../../io/analyzeText.js';
import { loadModel } from '../../io/loadModel.js';
import { UsageError } from '../errors.js';

export const ANALYZE_HELP = `circuitscope analyze DIR [--prompt TEXT] [--text PATH|brown] [--json] [--out FILE] [--no-process]

Runs the framework's analyses on a model directory (a training run, a TransformerLens state dict, or a Hugging
Face GPT-2) and prints a summary; --json prints the whole result (schema: docs/analysis-schema.md), --out writes it.
  --prompt TEXT   also run the logit lens and direct logit attribution on this prompt
  --text SOURCE   held-out text for the in-context-learning score and bigram statistics (default: brown's
                  validation split when the model has a tokenizer)
  --no-process    analyse the weights as stored (default: TransformerLens's weight processing, which folds
                  LayerNorm into the weights and leaves every output unchanged)`;

export async function analyzeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { prompt: { type: 'string' }, text: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' }, 'no-process': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(ANALYZE_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('analyze: expected one model directory (circuitscope analyze DIR)');
  const model = await loadModel(positionals[0]!, { processWeights: !values['no-process'] });
  let prompt: number[] | undefined;
  if (values.prompt !== undefined) {
    if (!model.tokenizer) throw new UsageError('analyze: --prompt needs a model with a tokenizer (tokenizer.json beside the weights)');
    prompt = Array.from(model.toTokens(values.prompt).data, Number);
    if (prompt.length > model.cfg.n_ctx) {
      throw new UsageError(`analyze: --prompt is ${prompt.length} tokens with BOS, more than the model's n_ctx (${model.cfg.n_ctx}); shorten it`);
    }
  }
  const report = await analyzeWithText(model, values.text ?? 'brown', prompt);
  if (values.out) await writeFile(values.out, `${JSON.stringify(report)}\n`);
  if (values.json) console.log(JSON.stringify(report));
  else console.log(summarize(report));
  return 0;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3));

function headTable(title: string, m: number[][]): string {
  const rows = m.map((r, l) => `  L${l}  ${r.map((v) => fmt(v).padStart(7)).join(' ')}`);
  return [`${title}  (rows: layers, columns: heads)`, ...rows].join('\n');
}

/** A readable summary of a report for the terminal. */
export function summarize(r: AnalysisReport): string {
  const out: string[] = [`${r.model.name}: ${r.model.n_layers} layers, ${r.model.n_heads} heads, d_model ${r.model.d_model}, d_vocab ${r.model.d_vocab}${r.model.attn_only ? ', attention only' : ''}`];
  if (r.bigram) out.push(`bigram statistics over the ${r.bigram.tokens.length} most frequent tokens: Pearson ${fmt(r.bigram.pearson)}, Spearman ${fmt(r.bigram.spearman)} over the ${r.bigram.pairs} pairs seen 5+ times (all pairs: ${fmt(r.bigram.pearsonAllPairs)}), KL ${fmt(r.bigram.kl)} nats`);
  if (r.detectors) {
    out.push(headTable('induction scores', r.detectors.induction));
    out.push(headTable('previous-token scores', r.detectors.previousToken));
    out.push(headTable('duplicate-token scores', r.detectors.duplicateToken));
    out.push(`induction loss gap (first half - repeated half of random tokens): ${fmt(r.detectors.inductionLossGap)} nats`);
  }
  if (r.inContextLearning) out.push(`in-context-learning score (loss at ${r.inContextLearning.late} - loss at ${r.inContextLearning.early}): ${fmt(r.inContextLearning.score)}`);
  if (r.copying) out.push(headTable('copying scores', r.copying.scores));
  if (r.composition) {
    out.push(`composition (random baseline q ${fmt(r.composition.baseline.q)}, k ${fmt(r.composition.baseline.k)}, v ${fmt(r.composition.baseline.v)}); strongest:`);
    for (const c of r.composition.top.slice(0, 6)) out.push(`  ${c.kind.toUpperCase()}  L${c.from.layer}H${c.from.head} -> L${c.to.layer}H${c.to.head}  ${fmt(c.score)}`);
  }
  if (r.termImportance) {
    const t = [...r.termImportance.terms].sort((a, b) => b.lossIncrease - a.lossIncrease);
    out.push(`term importance (loss ${fmt(r.termImportance.loss)}; rise when removed):`);
    for (const x of t.slice(0, 8)) out.push(`  ${x.name.padEnd(14)} ${fmt(x.lossIncrease)}`);
  }
  if (r.skipTrigrams) {
    out.push('skip-trigrams (layer 0):');
    for (const h of r.skipTrigrams) out.push(`  H${h.head}: ${h.trigrams.slice(0, 3).map((t) => t.text ?? `${t.src} ... ${t.dest} -> ${t.out}`).map((s) => JSON.stringify(s)).join(', ')}`);
  }
  if (r.prompt) {
    const lens = r.prompt.logitLens;
    out.push(`logit lens, mean log-prob of the next token: ${lens.layers.map((l, i) => `${l.replace('blocks.', 'L').replace('.hook_', ' ')} ${fmt(mean(lens.correctLogProb[i]!))}`).join(', ')}`);
    const top = [...r.prompt.attribution.components].sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution)).slice(0, 5);
    out.push(`direct logit attribution to token ${r.prompt.attribution.token} at the last position: ${top.map((c) => `${c.component} ${fmt(c.attribution)}`).join(', ')}`);
  }
  return out.join('\n');
}

function mean(xs: number[]): number {
  return xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
}
