import { exp, gather, gatherElements, input, logSoftmax, mul, reduceMean, reduceSum, reshape, sub, type Node, type Tensor } from '../../engine/index.js';
import { logSumExp } from '../../model/cache/host.js';

/** What a circuit is for: a number read off the logits at some (row, position) targets. */
export type MetricName = 'logit_diff' | 'logprob' | 'prob' | 'kl';

/** One prediction the task scores: at `pos` of prompt `batch`, the `answer` (and the `wrong` answer for logit_diff). */
export interface Target {
  batch: number;
  pos: number;
  answer: number;
  wrong?: number;
}

/**
 * The metric as a graph of the logits `[B, T, V]`, averaged over the targets: the answer's logit minus the wrong
 * answer's (`logit_diff`), its log-probability, its probability, or the KL divergence from the clean run's
 * distribution at the targets (`kl`: fed as `cleanLogProbs`). Inputs: `targetRows` `[K]`, `targetAnswer`,
 * `targetWrong` `[K, 1]`.
 */
export function metricNode(logits: Node, name: MetricName, K: number): Node {
  const [B, T, V] = logits.shape as [number, number, number];
  const rows = gather(reshape(logits, [B * T, V]), input('targetRows', [K], 'int64'));
  const pick = (x: Node, which: string) => reshape(gatherElements(x, input(which, [K, 1], 'int64'), 1), [K]);
  if (name === 'logit_diff') return reduceMean(sub(pick(rows, 'targetAnswer'), pick(rows, 'targetWrong')));
  const lp = logSoftmax(rows, -1);
  if (name === 'logprob') return reduceMean(pick(lp, 'targetAnswer'));
  if (name === 'prob') return reduceMean(exp(pick(lp, 'targetAnswer')));
  const clean = input('cleanLogProbs', [K, V]);
  return reduceMean(reduceSum(mul(exp(clean), sub(clean, lp)), -1));
}

/** Whether a larger value means the behaviour is more present (KL is a distance from the clean run: lower is better). */
export function higherIsBetter(name: MetricName): boolean {
  return name !== 'kl';
}

/** The metric's feeds for a list of targets (`cleanLogProbs` is added by the caller for KL). */
export function targetFeeds(targets: readonly Target[], T: number): Record<string, Tensor> {
  const K = targets.length;
  const rows = new BigInt64Array(K);
  const ans = new BigInt64Array(K);
  const wrong = new BigInt64Array(K);
  targets.forEach((t, i) => {
    rows[i] = BigInt(t.batch * T + t.pos);
    ans[i] = BigInt(t.answer);
    wrong[i] = BigInt(t.wrong ?? t.answer);
  });
  return {
    targetRows: { dtype: 'int64', shape: [K], data: rows },
    targetAnswer: { dtype: 'int64', shape: [K, 1], data: ans },
    targetWrong: { dtype: 'int64', shape: [K, 1], data: wrong },
  };
}

/** Log-probabilities at the targets' rows, `[K, V]`, from logits `[B, T, V]` (the clean distribution for KL). */
export function targetLogProbs(logits: Tensor<'float32'>, targets: readonly Target[]): Tensor<'float32'> {
  const [, T, V] = logits.shape as [number, number, number];
  const out = new Float32Array(targets.length * V);
  targets.forEach((t, i) => {
    const row = logits.data.subarray((t.batch * T + t.pos) * V, (t.batch * T + t.pos + 1) * V);
    const lse = logSumExp(row);
    for (let v = 0; v < V; v++) out[i * V + v] = row[v]! - lse;
  });
  return { dtype: 'float32', shape: [targets.length, V], data: out };
}
