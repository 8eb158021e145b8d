import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { ablationView, attributionView, circuitsView, compositionView, promptIds, promptView, topIndices } from '../../src/analysis/views/index.js';

installNodeRuntime();

const model = () => new HookedTransformer({ n_layers: 2, d_model: 16, n_heads: 2, d_head: 8, d_vocab: 12, n_ctx: 10, attn_only: true, normalization_type: 'LN', seed: 3 });

test('promptIds reads ids for a model without a tokenizer, and says what is wrong', () => {
  const m = model();
  assert.deepEqual(promptIds(m, '[1, 5, 7]'), [1, 5, 7]);
  assert.throws(() => promptIds(m, '1 99'), /"99" is not a token id in 0..11/);
  assert.throws(() => promptIds(m, '3'), /at least two tokens/);
});

test('topIndices gives the k largest, largest first', () => {
  assert.deepEqual(topIndices([0.1, 5, -2, 3, 9, 3.5], 3), [4, 1, 5]);
});

test('promptView: per-token loss equals the model loss, ranks and attention equal the cache', async () => {
  const m = model();
  const ids = [1, 4, 2, 7, 1, 4, 2, 7];
  const v = await promptView(m, ids.join(' '), 3);
  const per = await m.loss([ids], { perToken: true });
  for (let p = 0; p < ids.length - 1; p++) assert.ok(Math.abs(v.loss[p]! - per.data[p]!) < 1e-4);
  assert.equal(v.loss[ids.length - 1], null);
  const logits = await m.run([ids]);
  const V = 12;
  for (let p = 0; p < ids.length - 1; p++) {
    const row = Array.from(logits.data.subarray(p * V, (p + 1) * V));
    const sorted = [...row].sort((a, b) => b - a);
    assert.equal(v.predictions[p]!.top[0]!.id, row.indexOf(sorted[0]!));
    assert.equal(v.predictions[p]!.rank, sorted.indexOf(row[ids[p + 1]!]!));
  }
  const { cache } = await m.runWithCache([ids]);
  const pat = cache.get('blocks.1.attn.hook_pattern');
  assert.ok(Math.abs(v.attention[1]![1]![5]![2]! - pat.data[(1 * 8 + 5) * 8 + 2]!) < 1e-7);
  assert.deepEqual(v.headLabels, [['L0H0', 'L0H1'], ['L1H0', 'L1H1']]);
});

test('circuitsView: QK over tokens is W_E W_Q W_K^T W_E^T, computed by hand', async () => {
  const m = model();
  const v = await circuitsView(m, 1, 0, '3 5 9');
  assert.deepEqual(v.ids, [3, 5, 9]);
  const { d_model: D, d_head: E, n_heads: H } = m.cfg;
  const WE = m.W_E.data;
  const WQ = m.W_Q.data;
  const WK = m.W_K.data;
  const q = (tok: number, e: number) => { let s = 0; for (let d = 0; d < D; d++) s += WE[tok * D + d]! * WQ[((1 * H + 0) * D + d) * E + e]!; return s; };
  const k = (tok: number, e: number) => { let s = 0; for (let d = 0; d < D; d++) s += WE[tok * D + d]! * WK[((1 * H + 0) * D + d) * E + e]!; return s; };
  let want = 0;
  for (let e = 0; e < E; e++) want += q(5, e) * k(9, e);
  assert.ok(Math.abs(v.qk[1]![2]! - want) < 1e-4, `${v.qk[1]![2]} vs ${want}`);
  assert.ok(Number.isNaN(v.positional[0]![1]!));
});

test('ablationView: zero-ablating a head equals runWithInterventions; compositionView labels heads', async () => {
  const m = model();
  const text = '1 4 2 7 1 4 2 7';
  const a = await ablationView(m, text, 0, 1, 'zero');
  const r = await m.runWithInterventions([[1, 4, 2, 7, 1, 4, 2, 7]], [{ hook: 'blocks.0.attn.hook_z', kind: 'zero', heads: [1] }]);
  assert.ok(Math.abs(a.ablatedLoss - r.loss) < 1e-4);
  assert.ok(Math.abs(a.cleanLoss - Number((await m.loss([[1, 4, 2, 7, 1, 4, 2, 7]])).data[0])) < 1e-4);
  const c = await compositionView(m, text);
  assert.deepEqual(c.heads, ['L0H0', 'L0H1', 'L1H0', 'L1H1']);
  assert.ok(c.terms && c.terms.some((t) => t.name === 'L1H0<-L0H1'));
  const at = await attributionView(m, text);
  assert.equal(at.lensTop.length, 3);
  assert.equal(at.components.filter((x) => /^L\dH\d$/.test(x.component)).length, 4);
});
