import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { directLogitAttribution } from '../../src/analysis/attribution.js';

installNodeRuntime();

function randomBiases(m: HookedTransformer): HookedTransformer {
  let s = 3;
  for (const [k, t] of Object.entries(m.weights)) {
    if (k.includes(".b_") || k.endsWith(".b")) for (let i = 0; i < t.data.length; i++) t.data[i] = Math.sin(s++) * 0.2;
    if (k.endsWith('.w')) for (let i = 0; i < t.data.length; i++) t.data[i] = 1 + Math.cos(s++) * 0.3;
  }
  return m;
}

for (const [normalization_type, pos] of [[null, 'standard'], ['LN', 'standard'], ['LNPre', 'standard'], ['LN', 'shortformer']] as const) {
  test(`direct logit attribution sums to the logit difference (${normalization_type ?? 'no LN'}, ${pos}, with MLPs)`, async () => {
    const m = randomBiases(new HookedTransformer({ n_layers: 2, d_model: 12, n_heads: 3, d_head: 4, d_mlp: 20, d_vocab: 17, n_ctx: 8, act_fn: 'gelu', normalization_type, positional_embedding_type: pos, init_range: 0.5, seed: 9 }));
    const tokens = [[1, 4, 9, 16, 3], [2, 2, 2, 2, 2]];
    const r = await directLogitAttribution(m, tokens, { position: 3, token: 5, against: 7, batch: 1 });
    assert.ok(Math.abs(r.total - r.logit) < 1e-4, `total ${r.total} vs logit ${r.logit}`);
    assert.equal(r.heads.length, 2);
    assert.equal(r.heads[0]!.length, 3);
    assert.equal(r.components.length, (pos === 'shortformer' ? 1 : 2) + 2 * (3 + 1 + 1));
  });
}

test('an ablated head loses exactly its direct attribution when nothing reads it', async () => {
  // Last layer, attention-only, no LN: removing a head changes the logit difference by its attribution.
  const m = new HookedTransformer({ n_layers: 2, d_model: 12, n_heads: 3, d_head: 4, d_vocab: 17, n_ctx: 8, attn_only: true, normalization_type: null, init_range: 0.5, seed: 4 });
  const tokens = [[1, 4, 9, 16, 3]];
  const r = await directLogitAttribution(m, tokens, { position: 4, token: 5, against: 6 });
  const ablated = await m.runWithInterventions(tokens, [{ hook: 'blocks.1.attn.hook_z', kind: 'zero', heads: [2] }]);
  const V = 17;
  const diff = ablated.logits.data[4 * V + 5]! - ablated.logits.data[4 * V + 6]!;
  assert.ok(Math.abs(r.logit - diff - r.heads[1]![2]!) < 1e-4);
});
