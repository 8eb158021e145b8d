import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadModel } from '../../io/loadModel.js';
import {
  circuitDot, discoverCircuit, DISCOVERY_METHODS, inductionTask, parseTask, rankEdges, type DiscoveryMethod,
} from '../../analysis/discovery/index.js';
import { UsageError } from '../errors.js';

export const DISCOVER_HELP = `circuitscope discover DIR --task induction|FILE --method attribution|eap|eap-ig|acdc [options]

Finds the circuit behind a task on the model in DIR and prints the top edges (--json: every node and edge).
  --task induction   repeated random tokens; corrupted = another repeated sequence (FILE: a JSON task,
                     { "metric": "logit_diff", "prompts": [{ "clean", "corrupt", "answer", "wrong", "position" }] })
  --method M         attribution (nodes), eap, eap-ig (--steps N, default 30), acdc (--tau X, default 0.01)
  --ablation A       resample (default) or zero
  --top N            edges printed, and kept by the ranking methods (default 10)
  --dot FILE         write the circuit as Graphviz
  --no-process       use the weights as stored`;

export async function discoverCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      task: { type: 'string' }, method: { type: 'string' }, tau: { type: 'string' }, steps: { type: 'string' }, ablation: { type: 'string' },
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
  const model = await loadModel(positionals[0]!, { processWeights: !values['no-process'] });
  let task;
  if (values.task === 'induction') task = inductionTask(model.cfg);
  else {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(values.task, 'utf8'));
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') throw new UsageError(`discover: --task ${values.task}: no such file`);
      throw new UsageError(`discover: ${values.task}: not valid JSON (${(e as Error).message})`);
    }
    const tok = model.tokenizer;
    task = parseTask(json, values.task, model.cfg, tok ? (s) => tok.encode(s) : undefined);
  }
  const result = await discoverCircuit(model, task, { method, tau, steps, ablation, keep: top });
  if (values.dot) await writeFile(values.dot, circuitDot(result));
  if (values.json) {
    console.log(JSON.stringify(result));
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
  if (values.dot) console.log(`wrote ${values.dot}`);
  return 0;
}
