import type { MetricName } from './metric.js';
import type { EdgeRunner } from './runner.js';

export interface PathPatchingResult {
  /** The metric with the senders' outputs patched (corrupted) along their direct paths into the receivers only. */
  metric: number;
  clean: number;
  corrupt: number;
  /** (metric - clean) / (corrupt - clean): 1 when these paths carry the whole effect. */
  normalized: number;
  /** The edges patched. */
  edges: { from: string; to: string }[];
}

/**
 * Path patching (Wang et al., Goldowsky-Dill et al.): the senders' corrupted outputs reach the receivers only by
 * the direct edges between them; every other edge stays clean. Receivers are readers (`L1H0.k`, `mlp1`,
 * `logits`) or heads (`L1H0`: its q, k and v).
 */
export async function pathPatching(runner: EdgeRunner, senders: readonly string[], receivers: readonly string[], metric: MetricName): Promise<PathPatchingResult> {
  const { graph, nW } = runner;
  const wIdx = senders.map((s) => {
    const i = graph.writers.indexOf(s);
    if (i < 0) throw new Error(`path patching: unknown sender ${s} (writers: embed, L{l}H{h}, mlp{l})`);
    return i;
  });
  const rIdx = receivers.flatMap((r) => {
    const direct = graph.readers.indexOf(r);
    if (direct >= 0) return [direct];
    const qkv = ['q', 'k', 'v'].map((s) => graph.readers.indexOf(`${r}.${s}`));
    if (qkv.some((i) => i < 0)) throw new Error(`path patching: unknown receiver ${r} (readers: L{l}H{h}[.q|.k|.v], mlp{l}, logits)`);
    return qkv;
  });
  const mask = runner.fullMask(1);
  const edges: { from: string; to: string }[] = [];
  for (const r of rIdx) for (const w of wIdx) {
    if (w >= graph.fanIn[r]!) continue;
    (mask.data as Float32Array)[r * nW + w] = 0;
    edges.push({ from: graph.writers[w]!, to: graph.readers[r]! });
  }
  if (edges.length === 0) throw new Error('path patching: no edge runs from these senders to these receivers (a sender must come before its receiver)');
  const value = await runner.metric(mask, metric);
  const { clean, corrupt } = await runner.baselines(metric);
  return { metric: value, clean, corrupt, normalized: corrupt === clean ? 0 : (value - clean) / (corrupt - clean), edges };
}
