import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { loadModel } from '../../io/loadModel.js';
import { heldOutTokens } from '../../io/analyzeText.js';
import { writeFilesAtomically } from '../../io/modelDir.js';
import { loadUiBundle } from '../../io/uiBundle.js';
import { computeReportData, type MetricsLine } from '../../ui/report/compute.js';
import { renderReportHTML } from '../../ui/report/page.js';
import { parseLLCJSON, parseOverTrainingJSON, type ReportDevelopment } from '../../ui/report/development.js';
import { parseAdditionJSON } from '../../ui/report/addition.js';
import { UsageError } from '../errors.js';

export const REPORT_HELP = `circuitscope report DIR --out FILE.html [--prompt TEXT] [--text PATH|brown|none] [--no-process]
                         [--over-training FILE] [--llc FILE] [--addition FILE]

Writes one self-contained HTML file with the figures for a model directory: the model and its training curves
(from metrics.jsonl), per-token loss and top predictions on a prompt, every head's attention, head scores, QK/OV
circuits and eigenvalues, skip-trigrams, composition, term importance, logit lens and direct logit attribution.
It opens from disk with no network (the code and data are inlined), is interactive (hover, pickers) and prints.
  --out FILE      where to write the report (atomically)
  --prompt TEXT   the prompt (default: a sentence said twice; for a model without a tokenizer, token ids such as
                  "0 5 7 9", default random ids repeated)
  --text SOURCE   held-out text for the in-context-learning score, term importance and bigram statistics
                  (default brown's validation split when the model has a tokenizer; none: skip)
  --no-process    the weights as stored (default: TransformerLens's weight processing)
  --over-training FILE  a Development section: the JSON of analyze RUN --over-training --out FILE (loss, head
                  scores, grokking measures against the step)
  --llc FILE      a Development section: the JSON of llc RUN [--essential-dynamics] --out FILE (the LLC with its
                  stage boundaries marked on every panel; the essential-dynamics trajectory)
  --addition FILE an Addition section: the JSON of reproduce --suite addition --json (per-head attention from
                  each answer digit to the operand digits, and the claims with their numbers)`;

export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { out: { type: 'string' }, prompt: { type: 'string' }, text: { type: 'string' }, 'no-process': { type: 'boolean' }, 'over-training': { type: 'string' }, llc: { type: 'string' }, addition: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('report: expected one model directory (circuitscope report DIR --out FILE.html)');
  if (!values.out) throw new UsageError('report: --out FILE.html is required');
  const dir = positionals[0]!;
  const out = resolve(values.out);
  const development = await readDevelopment(values['over-training'], values.llc);
  const addition = values.addition === undefined ? undefined
    : parseAdditionJSON(await readFile(values.addition, 'utf8').catch(() => { throw new UsageError(`report: --addition ${values.addition}: cannot read the file`); }), values.addition);
  const model = await loadModel(dir, { processWeights: !values['no-process'] });
  const tok = model.tokenizer;

  let prompt: string | number[] | undefined = values.prompt;
  if (prompt !== undefined) {
    if (!tok) {
      const parts = prompt.replace(/[[\],]/g, ' ').trim().split(/\s+/).filter(Boolean);
      const ids = parts.map(Number);
      const bad = parts.find((_, i) => !Number.isInteger(ids[i]) || ids[i]! < 0 || ids[i]! >= model.cfg.d_vocab);
      if (bad !== undefined || ids.length === 0) throw new UsageError(`report: this model has no tokenizer; --prompt takes token ids in 0..${model.cfg.d_vocab - 1} separated by spaces (got ${JSON.stringify(bad ?? prompt)})`);
      prompt = ids;
    }
    const n = Array.isArray(prompt) ? prompt.length : model.toTokens(prompt).data.length;
    if (n > model.cfg.n_ctx) throw new UsageError(`report: --prompt is ${n} tokens${Array.isArray(prompt) ? '' : ' with BOS'}, more than the model's n_ctx (${model.cfg.n_ctx}); shorten it`);
  }

  const source = values.text ?? (tok ? 'brown' : 'none');
  let text: Int32Array | undefined;
  if (source !== 'none') {
    if (!tok) throw new UsageError('report: --text needs a model with a tokenizer (tokenizer.json beside the weights)');
    text = await heldOutTokens(tok, source);
  }
  const metrics = await readJSONLines(join(dir, 'metrics.jsonl'));
  const run = await readFile(join(dir, 'run.json'), 'utf8').then((s) => JSON.parse(s) as Record<string, unknown>, () => undefined);

  const data = await computeReportData(model, {
    source: basename(resolve(dir)), ...(prompt !== undefined ? { prompt } : {}), ...(text ? { text } : {}),
    metrics, ...(run ? { run } : {}), processed: !values['no-process'],
  });
  if (development) data.development = development;
  if (addition) data.addition = addition;
  const html = renderReportHTML(data, await loadUiBundle());
  await writeFilesAtomically(dirname(resolve(out)), { [basename(out)]: html });
  const sections = ['model', data.training && 'training curves', data.development && 'development', data.addition && 'addition', data.prompt && 'prompt', data.prompt && model.cfg.n_layers > 0 && 'attention', data.heads && 'heads',
    data.circuits && 'circuits', data.composition && 'composition', data.termImportance && 'term importance', data.logitLens && 'logit lens', data.neurons && 'neurons', data.bigram && 'bigrams'].filter(Boolean);
  console.log(`report: ${out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB): ${sections.join(', ')}`);
  return 0;
}

/** The lines of a JSON-lines file (none when it is missing); a bad line is a one-line error. */
async function readJSONLines(path: string): Promise<MetricsLine[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l) as MetricsLine;
    } catch {
      throw new UsageError(`${path}:${i + 1}: not JSON`);
    }
  });
}

/** The Development section's inputs, read and checked (a missing or malformed file is a one-line error). */
async function readDevelopment(overTraining: string | undefined, llc: string | undefined): Promise<ReportDevelopment | undefined> {
  if (overTraining === undefined && llc === undefined) return undefined;
  const read = (file: string, flag: string) => readFile(file, 'utf8').catch(() => { throw new UsageError(`report: ${flag} ${file}: cannot read the file`); });
  return {
    ...(overTraining !== undefined ? { overTraining: parseOverTrainingJSON(await read(overTraining, '--over-training'), overTraining) } : {}),
    ...(llc !== undefined ? { llc: parseLLCJSON(await read(llc, '--llc'), llc) } : {}),
  };
}
