import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddingFrequencyShares, topShare } from '../../../src/analysis/grokking/frequencies.js';
import { sumSquaredWeights } from '../../../src/analysis/grokking/weightNorm.js';
import { HookedTransformer } from '../../../src/model/hookedTransformer.js';
import { weightShapes } from '../../../src/model/weights.js';

const cfg = { n_layers: 1, d_model: 8, n_heads: 2, d_head: 4, d_mlp: 16, d_vocab: 12, n_ctx: 3, act_fn: 'relu' as const, normalization_type: null, seed: 1 };

test('sum of squared weights by hand on a tiny model', () => {
  const model = new HookedTransformer(cfg);
  let count = 0;
  for (const [name, t] of Object.entries(model.weights)) {
    t.data.fill(name.endsWith('W_E') ? 2 : 0.5);
    count += name.endsWith('W_E') ? 0 : t.data.length;
  }
  const embed = 12 * 8; // W_E is [d_vocab, d_model]
  assert.equal(model.weights['embed.W_E']!.data.length, embed);
  assert.ok(Math.abs(sumSquaredWeights(model.weights) - (0.25 * count + 4 * embed)) < 1e-6);
  assert.ok(Object.keys(weightShapes(model.cfg)).length > 0);
});

test('an embedding made of frequencies 3 and 5 has its norm there, in proportion to the squared amplitudes', () => {
  const p = 11;
  const model = new HookedTransformer(cfg);
  const W = model.weights['embed.W_E']!;
  W.data.fill(0);
  for (let x = 0; x < p; x++) {
    W.data[x * 8 + 0] = 2 * Math.cos((2 * Math.PI * 3 * x) / p) + 0.7; // a constant part is left out of the shares
    W.data[x * 8 + 1] = Math.sin((2 * Math.PI * 5 * x) / p);
  }
  W.data[p * 8 + 4] = 9; // the '=' row is not a number: not in the Fourier transform
  const shares = embeddingFrequencyShares(model, p);
  assert.equal(shares.length, 5);
  assert.ok(Math.abs(shares[2]! - 0.8) < 1e-6, `k=3 share ${shares[2]}`);
  assert.ok(Math.abs(shares[4]! - 0.2) < 1e-6, `k=5 share ${shares[4]}`);
  assert.ok(Math.abs(topShare(shares, 2) - 1) < 1e-6);
});
