import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';

installNodeRuntime();

const model = () => new HookedTransformer({ n_layers: 2, d_model: 16, n_heads: 2, d_head: 8, d_mlp: 32, d_vocab: 21, n_ctx: 10, act_fn: 'gelu_new', init_range: 0.8, seed: 13 });

test('greedy generation follows the argmax of a full run at every step', async () => {
  const m = model();
  const { tokens } = await m.generate([3, 1, 4], { maxNewTokens: 5, temperature: 0 });
  assert.equal(tokens.length, 8);
  for (let i = 3; i < tokens.length; i++) {
    const logits = await m.run([tokens.slice(0, i)]);
    const V = 21;
    const row = Array.from(logits.data.subarray((i - 1) * V, i * V));
    assert.equal(tokens[i], row.indexOf(Math.max(...row)), `step ${i}`);
  }
});

test('sampling is reproducible from its seed, and topK 1 is greedy', async () => {
  const m = model();
  const a = await m.generate([2, 2], { maxNewTokens: 12, temperature: 1, seed: 4 });
  const b = await m.generate([2, 2], { maxNewTokens: 12, temperature: 1, seed: 4 });
  assert.deepEqual(a.tokens, b.tokens);
  assert.equal(a.tokens.length, 14, 'past n_ctx the window slides');
  const greedy = await m.generate([2, 2], { maxNewTokens: 6, temperature: 0 });
  const top1 = await m.generate([2, 2], { maxNewTokens: 6, temperature: 1.5, topK: 1, seed: 9 });
  assert.deepEqual(top1.tokens, greedy.tokens);
});

test('QK and OV are FactoredMatrix whose products are W_Q W_K^T and W_V W_O of that head', () => {
  const m = model();
  const { d_model: D, d_head: E } = m.cfg;
  const qk = m.QK(1, 1);
  const WQ = m.W_Q;
  const WK = m.W_K;
  assert.deepEqual(WQ.shape, [2, 2, D, E]);
  assert.deepEqual(qk.shape, [D, D]);
  for (const [i, j] of [[0, 0], [3, 7], [15, 2]] as const) {
    let want = 0;
    for (let e = 0; e < E; e++) want += WQ.data[((1 * 2 + 1) * D + i) * E + e]! * WK.data[((1 * 2 + 1) * D + j) * E + e]!;
    assert.ok(Math.abs(want - qk.get(i, j)) < 1e-6);
  }
  const ov = m.OV(0, 1);
  assert.deepEqual([ov.B.rows, ov.B.cols], [E, D]);
  assert.deepEqual(Array.from(ov.B.data), Array.from(m.W_O.data.subarray((0 * 2 + 1) * E * D, (0 * 2 + 2) * E * D)));
  const WV = m.W_V;
  const WO = m.W_O;
  for (const [i, j] of [[1, 4], [9, 0]] as const) {
    let want = 0;
    for (let e = 0; e < E; e++) want += WV.data[((0 * 2 + 1) * D + i) * E + e]! * WO.data[((0 * 2 + 1) * E + e) * D + j]!;
    assert.ok(Math.abs(want - ov.get(i, j)) < 1e-6);
  }
  const layer = m.OV(1);
  assert.equal(layer.length, 2);
  assert.equal(layer[1]!.get(2, 3), m.OV(1, 1).get(2, 3));
  assert.throws(() => m.QK(2, 0), /layer 2 is out of range/);
  assert.throws(() => m.QK(2), /layer 2 is out of range/);
});
