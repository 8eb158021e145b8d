import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { termImportance } from '../../src/analysis/termImportance.js';

installNodeRuntime();

function randomize(m: HookedTransformer): HookedTransformer {
  let s = 1;
  for (const [k, t] of Object.entries(m.weights)) {
    if (k.includes('.b_') || k.endsWith('.b')) for (let i = 0; i < t.data.length; i++) t.data[i] = Math.sin(s++) * 0.2;
    if (k.endsWith('.w')) for (let i = 0; i < t.data.length; i++) t.data[i] = 1 + Math.cos(s++) * 0.3;
  }
  return m;
}

for (const [L, norm, pos] of [[1, null, 'standard'], [2, null, 'standard'], [2, 'LN', 'standard'], [2, 'LNPre', 'standard'], [2, 'LN', 'shortformer']] as const) {
  test(`path expansion reproduces the model exactly (${L} layers, ${norm ?? 'no LN'}, ${pos}) and ranks terms`, async () => {
    const m = randomize(new HookedTransformer({ n_layers: L, d_model: 12, n_heads: 3, d_head: 4, d_vocab: 13, n_ctx: 8, attn_only: true, normalization_type: norm, positional_embedding_type: pos, init_range: 0.7, seed: 21 }));
    const tokens = [[1, 5, 2, 8, 3, 5, 2], [0, 12, 4, 4, 7, 1, 9]];
    const r = await termImportance(m, tokens);
    assert.ok(Math.abs(r.loss - r.expansionLoss) < 1e-4, `model ${r.loss} vs expansion ${r.expansionLoss}`);
    assert.equal(r.terms.length, 1 + L * 3 + (L === 2 ? 9 : 0));
    assert.equal(r.terms.filter((t) => t.kind === 'virtual').length, L === 2 ? 9 : 0);
  });
}

test('removing a term equals zero-ablating that head when it is the only path', async () => {
  // One layer: the term of head h is exactly what zero-ablating its z removes (with b_V folded into the term).
  const m = new HookedTransformer({ n_layers: 1, d_model: 12, n_heads: 3, d_head: 4, d_vocab: 13, n_ctx: 8, attn_only: true, normalization_type: null, init_range: 0.7, seed: 5 });
  const tokens = [[1, 5, 2, 8, 3, 5, 2]];
  const r = await termImportance(m, tokens);
  const ablated = await m.runWithInterventions(tokens, [{ hook: 'blocks.0.attn.hook_z', kind: 'zero', heads: [1] }]);
  const term = r.terms.find((t) => t.name === 'L0H1')!;
  assert.ok(Math.abs(ablated.loss - r.loss - term.lossIncrease) < 1e-4);
});
