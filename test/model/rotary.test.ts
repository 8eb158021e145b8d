// Rotary embeddings against their closed form, written out per pair: GPT-NeoX / Llama's rotate_half layout pairs
// dimension i with i + R/2, GPT-J's adjacent layout pairs 2i with 2i + 1; angle = pos / base^(2i / R); dimensions
// from rotary_dim on pass through unchanged. hook_rot_q / hook_rot_k are compared with hook_q / hook_k rotated by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';

installNodeRuntime();

function rotateByHand(x: ArrayLike<number>, shape: readonly number[], R: number, base: number, adjacent: boolean): Float64Array {
  const [B, T, H, E] = shape as [number, number, number, number];
  const out = Float64Array.from(x as ArrayLike<number>);
  for (let b = 0; b < B; b++) for (let p = 0; p < T; p++) for (let h = 0; h < H; h++) {
    const o = ((b * T + p) * H + h) * E;
    for (let i = 0; i < R / 2; i++) {
      const a = p / base ** ((2 * i) / R);
      const [j, k] = adjacent ? [2 * i, 2 * i + 1] : [i, i + R / 2];
      const xj = x[o + j]!;
      const xk = x[o + k]!;
      out[o + j] = xj * Math.cos(a) - xk * Math.sin(a);
      out[o + k] = xk * Math.cos(a) + xj * Math.sin(a);
    }
  }
  return out;
}

for (const adjacent of [false, true]) {
  for (const R of [8, 4]) {
    test(`rotary (${adjacent ? 'adjacent pairs, GPT-J' : 'rotate_half, GPT-NeoX'}; rotary_dim ${R} of 8): hook_rot_q/k are hook_q/k rotated`, async () => {
      const base = 37;
      const model = new HookedTransformer({
        n_layers: 1, d_model: 16, n_heads: 2, d_vocab: 13, n_ctx: 9, attn_only: true, normalization_type: 'RMS',
        positional_embedding_type: 'rotary', rotary_dim: R, rotary_base: base, rotary_adjacent_pairs: adjacent, n_key_value_heads: 1, seed: 4,
      });
      const tokens = [[1, 4, 2, 8, 5, 7, 11, 3, 0]];
      const { cache } = await model.runWithCache(tokens, { names: () => true });
      for (const [raw, rot] of [['hook_q', 'hook_rot_q'], ['hook_k', 'hook_rot_k']]) {
        const x = cache.get(`blocks.0.attn.${raw}`);
        const want = rotateByHand(x.data as Float32Array, x.shape, R, base, adjacent);
        const got = cache.get(`blocks.0.attn.${rot}`);
        assert.deepEqual(got.shape, x.shape);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got.data[i]! - want[i]!));
        assert.ok(worst < 1e-5, `${rot}: worst ${worst}`);
        // Position 1, head 0, dimension 7: past rotary_dim when R = 4, so it passes through.
        if (R < 8) assert.equal(got.data[16 + 7], x.data[16 + 7], 'a dimension past rotary_dim passes through');
      }
    });
  }
}
