import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { EdgeRunner, edgeAttributionPatching, edgeKey, inductionTask, type Ablation, type MetricName } from '../../../src/analysis/discovery/index.js';
import { smallGpt2 } from './smallModel.js';

installNodeRuntime();

/**
 * EAP's score of an edge is the derivative of the metric along the edge's patch: with the masked forward (each
 * reader's input `m out_w + (1 - m) ablate_w` per edge), score = -d metric / d m at m = 1. A central finite
 * difference of the masked forward, edge by edge, is an independent truth for the one-backward-pass scores
 * (LayerNorm with its scale recomputed per reader, MLPs, biases, the unembedding's rows and columns).
 */
async function checkAgainstFiniteDifferences(overrides: Record<string, unknown>, metric: MetricName, ablation: Ablation): Promise<void> {
  const model = smallGpt2(overrides);
  const task = inductionTask(model.cfg, { batch: 2, length: 5, seed: 3 });
  const runner = new EdgeRunner(model, task, ablation);
  const edges = await edgeAttributionPatching(runner, metric);
  const eps = 1e-2;
  let largest = 0;
  assert.equal(edges.length, runner.graph.edges.length);
  for (const [i, e] of edges.entries()) {
    const { r, w } = runner.graph.edges[i]!;
    const at = (m: number) => {
      const mask = runner.fullMask(1);
      mask.data[r * runner.nW + w] = m;
      return runner.metric(mask, metric);
    };
    const fd = ((await at(1 - eps)) - (await at(1 + eps))) / (2 * eps);
    largest = Math.max(largest, Math.abs(fd));
    assert.ok(Math.abs(e.score - fd) < 2e-3 + 1e-2 * Math.abs(fd), `${metric} ${ablation} ${edgeKey(e)}: EAP ${e.score} vs finite difference ${fd}`);
  }
  assert.ok(largest > 0.05, `the check needs edges that matter (largest effect ${largest})`);
}

test('EAP equals finite differences of the edge-masked forward (LayerNorm, MLPs, logit difference, resample)', async () => {
  await checkAgainstFiniteDifferences({}, 'logit_diff', 'resample');
});

test('EAP equals finite differences for log-probability under zero ablation, and with LNPre', async () => {
  await checkAgainstFiniteDifferences({}, 'logprob', 'zero');
  await checkAgainstFiniteDifferences({ normalization_type: 'LNPre' }, 'logit_diff', 'resample');
});

test('EAP equals finite differences on a shortformer attention-only model', async () => {
  await checkAgainstFiniteDifferences({ attn_only: true, d_mlp: 0, act_fn: null, positional_embedding_type: 'shortformer' }, 'logit_diff', 'resample');
});

test('a second runner on the same model reuses the compiled programs and gives the same scores', async () => {
  const model = smallGpt2();
  const task = inductionTask(model.cfg, { batch: 2, length: 5, seed: 3 });
  const a = await edgeAttributionPatching(new EdgeRunner(model, task), 'logit_diff');
  const b = await edgeAttributionPatching(new EdgeRunner(model, task), 'logit_diff');
  assert.deepEqual(b.map((e) => e.score), a.map((e) => e.score));
});
