import { InputError } from '../../engine/errors.js';
import { edgeKey } from './graph.js';
import type { ScoredEdge } from './attribution.js';
import type { MetricName } from './metric.js';
import type { EdgeRunner } from './runner.js';

/**
 * ROC AUC of an edge ranking (by |score|) against a known circuit, as auto-circuit measures it: the probability
 * that a true edge outranks a false one (ties count a half). 1 is a perfect ranking.
 */
export function rocAuc(edges: readonly ScoredEdge[], truth: ReadonlySet<string>): number {
  const pos = edges.filter((e) => truth.has(edgeKey(e))).map((e) => Math.abs(e.score));
  const neg = edges.filter((e) => !truth.has(edgeKey(e))).map((e) => Math.abs(e.score));
  if (pos.length === 0 || neg.length === 0) throw new Error('rocAuc: the known circuit must hold some, but not all, of the edges');
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

/** Edges by decreasing |score| (ties in graph order). */
export function rankEdges(edges: readonly ScoredEdge[]): ScoredEdge[] {
  return edges.map((e, i) => ({ e, i })).sort((a, b) => Math.abs(b.e.score) - Math.abs(a.e.score) || a.i - b.i).map((x) => x.e);
}

export interface FaithfulnessPoint {
  edges: number;
  metric: number;
  /** (metric - corrupt) / (clean - corrupt): the share of the clean behaviour the top edges recover. */
  recovered: number;
}

/** Faithfulness: the metric with only the top `k` edges kept (the rest ablated), for each k in `counts`. */
export async function faithfulnessCurve(runner: EdgeRunner, edges: readonly ScoredEdge[], metric: MetricName, counts?: readonly number[]): Promise<FaithfulnessPoint[]> {
  const ranked = rankEdges(edges);
  const n = ranked.length;
  const ks = counts ?? [...new Set([0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, n].filter((k) => k <= n))];
  const { clean, corrupt } = await runner.baselines(metric);
  const index = new Map(runner.graph.edges.map((e) => [edgeKey(e), e]));
  const out: FaithfulnessPoint[] = [];
  for (const k of ks) {
    const mask = runner.fullMask(0);
    for (const e of ranked.slice(0, k)) {
      const g = index.get(edgeKey(e))!;
      (mask.data as Float32Array)[g.r * runner.nW + g.w] = 1;
    }
    const v = await runner.metric(mask, metric);
    out.push({ edges: k, metric: v, recovered: clean === corrupt ? 0 : (v - corrupt) / (clean - corrupt) });
  }
  return out;
}

/**
 * A known circuit from a JSON file's parsed contents: an array of `"from->to"` strings, or an object with `edges`
 * (`[{ "from", "to" }]`, or `discover --json`'s output, whose `kept` edges are taken). Every edge must be one of the
 * model's graph (`known`, by `edgeKey`); mistakes are one line naming the file and the entry.
 */
export function parseReferenceCircuit(json: unknown, file: string, known: ReadonlySet<string>): Set<string> {
  const fail = (what: string): never => { throw new InputError(`${file}: ${what}`); };
  let list: unknown[];
  let keptOnly = false;
  if (Array.isArray(json)) list = json;
  else if (typeof json === 'object' && json !== null && Array.isArray((json as { edges?: unknown }).edges)) {
    list = (json as { edges: unknown[] }).edges;
    keptOnly = list.some((e) => typeof e === 'object' && e !== null && 'kept' in e);
  } else return fail('a reference circuit must be an array of "from->to" edges or an object with "edges"');
  const out = new Set<string>();
  list.forEach((e, i) => {
    let key: string;
    if (typeof e === 'string') key = e.replace(/\s*->\s*/, '->');
    else if (typeof e === 'object' && e !== null && typeof (e as { from?: unknown }).from === 'string' && typeof (e as { to?: unknown }).to === 'string') {
      if (keptOnly && (e as { kept?: unknown }).kept !== true) return;
      key = edgeKey(e as { from: string; to: string });
    } else return fail(`edges[${i}] must be "from->to" or { "from", "to" }`);
    if (!known.has(key)) fail(`edges[${i}] ${JSON.stringify(key)} is not an edge of this model's graph (for example "L0H2->L1H1.k")`);
    out.add(key);
  });
  if (out.size === 0) fail('the reference circuit has no edges');
  return out;
}
