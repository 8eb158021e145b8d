/**
 * Hugging Face GPT-Neo (`gpt_neo`: the TinyStories models) and GPT-NeoX (`gpt_neox`: Pythia) checkpoints ->
 * TransformerLens layout, as its `convert_neo_weights` and `convert_neox_weights` do it.
 * GPT-Neo: LayerNorm, learned positions, attention without the 1/sqrt(d_head) scale and without q/k/v biases,
 * layers alternating global and local (a window of `window_size` positions) attention, tied unembedding.
 * GPT-NeoX: LayerNorm, partial rotary embeddings (`rotary_pct` of each head, rotate_half layout), a fused
 * `query_key_value` laid out per head as (q, k, v), attention and MLP in parallel (`use_parallel_residual`).
 */
import type { Tensor } from '../../engine/tensor.js';
import { ConfigError, validateConfig, type ActFn, type AttnType, type HookedTransformerConfig } from '../config.js';
import type { StateDict } from '../weights.js';
import { checkImported } from './checked.js';
import { headsBias, headsIn, headsOut, hfArchitecture, hfBos, hfInt, hfModelName, hfNum, HfTensors, ropeTheta, transposed, type HfConfig } from './hfTensors.js';

const ACTS: Record<string, ActFn> = { gelu_new: 'gelu_new', gelu_pytorch_tanh: 'gelu_pytorch_tanh', gelu: 'gelu', relu: 'relu', silu: 'silu' };

function act(hf: HfConfig, where: string, key: string, fallback: string): ActFn {
  const name = hf[key] ?? fallback;
  const a = typeof name === 'string' ? ACTS[name] : undefined;
  if (!a) throw new ConfigError(`${where} field ${key}: expected one of ${Object.keys(ACTS).join(', ')}, got ${JSON.stringify(name)}`);
  return a;
}

/** GPT-Neo's `attention_types`, `[[["global", "local"], n], ...]`, expanded to one entry per layer. */
function neoAttnTypes(hf: HfConfig, where: string, L: number): AttnType[] {
  const raw = hf['attention_types'];
  const bad = () => new ConfigError(`${where} field attention_types: expected [[["global" | "local", ...], repeats], ...] covering ${L} layers`);
  if (!Array.isArray(raw)) throw bad();
  const out: AttnType[] = [];
  for (const entry of raw) {
    if (!Array.isArray(entry) || entry.length !== 2 || !Array.isArray(entry[0]) || typeof entry[1] !== 'number') throw bad();
    for (let i = 0; i < entry[1]; i++) {
      for (const t of entry[0] as unknown[]) {
        if (t !== 'global' && t !== 'local') throw bad();
        out.push(t);
      }
    }
  }
  if (out.length !== L) throw bad();
  return out;
}

export function hfNeoConfig(hf: HfConfig, where = 'config.json'): HookedTransformerConfig {
  const d_model = hfInt(hf, where, 'hidden_size');
  const n_heads = hfInt(hf, where, 'num_heads');
  if (d_model % n_heads !== 0) throw new ConfigError(`${where} field num_heads: ${n_heads} does not divide hidden_size ${d_model}`);
  const L = hfInt(hf, where, 'num_layers');
  const d_vocab = hfInt(hf, where, 'vocab_size');
  const types = neoAttnTypes(hf, where, L);
  const local = types.includes('local');
  return validateConfig({
    n_layers: L, d_model, n_heads, d_head: d_model / n_heads,
    d_mlp: hf['intermediate_size'] === null || hf['intermediate_size'] === undefined ? 4 * d_model : hfInt(hf, where, 'intermediate_size'),
    d_vocab, d_vocab_out: d_vocab, n_ctx: hfInt(hf, where, 'max_position_embeddings'), act_fn: act(hf, where, 'activation_function', 'gelu_new'),
    normalization_type: 'LN', attn_only: false, use_attn_scale: false, use_local_attn: local,
    window_size: local ? hfInt(hf, where, 'window_size') : null, attn_types: local ? types : null,
    eps: hfNum(hf, where, 'layer_norm_epsilon', 1e-5), model_name: hfModelName(hf, 'gpt_neo'), original_architecture: hfArchitecture(hf),
    default_prepend_bos: true, bos_token_id: hfBos(hf, d_vocab), tokenizer_name: null,
  }, where);
}

/** The causal-mask buffers older transformers saved beside the weights. */
const NEO_BUFFERS = /\.attn\.attention\.(bias|masked_bias)$/;

export function hfNeoStateDict(cfg: HookedTransformerConfig, tensors: Readonly<Record<string, Tensor>>, where = 'model.safetensors'): StateDict {
  const { d_model: D, n_heads: H, d_head: E, d_vocab: V, n_ctx: T } = cfg;
  const M = cfg.d_mlp!;
  const src: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(tensors)) src[k.startsWith('transformer.') ? k : k === 'lm_head.weight' ? k : `transformer.${k}`] = v;
  const t = new HfTensors(src, where, NEO_BUFFERS);
  const wte = t.take('transformer.wte.weight', [V, D]);
  t.put('embed.W_E', [V, D], wte);
  const wpe = src['transformer.wpe.weight'];
  const P = wpe && wpe.shape.length === 2 && wpe.shape[0]! >= T ? wpe.shape[0]! : T;
  t.put('pos_embed.W_pos', [T, D], t.take('transformer.wpe.weight', [P, D]).subarray(0, T * D));
  const rowOf = (h: number, e: number) => h * E + e;
  for (let l = 0; l < cfg.n_layers; l++) {
    const p = `transformer.h.${l}`;
    const b = `blocks.${l}`;
    t.put(`${b}.ln1.w`, [D], t.take(`${p}.ln_1.weight`, [D]));
    t.put(`${b}.ln1.b`, [D], t.take(`${p}.ln_1.bias`, [D]));
    for (const x of ['q', 'k', 'v'] as const) {
      t.put(`${b}.attn.W_${x.toUpperCase()}`, [H, D, E], headsIn(t.take(`${p}.attn.attention.${x}_proj.weight`, [D, D]), D, H, E, rowOf));
      t.zeros(`${b}.attn.b_${x.toUpperCase()}`, [H, E]);
    }
    t.put(`${b}.attn.W_O`, [H, E, D], headsOut(t.take(`${p}.attn.attention.out_proj.weight`, [D, D]), D, H, E));
    t.put(`${b}.attn.b_O`, [D], t.take(`${p}.attn.attention.out_proj.bias`, [D]));
    t.put(`${b}.ln2.w`, [D], t.take(`${p}.ln_2.weight`, [D]));
    t.put(`${b}.ln2.b`, [D], t.take(`${p}.ln_2.bias`, [D]));
    t.put(`${b}.mlp.W_in`, [D, M], transposed(t.take(`${p}.mlp.c_fc.weight`, [M, D]), M, D));
    t.put(`${b}.mlp.b_in`, [M], t.take(`${p}.mlp.c_fc.bias`, [M]));
    t.put(`${b}.mlp.W_out`, [M, D], transposed(t.take(`${p}.mlp.c_proj.weight`, [D, M]), D, M));
    t.put(`${b}.mlp.b_out`, [D], t.take(`${p}.mlp.c_proj.bias`, [D]));
  }
  t.put('ln_final.w', [D], t.take('transformer.ln_f.weight', [D]));
  t.put('ln_final.b', [D], t.take('transformer.ln_f.bias', [D]));
  t.put('unembed.W_U', [D, V], transposed(t.has('lm_head.weight') ? t.take('lm_head.weight', [V, D]) : wte, V, D));
  t.zeros('unembed.b_U', [V]);
  const out = t.finish(`a GPT-Neo model with ${cfg.n_layers} layers`);
  checkImported(cfg, out, where);
  return out;
}

export function hfNeoXConfig(hf: HfConfig, where = 'config.json'): HookedTransformerConfig {
  const d_model = hfInt(hf, where, 'hidden_size');
  const n_heads = hfInt(hf, where, 'num_attention_heads');
  if (d_model % n_heads !== 0) throw new ConfigError(`${where} field num_attention_heads: ${n_heads} does not divide hidden_size ${d_model}`);
  const d_head = d_model / n_heads;
  const d_vocab = hfInt(hf, where, 'vocab_size');
  const params = hf['rope_parameters'];
  const pctRaw = (params && typeof params === 'object' ? (params as HfConfig)['partial_rotary_factor'] : undefined) ?? hf['rotary_pct'] ?? hf['partial_rotary_factor'] ?? 1;
  if (typeof pctRaw !== 'number' || !(pctRaw > 0 && pctRaw <= 1)) throw new ConfigError(`${where} field rotary_pct: expected a number in (0, 1], got ${JSON.stringify(pctRaw)}`);
  const parallel = hf['use_parallel_residual'] ?? true;
  if (typeof parallel !== 'boolean') throw new ConfigError(`${where} field use_parallel_residual: expected true or false`);
  return validateConfig({
    n_layers: hfInt(hf, where, 'num_hidden_layers'), d_model, n_heads, d_head, d_mlp: hfInt(hf, where, 'intermediate_size'),
    d_vocab, d_vocab_out: d_vocab, n_ctx: hfInt(hf, where, 'max_position_embeddings'), act_fn: act(hf, where, 'hidden_act', 'gelu'),
    normalization_type: 'LN', attn_only: false, positional_embedding_type: 'rotary',
    // Hugging Face: rotary_ndims = int(head_size * rotary_pct).
    rotary_dim: Math.floor(d_head * pctRaw), rotary_base: ropeTheta(hf, where, hf['rotary_emb_base'] !== undefined ? 'rotary_emb_base' : 'rope_theta'),
    rotary_adjacent_pairs: false, parallel_attn_mlp: parallel,
    eps: hfNum(hf, where, 'layer_norm_eps', 1e-5), model_name: hfModelName(hf, 'gpt_neox'), original_architecture: hfArchitecture(hf),
    default_prepend_bos: true, bos_token_id: hfBos(hf, d_vocab), tokenizer_name: null,
  }, where);
}

/** Buffers older GPT-NeoX checkpoints carry: the causal mask, its fill value, rotary frequencies. */
const NEOX_BUFFERS = /\.attention\.(bias|masked_bias|rotary_emb\.inv_freq)$/;

export function hfNeoXStateDict(cfg: HookedTransformerConfig, tensors: Readonly<Record<string, Tensor>>, where = 'model.safetensors'): StateDict {
  const { d_model: D, n_heads: H, d_head: E, d_vocab: V } = cfg;
  const M = cfg.d_mlp!;
  const t = new HfTensors(tensors, where, NEOX_BUFFERS);
  t.put('embed.W_E', [V, D], t.take('gpt_neox.embed_in.weight', [V, D]));
  for (let l = 0; l < cfg.n_layers; l++) {
    const p = `gpt_neox.layers.${l}`;
    const b = `blocks.${l}`;
    t.put(`${b}.ln1.w`, [D], t.take(`${p}.input_layernorm.weight`, [D]));
    t.put(`${b}.ln1.b`, [D], t.take(`${p}.input_layernorm.bias`, [D]));
    // query_key_value rows are [head][q | k | v][e]: row h 3E + part E + e.
    const qkv = t.take(`${p}.attention.query_key_value.weight`, [3 * D, D]);
    const qkvB = t.has(`${p}.attention.query_key_value.bias`) ? t.take(`${p}.attention.query_key_value.bias`, [3 * D]) : new Float32Array(3 * D);
    ['Q', 'K', 'V'].forEach((x, part) => {
      const rowOf = (h: number, e: number) => h * 3 * E + part * E + e;
      t.put(`${b}.attn.W_${x}`, [H, D, E], headsIn(qkv, D, H, E, rowOf));
      t.put(`${b}.attn.b_${x}`, [H, E], headsBias(qkvB, H, E, rowOf));
    });
    t.put(`${b}.attn.W_O`, [H, E, D], headsOut(t.take(`${p}.attention.dense.weight`, [D, D]), D, H, E));
    t.biasOrZeros(`${b}.attn.b_O`, `${p}.attention.dense.bias`, D);
    t.put(`${b}.ln2.w`, [D], t.take(`${p}.post_attention_layernorm.weight`, [D]));
    t.put(`${b}.ln2.b`, [D], t.take(`${p}.post_attention_layernorm.bias`, [D]));
    t.put(`${b}.mlp.W_in`, [D, M], transposed(t.take(`${p}.mlp.dense_h_to_4h.weight`, [M, D]), M, D));
    t.put(`${b}.mlp.b_in`, [M], t.take(`${p}.mlp.dense_h_to_4h.bias`, [M]));
    t.put(`${b}.mlp.W_out`, [M, D], transposed(t.take(`${p}.mlp.dense_4h_to_h.weight`, [D, M]), D, M));
    t.put(`${b}.mlp.b_out`, [D], t.take(`${p}.mlp.dense_4h_to_h.bias`, [D]));
  }
  t.put('ln_final.w', [D], t.take('gpt_neox.final_layer_norm.weight', [D]));
  t.put('ln_final.b', [D], t.take('gpt_neox.final_layer_norm.bias', [D]));
  const tied = !t.has('embed_out.weight');
  t.put('unembed.W_U', [D, V], transposed(tied ? t.take('gpt_neox.embed_in.weight', [V, D]) : t.take('embed_out.weight', [V, D]), V, D));
  t.zeros('unembed.b_U', [V]);
  const out = t.finish(`a GPT-NeoX model with ${cfg.n_layers} layers`);
  checkImported(cfg, out, where);
  return out;
}

export function importHfNeo(hf: HfConfig, tensors: Readonly<Record<string, Tensor>>, where = { config: 'config.json', weights: 'model.safetensors' }): { config: HookedTransformerConfig; weights: StateDict } {
  const config = hfNeoConfig(hf, where.config);
  return { config, weights: hfNeoStateDict(config, tensors, where.weights) };
}

export function importHfNeoX(hf: HfConfig, tensors: Readonly<Record<string, Tensor>>, where = { config: 'config.json', weights: 'model.safetensors' }): { config: HookedTransformerConfig; weights: StateDict } {
  const config = hfNeoXConfig(hf, where.config);
  return { config, weights: hfNeoXStateDict(config, tensors, where.weights) };
}
