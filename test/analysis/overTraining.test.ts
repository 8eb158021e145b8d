import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { analyzeOverTraining } from '../../src/analysis/overTraining.js';
import { detectHeads } from '../../src/analysis/detectors.js';

installNodeRuntime();

const cfg = { n_layers: 2, d_model: 16, n_heads: 2, d_head: 8, d_vocab: 20, n_ctx: 12, attn_only: true, normalization_type: 'LN' as const };

test('heads and loss over checkpoints: one value per step for each head and the held-out loss, in step order', async () => {
  const models = new Map([[40, new HookedTransformer({ ...cfg, seed: 2 })], [0, new HookedTransformer({ ...cfg, seed: 1 })]]);
  const heldOut = [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7]];
  const loaded: number[] = [];
  const r = await analyzeOverTraining([...models].map(([step, m]) => ({ step, load: async () => { loaded.push(step); return m; } })), { analyses: ['heads', 'loss'], heldOut });
  assert.deepEqual(r.steps, [0, 40]);
  assert.deepEqual(loaded, [0, 40]);
  assert.equal(Object.keys(r.series).length, 3 * 4 + 1);
  for (const [i, step] of r.steps.entries()) {
    const m = models.get(step)!;
    const d = await detectHeads(m, { batch: 4 });
    assert.equal(r.series['induction L1H1']![i], d.induction[1]![1]);
    assert.equal(r.series['previous_token L0H0']![i], d.previousToken[0]![0]);
    // The held-out loss is the mean next-token loss of the rows cut to n_ctx.
    const per = await m.loss(heldOut.map((row) => row.slice(0, 12)), { perToken: true });
    const mean = Array.from(per.data).reduce((s, v) => s + v, 0) / per.data.length;
    assert.ok(Math.abs(r.series['held_out_loss']![i]! - mean) < 1e-5);
  }
  await assert.rejects(analyzeOverTraining([{ step: 0, load: async () => models.get(0)! }], { analyses: ['loss'] }), /'loss' needs held-out token rows/);
  await assert.rejects(analyzeOverTraining([], { analyses: ['heads'] }), /no checkpoints/);
});
