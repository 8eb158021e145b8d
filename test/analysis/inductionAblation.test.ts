import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { inductionAblation } from '../../src/analysis/inductionAblation.js';
import { repeatedTokensEvalSet } from '../../src/data/repeatedTokens.js';
import { handBuiltInduction, T, V } from './discovery/handBuilt.js';

installNodeRuntime();

// The hand-built model: L0H0 is the previous-token head that L1H0 (the induction head) reads through K; L0H1 is a
// distractor writing where nothing reads.
const model = handBuiltInduction();

test('ablating the previous-token head destroys the induction head and raises the loss on repeated tokens', async () => {
  const r = await inductionAblation(model, { layer: 0, head: 0 }, { layer: 1, head: 0 });
  // Random tokens from a 10-token vocabulary repeat within a copy, which splits the induction attention (0.60).
  assert.ok(r.inductionScore.clean > 0.5, `clean score ${r.inductionScore.clean}`);
  assert.ok(r.inductionScore.ablated < r.inductionScore.clean / 3, `ablated score ${r.inductionScore.ablated}`);
  assert.ok(r.repeatedLoss.ablated > r.repeatedLoss.clean + 0.5, `loss ${r.repeatedLoss.clean} -> ${r.repeatedLoss.ablated}`);
  // The distractor matters to nothing the model reads: the same numbers.
  const d = await inductionAblation(model, { layer: 0, head: 1 }, { layer: 1, head: 0 });
  assert.ok(Math.abs(d.inductionScore.ablated - d.inductionScore.clean) < 1e-5);
  assert.ok(Math.abs(d.repeatedLoss.ablated - d.repeatedLoss.clean) < 1e-5);
});

test('zero ablation through hooks equals the compiled zero-ablation intervention', async () => {
  const r = await inductionAblation(model, { layer: 0, head: 0 }, { layer: 1, head: 0 }, { kind: 'zero', seed: 3 });
  const N = T / 2;
  const { tokens } = repeatedTokensEvalSet({ batch: 8, length: N, dVocab: V, bosTokenId: null, seed: 3 });
  const { logits } = await model.runWithInterventions(tokens, [{ hook: 'blocks.0.attn.hook_z', kind: 'zero', heads: [0] }]);
  const want = repeatedHalfLoss(logits, tokens, 8);
  assert.ok(Math.abs(r.repeatedLoss.ablated - want) < 1e-4, `${r.repeatedLoss.ablated} vs ${want}`);
  await assert.rejects(inductionAblation(model, { layer: 2, head: 0 }, { layer: 1, head: 0 }), /ablated L2H0 is not a head of this 2-layer, 2-head model/);
  await assert.rejects(inductionAblation(model, [], { layer: 1, head: 0 }), /no head to ablate/);
});

/** Mean next-token loss over positions [N, T - 1) of `[batch, T, V]` logits, by hand. */
function repeatedHalfLoss(logits: { data: Float32Array }, tokens: readonly (readonly number[])[], B: number): number {
  const N = T / 2;
  let s = 0;
  for (let b = 0; b < B; b++) {
    for (let p = N; p < T - 1; p++) {
      const row = Array.from(logits.data.subarray((b * T + p) * V, (b * T + p + 1) * V));
      const m = Math.max(...row);
      s += m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0)) - row[tokens[b]![p + 1]!]!;
    }
  }
  return s / (B * (N - 1));
}

test('mean ablation of several heads uses their means over a reference batch, as the compiled intervention does', async () => {
  const N = T / 2;
  const heads = [{ layer: 0, head: 0 }, { layer: 0, head: 1 }];
  const r = await inductionAblation(model, heads, { layer: 1, head: 0 }, { seed: 5, referenceBatch: 16 });
  assert.deepEqual(r.ablated, heads);
  // The reference: 16 rows of the same probe drawn with the next seed, each head's hook_z averaged over them by hand.
  const ref = repeatedTokensEvalSet({ batch: 16, length: N, dVocab: V, bosTokenId: null, seed: 6 }).tokens;
  const { cache } = await model.runWithCache(ref, { names: ['blocks.0.attn.hook_z'] });
  const z = cache.get('blocks.0.attn.hook_z');
  const [B, P, H, D] = z.shape as [number, number, number, number];
  const means = new Float32Array(P * H * D);
  for (let b = 0; b < B; b++) for (let i = 0; i < P * H * D; i++) means[i] = means[i]! + z.data[b * P * H * D + i]! / B;
  const { tokens } = repeatedTokensEvalSet({ batch: 8, length: N, dVocab: V, bosTokenId: null, seed: 5 });
  const { logits } = await model.runWithInterventions(tokens, [{ hook: 'blocks.0.attn.hook_z', kind: 'mean', heads: [0, 1], means: { dtype: 'float32', shape: [1, P, H, D], data: means } }]);
  const want = repeatedHalfLoss(logits, tokens, 8);
  assert.ok(Math.abs(r.repeatedLoss.ablated - want) < 1e-4, `${r.repeatedLoss.ablated} vs ${want}`);
  // The distractor L0H1 writes where nothing reads, so ablating it beside the previous-token head changes nothing.
  const alone = await inductionAblation(model, { layer: 0, head: 0 }, { layer: 1, head: 0 }, { seed: 5, referenceBatch: 16 });
  assert.ok(Math.abs(alone.inductionScore.ablated - r.inductionScore.ablated) < 1e-5);
  assert.ok(Math.abs(alone.repeatedLoss.ablated - r.repeatedLoss.ablated) < 1e-5);
  assert.ok(r.inductionScore.ablated < r.inductionScore.clean / 3, `ablated score ${r.inductionScore.ablated}`);
});
