import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { logitLens, logitLensLogits } from '../../src/analysis/logitLens.js';
import { detectHead, detectHeads, detectionPattern } from '../../src/analysis/detectors.js';

installNodeRuntime();

test('logitLensLogits: the last layer is the model\'s logits, top-k agrees with the argmax', async () => {
  const m = new HookedTransformer({ n_layers: 2, d_model: 12, n_heads: 3, d_head: 4, d_mlp: 16, d_vocab: 15, n_ctx: 8, act_fn: 'relu', normalization_type: 'LN', init_range: 0.6, seed: 8 });
  const tokens = [[1, 4, 2, 9, 3], [7, 7, 0, 14, 2]];
  const lens = await logitLensLogits(m, tokens);
  assert.deepEqual(lens.logits!.shape, [3, 2, 5, 15]);
  const logits = await m.run(tokens);
  const n = logits.data.length;
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(lens.logits!.data[2 * n + i]! - logits.data[i]!));
  assert.ok(worst < 1e-4, `last layer vs model: ${worst}`);
  const top = await logitLensLogits(m, tokens, { topK: 3 });
  assert.equal(top.logits, null);
  assert.deepEqual(top.top!.values.shape, [3, 2, 5, 3]);
  const old = await logitLens(m, tokens);
  for (let l = 0; l < 3; l++) for (let b = 0; b < 2; b++) for (let p = 0; p < 5; p++) {
    assert.equal(top.top!.indices[((l * 2 + b) * 5 + p) * 3], old.top[l]![b]![p]);
  }
});

test('detectHead (TransformerLens) divides by every row; detectHeads averages the rows with a target', async () => {
  const m = new HookedTransformer({ n_layers: 2, d_model: 16, n_heads: 2, d_head: 8, d_vocab: 20, n_ctx: 16, attn_only: true, normalization_type: 'LN', init_range: 0.8, seed: 2 });
  const half = [[3, 9, 1, 14, 6, 11], [2, 8, 17, 5, 12, 0]];
  const rows = half.map((h) => [...h, ...h]);
  const ours = await detectHeads(m, { tokens: rows });
  const tl = await detectHead(m, rows, 'induction_head');
  const prev = await detectHead(m, rows, 'previous_token_head');
  const T = 12;
  const N = 6;
  for (let l = 0; l < 2; l++) for (let h = 0; h < 2; h++) {
    // Induction targets exist on the N rows of the second copy; TransformerLens divides by all T rows.
    assert.ok(Math.abs(tl[l]![h]! - (ours.induction[l]![h]! * N) / T) < 1e-5, `induction L${l}H${h}`);
    assert.ok(Math.abs(prev[l]![h]! - (ours.previousToken[l]![h]! * (T - 1)) / T) < 1e-5, `prev L${l}H${h}`);
  }
  // abs: a detection pattern equal to the head's own pattern scores exactly 1.
  const { cache } = await m.runWithCache([rows[0]!], { names: ['blocks.1.attn.hook_pattern'] });
  const p = cache.get('blocks.1.attn.hook_pattern').data;
  const own = () => Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => p[i * T + j]!));
  const abs = await detectHead(m, [rows[0]!], own, { errorMeasure: 'abs' });
  assert.equal(abs[1]![0], 1);
  assert.ok(abs[1]![1]! < 1);
  // exclude_bos: column 0 no longer counts in the denominator
  const d = detectionPattern('induction_head', [5, 6, 5, 6]);
  assert.deepEqual(d, [[0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]);
});
