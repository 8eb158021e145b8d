import { readFile } from 'node:fs/promises';
import { loadModel } from '../../io/loadModel.js';
import { writeFilesAtomically } from '../../io/modelDir.js';
import { basename, dirname } from 'node:path';
import {
  circuitDot, discoverCircuit, DISCOVERY_METHODS, edgeKey, INDUCTION_CORRUPTIONS, inductionTask, parseReferenceCircuit, parseTask, rankEdges, rocAuc,
  type DiscoveryMethod, type InductionCorruption,
} from '../../analysis/discovery/index.js';
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';

export const DISCOVER_HELP = `circuitscope discover DIR --task induction|FILE --method attribution|eap|eap-ig|acdc [options]

Finds the circuit behind a task on the model in DIR and prints the top edges (--json: every node and edge).
  --task induction   repeated random tokens A + A (FILE: a JSON task,
                     { "metric": "logit_diff", "prompts": [{ "clean", "corrupt", "answer", "wrong", "position" }] })
  --corrupt C        induction's corruption: resample (B + B, default), first-half (B + A: the copy the induction
                     head reads is gone, metric logprob; shows the previous-token -> induction K edge best) or
                     second-half (A + B)
  --method M         attribution (nodes), eap, eap-ig (--steps N, default 30), acdc (--tau X, default 0.01)
  --ablation A       resample (default) or zero
  --top N            edges printed, and kept by the ranking methods (default 10)
  --dot FILE         write the circuit as Graphviz
  --reference FILE   a known circuit (JSON: ["L0H2->L1H1.k", ...], or discover --json output): prints the ROC AUC
  --no-process       use the weights as stored`;

export async function discoverCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('discover', {
    args: argv, allowPositionals: true,
    options: {
      corrupt: { type: 'string' }, reference: { type: 'string' }, task: { type: 'string' }, method: { type: 'string' }, tau: { type: 'string' }, steps: { type: 'string' }, ablation: { type: 'string' },
      top: { type: 'string' }, json: { type: 'boolean' }, dot: { type: 'string' }, 'no-process': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(DISCOVER_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('discover: expected one model directory (circuitscope discover DIR --task induction --method eap)');
  const method = values.method as DiscoveryMethod | undefined;
  if (!method || !DISCOVERY_METHODS.includes(method)) throw new UsageError(`discover: --method must be one of ${DISCOVERY_METHODS.join(', ')} (got ${values.method ?? 'nothing'})`);
  if (!values.task) throw new UsageError('discover: --task is required (induction, or a JSON task file)');
  const num = (v: string | undefined, name: string, ok: (x: number) => boolean): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!ok(x)) throw new UsageError(`discover: ${name} got ${v}, which is not valid`);
    return x;
  };
  const tau = num(values.tau, '--tau', (x) => Number.isFinite(x) && x >= 0);
  const steps = num(values.steps, '--steps', (x) => Number.isInteger(x) && x >= 1);
  const top = num(values.top, '--top', (x) => Number.isInteger(x) && x >= 1) ?? 10;
  const ablation = values.ablation ?? 'resample';
  if (ablation !== 'resample' && ablation !== 'zero') throw new UsageError(`discover: --ablation must be resample or zero (got ${ablation})`);
  const corrupt = values.corrupt as InductionCorruption | undefined;
  if (corrupt !== undefined && !INDUCTION_CORRUPTIONS.includes(corrupt)) throw new UsageError(`discover: --corrupt must be one of ${INDUCTION_CORRUPTIONS.join(', ')} (got ${corrupt})`);
  if (corrupt !== undefined && values.task !== 'induction') throw new UsageError('discover: --corrupt applies to --task induction only (a task file gives its own corrupted prompts)');
  const model = await loadModel(positionals[0]!, { processWeights: !values['no-process'] });
  const task = values.task === 'induction'
    ? inductionTask(model.cfg, corrupt ? { corrupt } : {})
    : parseTask(await readJsonFile(values.task, '--task'), values.task, model.cfg, model.tokenizer ? (s) => model.tokenizer!.encode(s) : undefined);
  const result = await discoverCircuit(model, task, { method, tau, steps, ablation, keep: top });
  const reference = values.reference === undefined ? null
    : parseReferenceCircuit(await readJsonFile(values.reference, '--reference'), values.reference, new Set(result.edges.map(edgeKey)));
  if (values.dot) await writeFilesAtomically(dirname(values.dot), { [basename(values.dot)]: circuitDot(result) });
  const auc = reference && reference.size < result.edges.length ? rocAuc(result.edges, reference) : null;
  if (reference && auc === null) throw new UsageError(`discover: ${values.reference}: the reference holds every edge, so no ranking can be scored against it`);
  if (values.json) {
    console.log(JSON.stringify(auc === null ? result : { ...result, reference: { file: values.reference, edges: reference!.size, rocAuc: auc } }));
    return 0;
  }
  console.log(`${method} on ${task.name} (${result.metric}, ${ablation} ablation): clean ${result.clean.toFixed(4)}, corrupted ${result.corrupt.toFixed(4)}`);
  const shown = method === 'acdc' ? result.edges.filter((e) => e.kept) : rankEdges(result.edges).slice(0, top);
  if (method === 'acdc') console.log(`ACDC kept ${shown.length} of ${result.edges.length} edges (tau ${result.tau})`);
  for (const e of shown) console.log(`  ${`${e.from} -> ${e.to}`.padEnd(24)} ${e.score.toFixed(5)}`);
  if (result.nodeScores) {
    console.log('nodes:');
    for (const n of [...result.nodeScores].sort((a, b) => Math.abs(b.score) - Math.abs(a.score)).slice(0, top)) console.log(`  ${n.node.padEnd(10)} ${n.score.toFixed(5)}`);
  }
  const f = result.faithfulness.map((p) => `${p.edges}:${p.recovered.toFixed(2)}`).join(' ');
  if (f) console.log(`faithfulness (edges kept: share of the clean metric recovered): ${f}`);
  if (auc !== null) console.log(`ROC AUC against ${values.reference} (${reference!.size} edges): ${auc.toFixed(3)}`);
  if (values.dot) console.log(`wrote ${values.dot}`);
  return 0;
}

async function readJsonFile(file: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UsageError(`discover: ${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a JSON file' : (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`discover: ${file}: not valid JSON (${(e as Error).message})`);
  }
}
