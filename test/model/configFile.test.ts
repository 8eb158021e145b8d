// config.json is TransformerLens's: every key circuitscope writes is a field of HookedTransformerConfig (listed by
// hand below from TransformerLens 2.x's transformer_lens/HookedTransformerConfig.py), so
// `HookedTransformerConfig(**json.load(open('config.json')))` accepts it; circuitscope's own fields travel in
// model.safetensors' metadata and come back on reading; directories written before still read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig, type ConfigInput } from '../../src/model/config.js';
import { configToFile } from '../../src/model/import/configFile.js';
import { modelToFiles, readModelFiles, tokenizerFromFiles } from '../../src/model/import/modelFiles.js';
import { parseSafetensors, serializeSafetensors } from '../../src/model/safetensors.js';
import { initWeights } from '../../src/model/weights.js';

/** TransformerLens 2.x HookedTransformerConfig's dataclass fields (transformer_lens/HookedTransformerConfig.py). */
const TL_FIELDS = new Set([
  'n_layers', 'd_model', 'n_ctx', 'd_head', 'model_name', 'n_heads', 'd_mlp', 'act_fn', 'd_vocab', 'eps',
  'use_attn_result', 'use_attn_scale', 'attn_scale', 'use_split_qkv_input', 'use_hook_mlp_in', 'use_attn_in',
  'use_local_attn', 'ungroup_grouped_query_attention', 'original_architecture', 'from_checkpoint', 'checkpoint_index',
  'checkpoint_label_type', 'checkpoint_value', 'tokenizer_name', 'window_size', 'attn_types', 'init_mode',
  'normalization_type', 'device', 'n_devices', 'attention_dir', 'attn_only', 'seed', 'initializer_range',
  'init_weights', 'scale_attn_by_inverse_layer_idx', 'positional_embedding_type', 'final_rms', 'd_vocab_out',
  'parallel_attn_mlp', 'rotary_dim', 'n_params', 'use_hook_tokens', 'gated_mlp', 'default_prepend_bos', 'dtype',
  'tokenizer_prepends_bos', 'n_key_value_heads', 'post_embedding_ln', 'rotary_base', 'trust_remote_code',
  'rotary_adjacent_pairs', 'load_in_4bit', 'num_experts', 'experts_per_token', 'relative_attention_max_distance',
  'relative_attention_num_buckets', 'decoder_start_token_id', 'tie_word_embeddings', 'use_normalization_before_and_after',
  'attn_scores_soft_cap', 'output_logits_soft_cap', 'use_NTK_by_parts_rope', 'NTK_by_parts_low_freq_factor',
  'NTK_by_parts_high_freq_factor', 'NTK_by_parts_factor',
]);

const toy: ConfigInput = {
  n_layers: 2, d_model: 16, n_heads: 2, d_vocab: 40, n_ctx: 8, attn_only: true, seed: 3, init_range: 0.05,
  bos_token_id: 39, tokenizer_name: 'bpe', model_name: 'toy',
};
const llamaLike: ConfigInput = {
  n_layers: 1, d_model: 16, n_heads: 4, d_mlp: 24, d_vocab: 30, n_ctx: 8, act_fn: 'silu', normalization_type: 'RMS',
  positional_embedding_type: 'rotary', rotary_dim: 4, rotary_base: 500, gated_mlp: true, n_key_value_heads: 2,
  attn_scores_soft_cap: 20, output_logits_soft_cap: 30, use_normalization_before_and_after: true, use_local_attn: true,
  window_size: 4, attn_types: ['local'], attn_scale: 3, bos_token_id: 1, tokenizer_name: 'gpt2', original_architecture: 'X',
};

const json = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

for (const [name, input] of [['an attention-only toy', toy], ['a rotary, gated, grouped-query model', llamaLike]] as const) {
  test(`${name}: config.json holds TransformerLens fields only, and reads back with circuitscope's own`, () => {
    const cfg = validateConfig(input);
    const weights = initWeights(cfg, 1);
    for (const files of [modelToFiles(cfg, weights)]) {
      const written = json(files['config.json']!);
      const foreign = Object.keys(written).filter((k) => !TL_FIELDS.has(k));
      assert.deepEqual(foreign, [], 'every key is a HookedTransformerConfig field');
      for (const k of ['init_range', 'bos_token_id']) assert.ok(!(k in written), `no ${k}`);
      assert.ok(written['tokenizer_name'] === undefined, 'no tokenizer_name (TransformerLens would look it up on the hub)');
      assert.equal(written['initializer_range'], cfg.init_range);
      const meta = parseSafetensors(files['model.safetensors']!, 'w').metadata;
      assert.equal(meta['circuitscope.bos_token_id'], String(cfg.bos_token_id));
      const back = readModelFiles(files).config;
      assert.deepEqual(back, cfg, 'the same config after a round trip');
    }
  });
}

test('the written config round-trips through validateConfig alone except for circuitscope\'s own fields', () => {
  const cfg = validateConfig(llamaLike);
  const again = validateConfig(configToFile(cfg) as ConfigInput);
  assert.deepEqual({ ...again, bos_token_id: cfg.bos_token_id, tokenizer_name: cfg.tokenizer_name }, cfg);
});

test('directories written before (init_range, bos_token_id, tokenizer_name in config.json) still read', () => {
  const cfg = validateConfig(toy);
  const old = { ...configToFile(cfg), init_range: 0.05, bos_token_id: 39, tokenizer_name: 'bpe' };
  delete (old as Record<string, unknown>)['initializer_range'];
  const files = {
    'config.json': new TextEncoder().encode(JSON.stringify(old)),
    'model.safetensors': serializeSafetensors(initWeights(cfg, 1), { format: 'pt' }),
  };
  const m = readModelFiles(files);
  assert.equal(m.format, 'circuitscope');
  assert.equal(m.config.bos_token_id, 39);
  assert.equal(m.config.tokenizer_name, 'bpe');
  assert.equal(m.config.init_range, 0.05);
});

test('bad circuitscope metadata is one line naming the weights file', () => {
  const cfg = validateConfig(toy);
  const files = modelToFiles(cfg, initWeights(cfg, 1));
  const { tensors } = parseSafetensors(files['model.safetensors']!, 'w');
  const bad = { ...files, 'model.safetensors': serializeSafetensors(tensors, { 'circuitscope.bos_token_id': '4000' }) };
  assert.throws(() => readModelFiles(bad), /model\.safetensors metadata circuitscope\. field bos_token_id: expected a token id below d_vocab/);
});

test('a Hugging Face tokenizer.json beside the weights is read as one, and GPT-2 keeps its native tokenizer', () => {
  const hfTokenizer = new TextEncoder().encode(JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: { a: 0 }, merges: [] } }));
  assert.equal(tokenizerFromFiles({ 'tokenizer.json': hfTokenizer }, null)?.name, 'hf-bpe');
  assert.equal(tokenizerFromFiles({ 'tokenizer.json': hfTokenizer }, 'gpt2')?.name, 'gpt2');
  assert.throws(() => tokenizerFromFiles({ 'tokenizer.json': new TextEncoder().encode('{"type": "nope"}') }, null), /tokenizer\.json: .*unknown type "nope"/);
});
