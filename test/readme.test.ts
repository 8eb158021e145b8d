// The README's library example, run as written (against the package entry), so the docs cannot rot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HookedTransformer } from '../src/index.js';

test('the README library example works as written', async () => {
  const model = new HookedTransformer({
    n_layers: 2, d_model: 64, n_heads: 4, d_head: 16, d_vocab: 100, n_ctx: 32, attn_only: true, seed: 0,
  });
  const tokens = [[1, 5, 7, 9, 1, 5, 7, 9]];
  const logits = await model.run(tokens);
  assert.deepEqual(logits.shape, [1, 8, 100]);
  assert.ok(logits.data instanceof Float32Array);
  const { cache } = await model.runWithCache(tokens);
  const pattern = cache.get('blocks.1.attn.hook_pattern');
  assert.deepEqual(pattern.shape, [1, 4, 8, 8]);
  await model.runWithHooks(tokens, { 'blocks.0.attn.hook_z': (z) => z });
  const { loss } = await model.runWithInterventions(tokens, [{ hook: 'blocks.1.attn.hook_z', kind: 'zero', heads: [2] }]);
  assert.ok(Number.isFinite(loss));
  const { grads } = await model.gradients(tokens, ['blocks.1.hook_resid_pre']);
  assert.deepEqual(grads.get('blocks.1.hook_resid_pre').shape, [1, 8, 64]);
});
