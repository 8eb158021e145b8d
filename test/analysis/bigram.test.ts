import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { bigramCounts, compareBigrams, pearson, ranks } from '../../src/analysis/bigram.js';
import { Rng } from '../../src/engine/index.js';

installNodeRuntime();

test('pearson and ranks on known cases', () => {
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [2, 4, 6, 8]) - 1) < 1e-12);
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [8, 6, 4, 2]) + 1) < 1e-12);
  assert.deepEqual(Array.from(ranks([10, 30, 20, 20])), [1, 4, 2.5, 2.5]);
  assert.deepEqual(Array.from(bigramCounts([0, 1, 0, 1, 1], 2)), [0, 2, 1, 1]);
});

test('a zero-layer model whose W_E W_U holds the log-bigram table tracks it exactly', async () => {
  // With d_model = d_vocab, W_E = I and no LayerNorm, the logits of token a are row a of W_U: set it to the
  // empirical log-probabilities and the comparison must show correlation 1 and KL ~0.
  const V = 5;
  const m = new HookedTransformer({ n_layers: 0, d_model: V, n_heads: 1, d_head: V, d_vocab: V, n_ctx: 4, attn_only: true, normalization_type: null, seed: 0 });
  const rng = new Rng(3);
  const stream = Array.from({ length: 4000 }, () => rng.int(V));
  for (let i = 1; i < stream.length; i++) if (stream[i - 1] === 2) stream[i] = 3; // a strong bigram
  const counts = bigramCounts(stream, V);
  const WU = new Float32Array(V * V);
  for (let a = 0; a < V; a++) {
    let total = 0;
    for (let b = 0; b < V; b++) total += counts[a * V + b]! + 0.1;
    for (let b = 0; b < V; b++) WU[a * V + b] = Math.log((counts[a * V + b]! + 0.1) / total);
  }
  m.weights['embed.W_E'] = { dtype: 'float32', shape: [V, V], data: Float32Array.from({ length: V * V }, (_, i) => (Math.floor(i / V) === i % V ? 1 : 0)) };
  m.weights['unembed.W_U'] = { dtype: 'float32', shape: [V, V], data: WU };
  m.weights['pos_embed.W_pos'] = { dtype: 'float32', shape: [4, V], data: new Float32Array(4 * V) };
  const r = await compareBigrams(m, stream, { topTokens: V, minCount: 1 });
  assert.ok(r.pearson > 0.9999, `pearson ${r.pearson}`);
  assert.ok(r.spearman > 0.99, `spearman ${r.spearman}`);
  assert.ok(r.kl < 1e-6, `kl ${r.kl}`);
  assert.equal(r.topPredictions.find((p) => p.token === 2)!.next[0]!.token, 3);
});
