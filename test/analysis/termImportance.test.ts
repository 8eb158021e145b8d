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

for (const [L, norm, pos] of [[1, null, 'standard'], [2, null, 'standard'], [2, 'LN', 'standard'], [2, 'LNPre', 'standard'], [2, 'LN', 'shortformer'], [2, 'LN', 'rotary']] as const) {
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

test('removing every virtual head at once equals layer 1 reading only the direct path through its values', async () => {
  // No LayerNorm: layer-1 values computed from embed + pos + b_O(0) instead of the whole resid_mid, patterns kept.
  const m = randomize(new HookedTransformer({ n_layers: 2, d_model: 12, n_heads: 3, d_head: 4, d_vocab: 13, n_ctx: 8, attn_only: true, normalization_type: null, init_range: 0.7, seed: 8 }));
  const tokens = [[1, 5, 2, 8, 3, 5, 2], [0, 12, 4, 4, 7, 1, 9]];
  const r = await termImportance(m, tokens);
  const { cache } = await m.runWithCache(tokens, { names: ['hook_embed', 'hook_pos_embed'] });
  const [B, T, D] = cache.get('hook_embed').shape as [number, number, number];
  const { n_heads: H, d_head: E } = m.cfg;
  const w = (k: string) => m.weights[k]!.data as Float32Array;
  const emb = cache.get('hook_embed').data as Float32Array;
  const pos = cache.get('hook_pos_embed').data as Float32Array;
  const bO0 = w('blocks.0.attn.b_O');
  const WV = w('blocks.1.attn.W_V'); // [H, D, E]
  const bV = w('blocks.1.attn.b_V'); // [H, E]
  const v = new Float32Array(B * T * H * E); // hook_v: [B, T, H, E]
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let h = 0; h < H; h++) for (let e = 0; e < E; e++) {
    let s = bV[h * E + e]!;
    for (let d = 0; d < D; d++) {
      const x = emb[(b * T + t) * D + d]! + pos[(b * T + t) * D + d]! + bO0[d]!;
      s += x * WV[(h * D + d) * E + e]!;
    }
    v[((b * T + t) * H + h) * E + e] = s;
  }
  const patched = await m.runWithInterventions(tokens, [{ hook: 'blocks.1.attn.hook_v', kind: 'patch', source: { dtype: 'float32', shape: [B, T, H, E], data: v } }]);
  assert.ok(Math.abs(patched.loss - r.loss - r.byKind.virtual!) < 1e-4, `patched ${patched.loss - r.loss} vs byKind ${r.byKind.virtual}`);
  // and removing one term of a kind that has only that term equals its own removal
  assert.ok(Math.abs(r.byKind.direct! - r.terms.find((t) => t.kind === 'direct')!.lossIncrease) < 1e-6);
});

test('the loss by order: the direct path alone is the model with every head zeroed and the final LayerNorm frozen', async () => {
  const m = randomize(new HookedTransformer({ n_layers: 2, d_model: 12, n_heads: 3, d_head: 4, d_vocab: 13, n_ctx: 8, attn_only: true, normalization_type: 'LN', init_range: 0.7, seed: 8 }));
  const tokens = [[1, 5, 2, 8, 3, 5, 2], [0, 12, 4, 4, 7, 1, 9]];
  const r = await termImportance(m, tokens);
  const { cache } = await m.runWithCache(tokens, { names: ['ln_final.hook_scale'] });
  const scale = cache.get('ln_final.hook_scale') as import('../../src/engine/tensor.js').Tensor<'float32'>;
  // hook_z zeroed leaves each layer's b_O, which the direct path keeps.
  const directOnly = await m.runWithInterventions(tokens, [
    { hook: 'blocks.0.attn.hook_z', kind: 'zero' }, { hook: 'blocks.1.attn.hook_z', kind: 'zero' },
    { hook: 'ln_final.hook_scale', kind: 'patch', source: scale },
  ]);
  assert.ok(Math.abs(directOnly.loss - r.byOrder.direct) < 1e-4, `ablated ${directOnly.loss} vs byOrder ${r.byOrder.direct}`);
  assert.ok(Math.abs(r.byOrder.head - (r.expansionLoss + r.byKind.virtual!)) < 1e-5);
  assert.equal(r.byOrder.virtual, r.expansionLoss);
  assert.ok(Math.abs(r.byOrder.direct - r.byOrder.virtual!) > 0.01, 'the heads change the loss here: the check is not vacuous');
});
