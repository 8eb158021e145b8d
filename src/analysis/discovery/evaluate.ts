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
