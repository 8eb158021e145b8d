import type { ScoredEdge } from './attribution.js';
import { readerOwner } from './graph.js';
import type { MetricName } from './metric.js';
import type { EdgeRunner } from './runner.js';

export interface AcdcResult {
  edges: ScoredEdge[];
  /** The damage (KL to the clean output, or the metric's distance from clean) of the final circuit. */
  damage: number;
  /** Forward runs made. */
  runs: number;
}

/**
 * ACDC (Conmy et al.): from the full graph, visit the readers in reverse topological order (logits first) and,
 * for each, its incoming edges from the latest writer back; remove an edge when removing it raises the damage
 * (KL divergence to the clean output by default, or the clean metric minus the patched one) by less than `tau`.
 * A removed edge is ablated (zero, or resampled from the corrupted prompts). A head or MLP with no outgoing edge
 * left cannot matter, so its incoming edges go without a run. An edge's score is the damage its removal caused
 * (kept edges: what removing it would have added).
 */
export async function acdc(runner: EdgeRunner, opts: { tau: number; metric?: MetricName }): Promise<AcdcResult> {
  const metric = opts.metric ?? 'kl';
  const { nR, nW, graph } = runner;
  const mask = runner.fullMask(1);
  const m = mask.data as Float32Array;
  const score = new Float64Array(nR * nW);
  let runs = 0;
  const damageOf = async () => { runs++; return runner.damage(await runner.metric(mask, metric), metric); };
  let current = await damageOf();
  const writerIndex = new Map(graph.writers.map((w, i) => [w, i]));
  for (let r = nR - 1; r >= 0; r--) {
    const owner = readerOwner(graph.readers[r]!);
    const fan = graph.fanIn[r]!;
    if (owner !== null) {
      const w = writerIndex.get(owner)!;
      let used = false;
      for (let r2 = 0; r2 < nR && !used; r2++) if (graph.fanIn[r2]! > w && m[r2 * nW + w] === 1) used = true;
      if (!used) {
        for (let w2 = 0; w2 < fan; w2++) m[r * nW + w2] = 0;
        continue;
      }
    }
    for (let w = fan - 1; w >= 0; w--) {
      m[r * nW + w] = 0;
      const d = await damageOf();
      score[r * nW + w] = d - current;
      if (d - current < opts.tau) current = d;
      else m[r * nW + w] = 1;
    }
  }
  const edges = graph.edges.map((e) => ({ from: e.from, to: e.to, score: score[e.r * nW + e.w]!, kept: m[e.r * nW + e.w] === 1 }));
  return { edges, damage: current, runs };
}
