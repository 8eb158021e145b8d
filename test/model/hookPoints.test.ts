import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { hookAxes, hookNames } from '../../src/model/hookPoints.js';
import { weightShapes } from '../../src/model/weights.js';
import { forward } from '../../src/model/forward.js';
import { input, type Node } from '../../src/engine/index.js';
import type { ConfigInput } from '../../src/model/config.js';

// Every architecture the model supports: attention-only or with MLPs, LN / LNPre / none, each activation
// function, shortformer positions, zero layers.
installNodeRuntime();

const BASE = { d_model: 8, n_heads: 2, d_head: 4, d_vocab: 11, n_ctx: 6, seed: 1 };
const ARCHS: Record<string, ConfigInput> = {
  'attn-only LN': { ...BASE, n_layers: 2, attn_only: true, normalization_type: 'LN' },
  'attn-only LNPre': { ...BASE, n_layers: 1, attn_only: true, normalization_type: 'LNPre' },
  'attn-only no norm': { ...BASE, n_layers: 2, attn_only: true, normalization_type: null },
  'attn-only shortformer': { ...BASE, n_layers: 2, attn_only: true, normalization_type: 'LN', positional_embedding_type: 'shortformer' },
  'gelu LN': { ...BASE, n_layers: 2, d_mlp: 16, act_fn: 'gelu', normalization_type: 'LN' },
  'gelu_new LNPre': { ...BASE, n_layers: 1, d_mlp: 16, act_fn: 'gelu_new', normalization_type: 'LNPre' },
  'relu no norm': { ...BASE, n_layers: 1, d_mlp: 16, act_fn: 'relu', normalization_type: null },
  'zero layers': { ...BASE, n_layers: 0, attn_only: true, normalization_type: 'LN' },
  // Hugging Face architectures, with TransformerLens's names for their parts.
  'llama: RMS, rotary, gated MLP, grouped-query': {
    ...BASE, n_layers: 2, d_mlp: 16, act_fn: 'silu', normalization_type: 'RMS', positional_embedding_type: 'rotary', gated_mlp: true, n_key_value_heads: 1,
  },
  'gpt-neox: parallel attention and MLP, partial rotary': {
    ...BASE, n_layers: 2, d_mlp: 16, act_fn: 'gelu', normalization_type: 'LN', positional_embedding_type: 'rotary', rotary_dim: 2, parallel_attn_mlp: true,
  },
  'gemma 2: post norms, soft caps, alternating local attention': {
    ...BASE, n_layers: 2, d_mlp: 16, act_fn: 'gelu_pytorch_tanh', normalization_type: 'RMS', positional_embedding_type: 'rotary', gated_mlp: true,
    use_normalization_before_and_after: true, attn_scores_soft_cap: 5, output_logits_soft_cap: 3, use_local_attn: true, window_size: 2, attn_types: ['local', 'global'],
  },
  'gpt-neo: local attention, unscaled': {
    ...BASE, n_layers: 2, d_mlp: 16, act_fn: 'gelu_new', normalization_type: 'LN', use_attn_scale: false, use_local_attn: true, window_size: 2, attn_types: ['global', 'local'],
  },
};

/** TransformerLens's hook points for these configs, written out by hand (HookedTransformer with use_attn_result). */
function transformerLensNames(cfg: ConfigInput): string[] {
  const ln = cfg.normalization_type !== null;
  const rotary = cfg.positional_embedding_type === 'rotary';
  const post = cfg.use_normalization_before_and_after === true;
  const names = rotary ? ['hook_embed'] : ['hook_embed', 'hook_pos_embed'];
  for (let l = 0; l < (cfg.n_layers as number); l++) {
    const p = `blocks.${l}`;
    names.push(`${p}.hook_resid_pre`);
    if (ln) names.push(`${p}.ln1.hook_scale`, `${p}.ln1.hook_normalized`);
    const attn = ['hook_q', 'hook_k', 'hook_v', ...(rotary ? ['hook_rot_q', 'hook_rot_k'] : []), 'hook_attn_scores', 'hook_pattern', 'hook_z', 'hook_result'];
    names.push(...attn.map((n) => `${p}.attn.${n}`));
    if (post) names.push(`${p}.ln1_post.hook_scale`, `${p}.ln1_post.hook_normalized`);
    names.push(`${p}.hook_attn_out`);
    if (!cfg.attn_only) {
      if (!cfg.parallel_attn_mlp) names.push(`${p}.hook_resid_mid`);
      if (ln) names.push(`${p}.ln2.hook_scale`, `${p}.ln2.hook_normalized`);
      names.push(`${p}.mlp.hook_pre`, ...(cfg.gated_mlp ? [`${p}.mlp.hook_pre_linear`] : []), `${p}.mlp.hook_post`);
      if (post) names.push(`${p}.ln2_post.hook_scale`, `${p}.ln2_post.hook_normalized`);
      names.push(`${p}.hook_mlp_out`);
    }
    names.push(`${p}.hook_resid_post`);
  }
  if (ln) names.push('ln_final.hook_scale', 'ln_final.hook_normalized');
  return names;
}

/** The shape TransformerLens gives each activation, by its last name part, for batch B and T positions. */
function transformerLensShape(name: string, B: number, T: number, kvHeads: number): number[] {
  const { d_model: D, n_heads: H, d_head: E } = BASE;
  const K = kvHeads;
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  const table: Record<string, number[]> = {
    hook_q: [B, T, H, E], hook_k: [B, T, K, E], hook_v: [B, T, K, E], hook_z: [B, T, H, E], hook_result: [B, T, H, D],
    hook_rot_q: [B, T, H, E], hook_rot_k: [B, T, K, E], hook_pre_linear: [B, T, 16],
    hook_attn_scores: [B, H, T, T], hook_pattern: [B, H, T, T], hook_scale: [B, T, 1], hook_pre: [B, T, 16], hook_post: [B, T, 16],
  };
  return table[leaf] ?? [B, T, D];
}

for (const [arch, cfg] of Object.entries(ARCHS)) {
  test(`${arch}: the forward pass emits TransformerLens's hook points, with its shapes`, async () => {
    const model = new HookedTransformer(cfg);
    assert.deepEqual(hookNames(model.cfg), transformerLensNames(cfg));
    const B = 2;
    const T = 5;
    const tokens = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 3 + t * 2) % 11));
    const { cache } = await model.runWithCache(tokens, { names: () => true });
    assert.deepEqual([...cache.names].sort(), transformerLensNames(cfg).sort());
    for (const name of cache.names) {
      const kv = (cfg.n_key_value_heads as number | undefined) ?? BASE.n_heads;
      const shape = transformerLensShape(name, B, T, kv);
      assert.deepEqual(cache.get(name).shape, shape, name);
      const axes = hookAxes(name);
      assert.equal(axes.dims, shape.length, name);
      if (axes.head !== null) assert.equal(shape[axes.head], /hook_(k|v|rot_k)$/.test(name) ? kv : BASE.n_heads, name);
      assert.equal(shape[axes.pos], T, name);
    }
  });

  test(`${arch}: the forward pass reads exactly the weights weightShapes declares`, () => {
    const model = new HookedTransformer(cfg);
    const read = new Set<string>();
    const nodes = model.weightNodes();
    const w = new Proxy(nodes, { get: (t, k: string) => { read.add(k); return t[k]; } }) as Record<string, Node>;
    forward(model.cfg, w, input('tokens', [1, 3], 'int64'));
    assert.deepEqual([...read].sort(), Object.keys(weightShapes(model.cfg)).sort());
  });
}
