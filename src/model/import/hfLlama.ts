/**
 * Hugging Face Llama-family checkpoints (`model_type` llama, mistral, qwen2, gemma, gemma2) -> TransformerLens
 * layout, as TransformerLens's `convert_llama_weights`, `convert_mistral_weights`, `convert_qwen2_weights` and
 * `convert_gemma_weights` do it: RMSNorm, rotary embeddings (rotate_half layout), a gated MLP, grouped-query
 * attention (`_W_K`, `_W_V` per key-value head), absent biases as zeros. Gemma multiplies the embedding by
 * sqrt(d_model) and its RMSNorm computes x (1 + w): both are folded in here (W_E scaled, norm weights plus one),
 * as TransformerLens does, so the forward is the plain one. Gemma 2 adds norms after attention and the MLP,
 * soft-capping of the scores and the logits, alternating sliding-window layers and `query_pre_attn_scalar`.
 */
import type { Tensor } from '../../engine/tensor.js';
import { ConfigError, validateConfig, type ActFn, type AttnType, type HookedTransformerConfig } from '../config.js';
import type { StateDict } from '../weights.js';
import { checkImported } from './checked.js';
import {
  headsBias, headsIn, headsOut, hfArchitecture, hfBos, hfInt, hfModelName, hfNum, HfTensors, plusOne, ropeTheta, scaled, transposed,
  type HfConfig,
} from './hfTensors.js';

export const LLAMA_FAMILY = ['llama', 'mistral', 'qwen2', 'gemma', 'gemma2'] as const;
type Family = (typeof LLAMA_FAMILY)[number];

const ACTS: Record<string, ActFn> = { silu: 'silu', gelu_pytorch_tanh: 'gelu_pytorch_tanh', gelu_new: 'gelu_new', gelu: 'gelu', relu: 'relu' };

/** Which layers attend through a sliding window, as Hugging Face decides it per model type. */
function attnTypes(hf: HfConfig, kind: Family, L: number, where: string): { window: number; types: AttnType[] } | null {
  const layerTypes = hf['layer_types'];
  const win = hf['sliding_window'];
  let types: AttnType[] | null = null;
  if (Array.isArray(layerTypes)) {
    if (layerTypes.length !== L) throw new ConfigError(`${where} field layer_types: expected ${L} entries`);
    types = layerTypes.map((t) => (t === 'sliding_attention' ? 'local' : 'global'));
  } else if (kind === 'gemma2') {
    types = Array.from({ length: L }, (_, l) => (l % 2 === 0 ? 'local' : 'global'));
  } else if (kind === 'mistral' && win !== null && win !== undefined) {
    types = Array.from({ length: L }, () => 'local');
  } else if (kind === 'qwen2' && hf['use_sliding_window'] === true) {
    const from = typeof hf['max_window_layers'] === 'number' ? hf['max_window_layers'] : L;
    types = Array.from({ length: L }, (_, l) => (l >= from ? 'local' : 'global'));
  }
  if (!types || !types.includes('local')) return null;
  return { window: hfInt(hf, where, 'sliding_window'), types };
}

/** A Llama-family config.json as a HookedTransformerConfig (TransformerLens's field names). */
export function hfLlamaConfig(hf: HfConfig, where = 'config.json'): HookedTransformerConfig {
  const kind = hf['model_type'] as Family;
  if (!LLAMA_FAMILY.includes(kind)) throw new ConfigError(`${where} field model_type: expected one of ${LLAMA_FAMILY.join(', ')}, got ${JSON.stringify(hf['model_type'])}`);
  const gemma = kind === 'gemma' || kind === 'gemma2';
  const d_model = hfInt(hf, where, 'hidden_size');
  const n_heads = hfInt(hf, where, 'num_attention_heads');
  const d_head = hf['head_dim'] === undefined || hf['head_dim'] === null ? d_model / n_heads : hfInt(hf, where, 'head_dim');
  if (!Number.isInteger(d_head)) throw new ConfigError(`${where} field num_attention_heads: ${n_heads} does not divide hidden_size ${d_model}`);
  const n_kv = hfInt(hf, where, 'num_key_value_heads', n_heads);
  const L = hfInt(hf, where, 'num_hidden_layers');
  const d_vocab = hfInt(hf, where, 'vocab_size');
  const actName = gemma ? (hf['hidden_activation'] ?? 'gelu_pytorch_tanh') : (hf['hidden_act'] ?? 'silu');
  const act_fn = typeof actName === 'string' ? ACTS[actName] : undefined;
  if (!act_fn) throw new ConfigError(`${where} field ${gemma ? 'hidden_activation' : 'hidden_act'}: expected one of ${Object.keys(ACTS).join(', ')}, got ${JSON.stringify(actName)}`);
  const partial = hf['partial_rotary_factor'] ?? 1;
  if (typeof partial !== 'number' || !(partial > 0 && partial <= 1)) throw new ConfigError(`${where} field partial_rotary_factor: expected a number in (0, 1]`);
  const local = attnTypes(hf, kind, L, where);
  const softcap = (k: string) => (hf[k] === null || hf[k] === undefined ? -1 : hfNum(hf, where, k));
  return validateConfig({
    n_layers: L, d_model, n_heads, d_head, d_mlp: hfInt(hf, where, 'intermediate_size'), d_vocab, d_vocab_out: d_vocab,
    n_ctx: hfInt(hf, where, 'max_position_embeddings'), act_fn, normalization_type: 'RMS', attn_only: false,
    positional_embedding_type: 'rotary', rotary_dim: Math.floor(d_head * partial), rotary_base: ropeTheta(hf, where),
    rotary_adjacent_pairs: false, gated_mlp: true, n_key_value_heads: n_kv === n_heads ? null : n_kv,
    use_local_attn: local !== null, window_size: local?.window ?? null, attn_types: local?.types ?? null,
    attn_scale: kind === 'gemma2' && hf['query_pre_attn_scalar'] !== undefined ? Math.sqrt(hfNum(hf, where, 'query_pre_attn_scalar')) : undefined,
    attn_scores_soft_cap: kind === 'gemma2' ? softcap('attn_logit_softcapping') : -1,
    output_logits_soft_cap: kind === 'gemma2' ? softcap('final_logit_softcapping') : -1,
    use_normalization_before_and_after: kind === 'gemma2',
    eps: hfNum(hf, where, 'rms_norm_eps', 1e-6), model_name: hfModelName(hf, kind), original_architecture: hfArchitecture(hf),
    // TransformerLens: Qwen's tokenizers add no BOS, so strings are not given one.
    default_prepend_bos: kind !== 'qwen2', bos_token_id: hfBos(hf, d_vocab), tokenizer_name: null,
  }, where);
}

/** Rotary inverse-frequency buffers some checkpoints carry. */
const BUFFERS = /\.rotary_emb\.inv_freq$/;

/** A Llama-family state dict (Hugging Face names) in TransformerLens layout for `cfg` from hfLlamaConfig. */
export function hfLlamaStateDict(cfg: HookedTransformerConfig, kind: string, tensors: Readonly<Record<string, Tensor>>, where = 'model.safetensors'): StateDict {
  const { d_model: D, n_heads: H, d_head: E, d_vocab: V } = cfg;
  const K = cfg.n_key_value_heads ?? H;
  const M = cfg.d_mlp!;
  const gemma = kind === 'gemma' || kind === 'gemma2';
  const t = new HfTensors(tensors, where, BUFFERS);
  const norm = (name: string) => (gemma ? plusOne(t.take(name, [D])) : t.take(name, [D]));
  const emb = t.take('model.embed_tokens.weight', [V, D]);
  t.put('embed.W_E', [V, D], gemma ? scaled(emb, Math.sqrt(D)) : emb);
  const kv = K === H ? '' : '_';
  for (let l = 0; l < cfg.n_layers; l++) {
    const p = `model.layers.${l}`;
    const b = `blocks.${l}`;
    t.put(`${b}.ln1.w`, [D], norm(`${p}.input_layernorm.weight`));
    const rowOf = (h: number, e: number) => h * E + e;
    for (const [x, heads] of [['q', H], ['k', K], ['v', K]] as const) {
      const X = x.toUpperCase();
      const pre = x === 'q' ? '' : kv;
      t.put(`${b}.attn.${pre}W_${X}`, [heads, D, E], headsIn(t.take(`${p}.self_attn.${x}_proj.weight`, [heads * E, D]), D, heads, E, rowOf));
      const bias = `${p}.self_attn.${x}_proj.bias`;
      if (t.has(bias)) t.put(`${b}.attn.${pre}b_${X}`, [heads, E], headsBias(t.take(bias, [heads * E]), heads, E, rowOf));
      else t.zeros(`${b}.attn.${pre}b_${X}`, [heads, E]);
    }
    t.put(`${b}.attn.W_O`, [H, E, D], headsOut(t.take(`${p}.self_attn.o_proj.weight`, [D, H * E]), D, H, E));
    t.biasOrZeros(`${b}.attn.b_O`, `${p}.self_attn.o_proj.bias`, D);
    if (kind === 'gemma2') {
      t.put(`${b}.ln1_post.w`, [D], norm(`${p}.post_attention_layernorm.weight`));
      t.put(`${b}.ln2.w`, [D], norm(`${p}.pre_feedforward_layernorm.weight`));
      t.put(`${b}.ln2_post.w`, [D], norm(`${p}.post_feedforward_layernorm.weight`));
    } else {
      t.put(`${b}.ln2.w`, [D], norm(`${p}.post_attention_layernorm.weight`));
    }
    t.put(`${b}.mlp.W_gate`, [D, M], transposed(t.take(`${p}.mlp.gate_proj.weight`, [M, D]), M, D));
    t.put(`${b}.mlp.W_in`, [D, M], transposed(t.take(`${p}.mlp.up_proj.weight`, [M, D]), M, D));
    t.put(`${b}.mlp.W_out`, [M, D], transposed(t.take(`${p}.mlp.down_proj.weight`, [D, M]), D, M));
    // Only the up projection's bias has a TransformerLens place (b_in is added after the gate's product).
    if (t.has(`${p}.mlp.gate_proj.bias`)) throw new ConfigError(`${where}: ${p}.mlp.gate_proj.bias: a bias on the gate projection is not supported`);
    t.biasOrZeros(`${b}.mlp.b_out`, `${p}.mlp.down_proj.bias`, D);
    t.zeros(`${b}.mlp.b_in`, [M]);
    if (t.has(`${p}.mlp.up_proj.bias`)) throw new ConfigError(`${where}: ${p}.mlp.up_proj.bias: a bias on the up projection is not supported`);
  }
  t.put('ln_final.w', [D], norm('model.norm.weight'));
  // Tied models (Gemma, small Qwen2) store no lm_head: the unembedding is the (unscaled) embedding.
  t.put('unembed.W_U', [D, V], transposed(t.has('lm_head.weight') ? t.take('lm_head.weight', [V, D]) : emb, V, D));
  t.zeros('unembed.b_U', [V]);
  const out = t.finish(`a ${kind} model with ${cfg.n_layers} layers`);
  checkImported(cfg, out, where);
  return out;
}

export function importHfLlama(hf: HfConfig, tensors: Readonly<Record<string, Tensor>>, where = { config: 'config.json', weights: 'model.safetensors' }): { config: HookedTransformerConfig; weights: StateDict } {
  const config = hfLlamaConfig(hf, where.config);
  return { config, weights: hfLlamaStateDict(config, hf['model_type'] as string, tensors, where.weights) };
}
