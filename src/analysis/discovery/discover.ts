import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { acdc } from './acdc.js';
import { attributionPatching, eapIg, edgeAttributionPatching, type ScoredEdge, type ScoredNode } from './attribution.js';
import { faithfulnessCurve, rankEdges, type FaithfulnessPoint } from './evaluate.js';
import type { MetricName } from './metric.js';
import { EdgeRunner, type Ablation } from './runner.js';
import type { DiscoveryTask } from './tasks.js';

export type DiscoveryMethod = 'attribution' | 'eap' | 'eap-ig' | 'acdc';
export const DISCOVERY_METHODS: readonly DiscoveryMethod[] = ['attribution', 'eap', 'eap-ig', 'acdc'];

export interface DiscoveryResult {
  method: DiscoveryMethod;
  task: string;
  metric: MetricName;
  ablation: Ablation;
  nodes: string[];
  /** Every edge with its score; `kept`: ACDC's circuit, or the top `keep` edges of a ranking method. */
  edges: ScoredEdge[];
  /** attribution: each writer's score. */
  nodeScores?: ScoredNode[];
  clean: number;
  corrupt: number;
  tau?: number;
  faithfulness: FaithfulnessPoint[];
}

/** Finds the circuit behind a task with one method, and measures the faithfulness of its edge ranking. */
export async function discoverCircuit(model: HookedTransformer, task: DiscoveryTask, opts: {
  method: DiscoveryMethod; tau?: number; steps?: number; ablation?: Ablation; acdcMetric?: MetricName; keep?: number; faithfulness?: boolean;
}): Promise<DiscoveryResult> {
  const runner = new EdgeRunner(model, task, opts.ablation ?? 'resample');
  const metric = opts.method === 'acdc' ? opts.acdcMetric ?? 'kl' : task.metric;
  let edges: ScoredEdge[];
  let nodeScores: ScoredNode[] | undefined;
  if (opts.method === 'acdc') edges = (await acdc(runner, { tau: opts.tau ?? 0.01, metric })).edges;
  else if (opts.method === 'eap-ig') edges = await eapIg(runner, metric, opts.steps ?? 30);
  else {
    edges = await edgeAttributionPatching(runner, metric);
    if (opts.method === 'attribution') nodeScores = await attributionPatching(runner, metric);
  }
  if (opts.method !== 'acdc') {
    // An edge scored exactly 0 (no path to the metric) is never part of the circuit, even among the top `keep`.
    const top = new Set(rankEdges(edges).filter((e) => e.score !== 0).slice(0, opts.keep ?? 10));
    edges = edges.map((e) => ({ ...e, kept: top.has(e) }));
  }
  const { clean, corrupt } = await runner.baselines(metric);
  const faithfulness = opts.faithfulness === false ? [] : await faithfulnessCurve(runner, edges, metric);
  return {
    method: opts.method, task: task.name, metric, ablation: runner.ablation,
    nodes: [...runner.graph.writers, ...runner.graph.readers.filter((r) => !runner.graph.writers.includes(r))],
    edges, ...(nodeScores ? { nodeScores } : {}), clean, corrupt, ...(opts.method === 'acdc' ? { tau: opts.tau ?? 0.01 } : {}), faithfulness,
  };
}

/** The circuit (kept edges) as Graphviz: each reader hangs under its head; edge width grows with |score|. */
export function circuitDot(result: DiscoveryResult): string {
  const kept = result.edges.filter((e) => e.kept);
  const max = Math.max(1e-12, ...kept.map((e) => Math.abs(e.score)));
  const lines = ['digraph circuit {', '  rankdir=BT;', '  node [shape=box, fontname="Helvetica"];'];
  const nodes = new Set<string>();
  for (const e of kept) { nodes.add(e.from); nodes.add(e.to); }
  for (const n of nodes) lines.push(`  "${n}"${n.includes('.') ? ' [shape=ellipse]' : ''};`);
  for (const n of nodes) {
    const dot = n.indexOf('.');
    if (dot > 0 && nodes.has(n.slice(0, dot))) lines.push(`  "${n}" -> "${n.slice(0, dot)}" [style=dashed];`);
  }
  for (const e of kept) lines.push(`  "${e.from}" -> "${e.to}" [penwidth=${(1 + 4 * Math.abs(e.score) / max).toFixed(2)}, label="${e.score.toPrecision(3)}"];`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
