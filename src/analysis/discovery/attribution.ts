import type { MetricName } from './metric.js';
import type { EdgeRunner } from './runner.js';

/** A scored edge (`kept` is ACDC's verdict, or whether it is in the top-k for ranking methods). */
export interface ScoredEdge {
  from: string;
  to: string;
  score: number;
  kept: boolean;
}

function edgesFrom(runner: EdgeRunner, scores: Float32Array | Float64Array): ScoredEdge[] {
  return runner.graph.edges.map((e) => ({ from: e.from, to: e.to, score: scores[e.r * runner.nW + e.w]!, kept: false }));
}

/**
 * Edge attribution patching (Syed et al.): each edge's `(corrupt_w - clean_w) . d metric / d input_r` on the clean
 * run, the first-order estimate of the metric's change when the edge alone is patched. One backward pass.
 */
export async function edgeAttributionPatching(runner: EdgeRunner, metric: MetricName): Promise<ScoredEdge[]> {
  return edgesFrom(runner, (await runner.edgeGradScores(metric, 1)).scores);
}

/**
 * EAP-IG (Hanna et al.): the same products with the gradient averaged over `steps` runs whose input embedding is
 * `corrupt + (k / steps)(clean - corrupt)`, k = 0..steps-1, as the authors' code does (steps defaults to 30).
 */
export async function eapIg(runner: EdgeRunner, metric: MetricName, steps = 30): Promise<ScoredEdge[]> {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`eapIg: steps must be a positive integer, got ${steps}`);
  const acc = new Float64Array(runner.nR * runner.nW);
  for (let k = 0; k < steps; k++) {
    const { scores } = await runner.edgeGradScores(metric, k / steps);
    for (let i = 0; i < acc.length; i++) acc[i]! += scores[i]! / steps;
  }
  return edgesFrom(runner, acc);
}

/** A node's attribution (Nanda's attribution patching): `(corrupt - clean) . d metric / d output`, for each writer. */
export interface ScoredNode {
  node: string;
  score: number;
}

/** Attribution patching over the writers: a writer's output feeds all its readers, so its score sums its edges'. */
export async function attributionPatching(runner: EdgeRunner, metric: MetricName): Promise<ScoredNode[]> {
  const { scores } = await runner.edgeGradScores(metric, 1);
  const sums = new Float64Array(runner.nW);
  for (const e of runner.graph.edges) sums[e.w]! += scores[e.r * runner.nW + e.w]!;
  return runner.graph.writers.map((node, w) => ({ node, score: sums[w]! }));
}
