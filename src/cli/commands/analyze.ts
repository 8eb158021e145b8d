import { basename, dirname, join, resolve } from 'node:path';
import { analyzeWithText } from '../../io/analyzeText.js';
import { analyzeRunOverTraining } from '../../io/overTrainingRun.js';
import { OVER_TRAINING_ANALYSES, type OverTrainingAnalysis, type OverTrainingResult } from '../../analysis/overTraining.js';
import { loadModel } from '../../io/loadModel.js';
import { runDivergence } from '../../io/trainRun.js';
import { writeFilesAtomically } from '../../io/modelDir.js';
import { checkOutputFile } from '../../io/outputPath.js';
import { parseCommandArgs } from '../args.js';
import { assertFiniteWeights, summarize } from '../analyzeSummary.js';
import { UsageError } from '../errors.js';

export const ANALYZE_HELP = `circuitscope analyze DIR [--prompt TEXT] [--text PATH|brown] [--json] [--out FILE] [--no-process]
circuitscope analyze RUN --over-training [--analyses a,b] [--json] [--out FILE]

Runs the framework's analyses on a model directory (a training run, a TransformerLens state dict, or a Hugging
Face GPT-2) and prints a summary; --json prints the whole result (schema: docs/analysis-schema.md), --out writes it.
  --prompt TEXT   also run the logit lens and direct logit attribution on this prompt
  --text SOURCE   held-out text for the in-context-learning score and bigram statistics (default: brown's
                  validation split when the model has a tokenizer)
  --no-process    analyse the weights as stored (default: TransformerLens's weight processing, which folds
                  LayerNorm into the weights and leaves every output unchanged)
  --over-training run the analyses at every checkpoint of RUN (train --checkpoints log:N|every:K) into one JSON
                  { steps, series: { name: [value per step] } } (docs/grokking.md)
  --analyses LIST ${OVER_TRAINING_ANALYSES.join(', ')} (default: grokking for a grokking run, heads,loss otherwise):
                  heads = every head's induction, previous- and duplicate-token scores; loss = loss on held-out
                  text; grokking = Nanda et al.'s progress measures (losses, accuracies, weight norm, restricted
                  and excluded loss over the key frequencies)`;

export async function analyzeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('analyze', {
    args: argv, allowPositionals: true,
    options: { 'over-training': { type: 'boolean' }, analyses: { type: 'string' }, prompt: { type: 'string' }, text: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' }, 'no-process': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(ANALYZE_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('analyze: expected one model directory (circuitscope analyze DIR)');
  if (values.out !== undefined) await checkOutputFile(values.out, '--out');
  const dir = positionals[0]!;
  if (values['over-training']) {
    for (const flag of ['prompt', 'text', 'no-process'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`analyze: --${flag} does not apply to --over-training`);
    }
    const result = await analyzeRunOverTraining(dir, values.analyses === undefined ? null : parseAnalyses(values.analyses), {
      onCheckpoint: (step, i, n) => { if (!values.json) process.stderr.write(`checkpoint ${i + 1}/${n} (step ${step})\n`); },
    });
    const text = `${JSON.stringify(result)}\n`;
    if (values.out) await writeFilesAtomically(dirname(resolve(values.out)), { [basename(values.out)]: text });
    if (values.json) process.stdout.write(text);
    else console.log(summarizeOverTraining(result));
    return 0;
  }
  if (values.analyses !== undefined) throw new UsageError('analyze: --analyses goes with --over-training');
  const model = await loadModel(dir, { processWeights: !values['no-process'] });
  assertFiniteWeights(model, join(dir, 'model.safetensors'));
  const diverged = await runDivergence(dir);
  if (diverged) process.stderr.write(`analyze: warning: ${dir} is a training run that diverged (${diverged.message}); these are not a trained model's weights\n`);
  const skipped: string[] = [];
  let prompt: number[] | undefined;
  if (values.prompt !== undefined) {
    if (!model.tokenizer) throw new UsageError('analyze: --prompt needs a model with a tokenizer (tokenizer.json beside the weights)');
    prompt = Array.from(model.toTokens(values.prompt).data, Number);
    if (prompt.length > model.cfg.n_ctx) {
      throw new UsageError(`analyze: --prompt is ${prompt.length} tokens with BOS, more than the model's n_ctx (${model.cfg.n_ctx}); shorten it`);
    }
    if (prompt.length < 2) skipped.push(`the logit lens and direct logit attribution: --prompt ${JSON.stringify(values.prompt)} is ${prompt.length} token with BOS; they need at least 2`);
  }
  const text = values.text ?? 'brown';
  const report = await analyzeWithText(model, text, prompt);
  if (!model.tokenizer) skipped.push('the in-context-learning score and bigram statistics: the model has no tokenizer.json to read --text with');
  else if (!report.inContextLearning && model.cfg.n_layers >= 0) {
    skipped.push(`the in-context-learning score${model.cfg.n_layers === 0 ? ' and bigram statistics' : ''}: --text ${text} is too short (it needs more than ${2 * model.cfg.n_ctx} tokens, twice n_ctx)`);
  }
  if (values.out) await writeFilesAtomically(dirname(resolve(values.out)), { [basename(values.out)]: `${JSON.stringify(report)}\n` });
  if (values.json) {
    console.log(JSON.stringify(report));
    for (const s of skipped) process.stderr.write(`analyze: not computed: ${s}\n`);
  } else console.log(summarize(report, model.tokenizer, skipped));
  return 0;
}

function parseAnalyses(list: string): OverTrainingAnalysis[] {
  const names = list.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const known = new Set<string>(OVER_TRAINING_ANALYSES);
  const bad = names.filter((n) => !known.has(n));
  if (names.length === 0 || bad.length > 0) throw new UsageError(`analyze: --analyses ${list}: expected a comma-separated list of ${OVER_TRAINING_ANALYSES.join(', ')}`);
  return names as OverTrainingAnalysis[];
}

/** A few lines: the steps, and each series' first and last value. */
function summarizeOverTraining(r: OverTrainingResult): string {
  const lines = [`${r.steps.length} checkpoints, steps ${r.steps[0]} .. ${r.steps.at(-1)} (${r.analyses.join(', ')})`];
  if (r.keyFrequencies) lines.push(`key frequencies: ${r.keyFrequencies.join(', ')}`);
  const g = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4));
  for (const [name, v] of Object.entries(r.series)) lines.push(`  ${name.padEnd(24)} ${g(v[0])} -> ${g(v.at(-1))}`);
  lines.push('--json or --out FILE for every value');
  return lines.join('\n');
}
