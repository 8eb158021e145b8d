import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { logitLens } from '../../src/analysis/logitLens.js';

installNodeRuntime();

function logProbs(row: ArrayLike<number>): number[] {
  const xs = Array.from(row);
  const max = Math.max(...xs);
  const lse = max + Math.log(xs.reduce((s, v) => s + Math.exp(v - max), 0));
  return xs.map((v) => v - lse);
}

test('the logit lens at the last layer is the model itself; at layer 0 it is the embedding read directly', async () => {
  const m = new HookedTransformer({ n_layers: 2, d_model: 12, n_heads: 3, d_head: 4, d_mlp: 16, d_vocab: 15, n_ctx: 8, act_fn: 'relu', normalization_type: 'LN', init_range: 0.6, seed: 8 });
  const tokens = [[1, 4, 2, 9, 3], [7, 7, 0, 14, 2]];
  const lens = await logitLens(m, tokens);
  assert.deepEqual(lens.layers, ['blocks.0.hook_resid_pre', 'blocks.1.hook_resid_pre', 'blocks.1.hook_resid_post']);
  const logits = await m.run(tokens);
  const V = 15;
  const T = 5;
  for (let p = 0; p < T - 1; p++) {
    let want = 0;
    for (let b = 0; b < 2; b++) want += logProbs(logits.data.subarray((b * T + p) * V, (b * T + p + 1) * V))[tokens[b]![p + 1]!]! / 2;
    assert.ok(Math.abs(lens.correctLogProb[2]![p]! - want) < 1e-4, `pos ${p}`);
  }
  for (let b = 0; b < 2; b++) for (let p = 0; p < T; p++) {
    const row = Array.from(logits.data.subarray((b * T + p) * V, (b * T + p + 1) * V));
    assert.equal(lens.top[2]![b]![p], row.indexOf(Math.max(...row)));
  }
  // Layer 0 by hand: LayerNorm (fresh scale) of W_E[tok] + W_pos[p], then W_U.
  const D = 12;
  const WE = m.weights['embed.W_E']!.data;
  const WP = m.weights['pos_embed.W_pos']!.data;
  const WU = m.weights['unembed.W_U']!.data;
  const lw = m.weights['ln_final.w']!.data;
  const lb = m.weights['ln_final.b']!.data;
  const bU = m.weights['unembed.b_U']!.data;
  let want0 = 0;
  for (let b = 0; b < 2; b++) {
    const x = Array.from({ length: D }, (_, d) => WE[tokens[b]![1]! * D + d]! + WP[1 * D + d]!);
    const mean = x.reduce((s, v) => s + v, 0) / D;
    const c = x.map((v) => v - mean);
    const scale = Math.sqrt(c.reduce((s, v) => s + v * v, 0) / D + 1e-5);
    const n = c.map((v, d) => (v / scale) * lw[d]! + lb[d]!);
    const lg = Array.from({ length: V }, (_, v) => n.reduce((s, nv, d) => s + nv * WU[d * V + v]!, bU[v]!));
    want0 += logProbs(lg)[tokens[b]![2]!]! / 2;
  }
  assert.ok(Math.abs(lens.correctLogProb[0]![1]! - want0) < 1e-4);
});

test('the logit lens of a zero-layer model has no layers to read (and does not fail)', async () => {
  const m = new HookedTransformer({ n_layers: 0, d_model: 8, n_heads: 1, d_head: 8, d_vocab: 9, n_ctx: 6, attn_only: true, seed: 1 });
  const lens = await logitLens(m, [[1, 2, 3, 4]]);
  assert.deepEqual(lens, { layers: [], correctLogProb: [], top: [] });
});
