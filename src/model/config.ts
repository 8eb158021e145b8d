import { InputError } from '../engine/errors.js';

/**
 * HookedTransformer configuration, with TransformerLens's field names so a config.json written by either reads in
 * the other. `validateConfig` is the boundary: everything past it may trust the fields.
 */
export type ActFn = 'gelu' | 'gelu_new' | 'relu' | 'silu' | 'gelu_pytorch_tanh';
/** LayerNorm with or without gain and bias, RMSNorm with or without gain, or none. */
export type NormalizationType = 'LN' | 'LNPre' | 'RMS' | 'RMSPre' | null;
export type PositionalEmbeddingType = 'standard' | 'shortformer' | 'rotary';
export type AttnType = 'global' | 'local';

export interface HookedTransformerConfig {
  n_layers: number;
  d_model: number;
  n_heads: number;
  d_head: number;
  /** Hidden width of the MLPs; null for attention-only models. */
  d_mlp: number | null;
  d_vocab: number;
  /** Output vocabulary (TransformerLens's `d_vocab_out`), normally `d_vocab`. */
  d_vocab_out: number;
  n_ctx: number;
  act_fn: ActFn | null;
  normalization_type: NormalizationType;
  attn_only: boolean;
  /**
   * 'standard': learned positional embeddings added to the residual stream. 'shortformer' (TransformerLens's
   * attn-only toy models): the same embeddings added only to the inputs of queries and keys, after ln1, so the
   * residual stream carries tokens alone and values never see position.
   */
  positional_embedding_type: PositionalEmbeddingType;
  /** Rotary models: how many of each head's first dimensions are rotated (d_head unless partial); else null. */
  rotary_dim: number | null;
  /** Rotary base (Hugging Face `rope_theta`). */
  rotary_base: number;
  /** Rotary pairs: false rotates dimension i with i + rotary_dim/2 (GPT-NeoX, Llama); true pairs 2i, 2i+1 (GPT-J). */
  rotary_adjacent_pairs: boolean;
  /** Gated MLP (SwiGLU / GeGLU): `(act(x W_gate) * (x W_in) + b_in) W_out + b_out`. */
  gated_mlp: boolean;
  /** Grouped-query attention: keys and values have this many heads (`_W_K`, `_W_V`), shared by n_heads / it queries. */
  n_key_value_heads: number | null;
  /** GPT-NeoX / GPT-J: attention and MLP both read the residual stream before the block (no hook_resid_mid). */
  parallel_attn_mlp: boolean;
  /** Local attention: layers whose `attn_types` entry is 'local' see only the last `window_size` positions. */
  use_local_attn: boolean;
  window_size: number | null;
  attn_types: AttnType[] | null;
  /** Attention scores are q.k / attn_scale; attn_scale is sqrt(d_head) unless given, 1 when use_attn_scale is false. */
  use_attn_scale: boolean;
  attn_scale: number;
  /** Gemma 2: scores become cap * tanh(scores / cap) before the mask (-1: off). */
  attn_scores_soft_cap: number;
  /** Gemma 2: logits become cap * tanh(logits / cap) (-1: off). */
  output_logits_soft_cap: number;
  /** Gemma 2: a norm after attention and after the MLP as well as before (`ln1_post`, `ln2_post`). */
  use_normalization_before_and_after: boolean;
  /** The Hugging Face architecture the weights came from (e.g. 'LlamaForCausalLM'), or null. */
  original_architecture: string | null;
  /** LayerNorm epsilon (Hugging Face `layer_norm_epsilon`). */
  eps: number;
  /** Standard deviation of the weight initialisation (TransformerLens: 0.8 / sqrt(d_model) unless given). */
  init_range: number;
  seed: number | null;
  model_name: string;
  /** Whether strings are tokenised with a BOS token in front by default. */
  default_prepend_bos: boolean;
  /** Id of the BOS token (GPT-2: 50256, `<|endoftext|>`), or null when the tokenizer has none. */
  bos_token_id: number | null;
  /** Which tokenizer the model uses: 'gpt2', 'bytes', or 'bpe' (a trained BPE stored beside the model). */
  tokenizer_name: string | null;
}

export type ConfigInput = Partial<HookedTransformerConfig> & Record<string, unknown>;

/**
 * TransformerLens config fields that carry no meaning here (bookkeeping, devices, options whose default is the only
 * behaviour implemented). They are accepted and ignored when they hold TransformerLens's defaults.
 */
const IGNORED_WITH_DEFAULT: Record<string, unknown> = {
  use_attn_result: undefined, use_split_qkv_input: undefined, use_hook_mlp_in: undefined, use_attn_in: undefined,
  use_hook_tokens: undefined, device: undefined, n_devices: undefined, n_params: undefined,
  from_checkpoint: undefined, checkpoint_index: undefined, checkpoint_label_type: undefined,
  checkpoint_value: undefined, tokenizer_prepends_bos: undefined, dtype: undefined, init_weights: undefined,
  scale_attn_by_inverse_layer_idx: false, final_rms: false,
  weight_init_mode: undefined, init_mode: 'gpt2', normalization_type_ln_final: undefined,
  post_embedding_ln: false, num_experts: undefined, experts_per_token: undefined, tokenizer_padding_side: undefined,
  trust_remote_code: undefined, relative_attention_max_distance: undefined,
  relative_attention_num_buckets: undefined, decoder_start_token_id: undefined, tie_word_embeddings: undefined,
  NTK_by_parts_low_freq_factor: undefined, NTK_by_parts_high_freq_factor: undefined, NTK_by_parts_factor: undefined,
  use_NTK_by_parts_rope: false, load_in_4bit: false, ungroup_grouped_query_attention: false, use_qk_norm: false,
  post_norm: false, use_yarn_rope: false, norm_topk_prob: false, uses_rms_norm: false, layer_norm_folding: false,
  rotary_scaling_factor: undefined, yarn_factor: undefined, yarn_attention_factor: undefined, yarn_beta_fast: undefined,
  yarn_beta_slow: undefined, yarn_original_max_position_embeddings: undefined, attention_dir: 'causal', rotary_base_local: undefined, NTK_original_ctx_len: undefined,
};

/** Every field validateConfig reads: TransformerLens's names, plus circuitscope's own (read from older config.json files). */
export const CONFIG_FIELDS: ReadonlySet<string> = new Set<string>([
  'n_layers', 'd_model', 'n_heads', 'd_head', 'd_mlp', 'd_vocab', 'd_vocab_out', 'n_ctx', 'act_fn', 'normalization_type',
  'attn_only', 'positional_embedding_type', 'eps', 'init_range', 'seed', 'model_name', 'default_prepend_bos',
  'bos_token_id', 'tokenizer_name', 'initializer_range', 'rotary_dim', 'rotary_base', 'rotary_adjacent_pairs', 'gated_mlp',
  'n_key_value_heads', 'parallel_attn_mlp', 'use_local_attn', 'window_size', 'attn_types', 'use_attn_scale', 'attn_scale',
  'attn_scores_soft_cap', 'output_logits_soft_cap', 'use_normalization_before_and_after', 'original_architecture',
]);

/** A config error: one line naming the field and what was expected. */
export class ConfigError extends InputError {
  override name = 'ConfigError';
}

/**
 * Upper bounds on sizes, far above any model circuitscope can run (GPT-2 XL: 48 layers, 1600 wide, 50257 tokens):
 * a config beyond them is corrupt or hostile, and would make loops and allocations over its sizes unbounded.
 */
const MAX_SIZE: Record<string, number> = { n_layers: 1024, n_heads: 4096 };
const MAX_DIM = 2 ** 24;
/** Parameters in the embeddings and one layer's weights, each at most this many (2^32 floats: 16 GiB). */
const MAX_PARAMS = 2 ** 32;

function posInt(c: ConfigInput, k: string, where: string, allowZero = false): number {
  const v = c[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
    throw new ConfigError(`${where} field ${k}: expected a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(v)}`);
  }
  const max = MAX_SIZE[k] ?? MAX_DIM;
  if (v > max) throw new ConfigError(`${where} field ${k}: ${v} is beyond any model this reads (at most ${max})`);
  return v;
}

/** Fills defaults and checks every field; throws ConfigError naming the first bad field. */
export function validateConfig(input: ConfigInput, where = 'config'): HookedTransformerConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ConfigError(`${where}: expected a JSON object`);
  const c = { ...input };
  const attnScale = c['attn_scale'];
  for (const k of Object.keys(c)) {
    if (CONFIG_FIELDS.has(k)) continue;
    if (k in IGNORED_WITH_DEFAULT) {
      const dflt = IGNORED_WITH_DEFAULT[k];
      if (dflt !== undefined && c[k] !== null && c[k] !== dflt) {
        throw new ConfigError(`${where} field ${k}: only ${JSON.stringify(dflt)} is supported, got ${JSON.stringify(c[k])}`);
      }
      delete c[k];
      continue;
    }
    throw new ConfigError(`${where}: unknown field ${k}`);
  }
  const err = (k: string, expected: string) => new ConfigError(`${where} field ${k}: expected ${expected}, got ${JSON.stringify(c[k])}`);
  const n_layers = posInt(c, 'n_layers', where, true);
  const d_model = posInt(c, 'd_model', where);
  const n_heads = posInt(c, 'n_heads', where);
  const d_head = c['d_head'] === undefined ? d_model / n_heads : posInt(c, 'd_head', where);
  if (!Number.isInteger(d_head)) throw err('d_head', `an integer (d_model / n_heads is not one)`);
  const attn_only = c['attn_only'] ?? false;
  if (typeof attn_only !== 'boolean') throw err('attn_only', 'true or false');
  let d_mlp: number | null = null;
  if (!attn_only) {
    if (c['d_mlp'] === undefined || c['d_mlp'] === null) d_mlp = 4 * d_model;
    else d_mlp = posInt(c, 'd_mlp', where);
  }
  const act = c['act_fn'] ?? (attn_only ? null : 'gelu');
  if (act !== null && !ACT_FNS.includes(act as ActFn)) throw err('act_fn', `${ACT_FNS.map((x) => `"${x}"`).join(', ')} or null`);
  if (!attn_only && act === null) throw err('act_fn', 'an activation for a model with MLPs');
  const norm = c['normalization_type'] === undefined ? 'LN' : c['normalization_type'];
  if (norm !== 'LN' && norm !== 'LNPre' && norm !== 'RMS' && norm !== 'RMSPre' && norm !== null) throw err('normalization_type', '"LN", "LNPre", "RMS", "RMSPre" or null');
  const d_vocab = posInt(c, 'd_vocab', where);
  const d_vocab_out = c['d_vocab_out'] === undefined || c['d_vocab_out'] === -1 ? d_vocab : posInt(c, 'd_vocab_out', where);
  const n_ctx = posInt(c, 'n_ctx', where);
  const pos = c['positional_embedding_type'] ?? 'standard';
  if (pos !== 'standard' && pos !== 'shortformer' && pos !== 'rotary') throw err('positional_embedding_type', '"standard", "shortformer" or "rotary"');
  const eps = c['eps'] ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0)) throw err('eps', 'a positive number');
  const initRaw = c['initializer_range'] ?? c['init_range'];
  const initKey = c['initializer_range'] !== undefined ? 'initializer_range' : 'init_range';
  const init_range = initRaw === undefined || initRaw === null || (typeof initRaw === 'number' && initRaw < 0) ? 0.8 / Math.sqrt(d_model) : initRaw;
  if (typeof init_range !== 'number' || !(init_range > 0)) throw err(initKey, 'a positive number');
  const seed = c['seed'] ?? null;
  if (seed !== null && (typeof seed !== 'number' || !Number.isInteger(seed))) throw err('seed', 'an integer or null');
  const model_name = c['model_name'] ?? 'custom';
  if (typeof model_name !== 'string') throw err('model_name', 'a string');
  const bos = c['bos_token_id'] ?? null;
  if (bos !== null && (typeof bos !== 'number' || !Number.isInteger(bos) || bos < 0 || bos >= d_vocab)) throw err('bos_token_id', `a token id below d_vocab (${d_vocab}) or null`);
  const prepend = c['default_prepend_bos'] ?? true;
  if (typeof prepend !== 'boolean') throw err('default_prepend_bos', 'true or false');
  const tok = c['tokenizer_name'] ?? null;
  if (tok !== null && typeof tok !== 'string') throw err('tokenizer_name', 'a string or null');
  const bool = (k: string, dflt: boolean): boolean => {
    const v = c[k] ?? dflt;
    if (typeof v !== 'boolean') throw err(k, 'true or false');
    return v;
  };
  const num = (k: string, dflt: number): number => {
    const v = c[k] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw err(k, 'a number');
    return v;
  };
  const rotary = pos === 'rotary';
  const rotary_dim = rotary ? (c['rotary_dim'] === undefined || c['rotary_dim'] === null ? d_head : posInt(c, 'rotary_dim', where)) : null;
  if (rotary_dim !== null && (rotary_dim > d_head || rotary_dim % 2 !== 0)) throw err('rotary_dim', `an even number at most d_head (${d_head})`);
  const rotary_base = num('rotary_base', 10000);
  if (!(rotary_base > 0)) throw err('rotary_base', 'a positive number');
  const n_kv = c['n_key_value_heads'] === undefined || c['n_key_value_heads'] === null ? null : posInt(c, 'n_key_value_heads', where);
  if (n_kv !== null && n_heads % n_kv !== 0) throw err('n_key_value_heads', `a divisor of n_heads (${n_heads})`);
  const use_local_attn = bool('use_local_attn', false);
  const window_size = c['window_size'] === undefined || c['window_size'] === null ? null : posInt(c, 'window_size', where);
  const typesRaw = c['attn_types'] ?? null;
  if (typesRaw !== null && (!Array.isArray(typesRaw) || typesRaw.length !== n_layers || typesRaw.some((t) => t !== 'global' && t !== 'local'))) {
    throw err('attn_types', `a list of ${n_layers} "global" or "local" entries, or null`);
  }
  const attn_types = typesRaw === null ? null : [...(typesRaw as AttnType[])];
  if (use_local_attn && (window_size === null || attn_types === null)) throw err('use_local_attn', 'window_size and attn_types beside true');
  const use_attn_scale = bool('use_attn_scale', true);
  const attn_scale = !use_attn_scale ? 1 : attnScale === undefined || attnScale === null || attnScale === -1 ? Math.sqrt(d_head) : num('attn_scale', 0);
  if (!(attn_scale > 0)) throw err('attn_scale', 'a positive number');
  const perLayer = 4 * n_heads * d_head * d_model + 3 * d_model * (d_mlp ?? 0);
  const params = n_layers * perLayer + (d_vocab + d_vocab_out + n_ctx) * d_model;
  if (perLayer > MAX_PARAMS || params > MAX_PARAMS * MAX_SIZE['n_layers']!) {
    throw new ConfigError(`${where}: impossible sizes: ${n_layers} layers of ${perLayer} parameters and ${(d_vocab + d_vocab_out + n_ctx) * d_model} in the embeddings`);
  }
  const arch = c['original_architecture'] ?? null;
  if (arch !== null && typeof arch !== 'string') throw err('original_architecture', 'a string or null');
  return {
    n_layers, d_model, n_heads, d_head, d_mlp, d_vocab, d_vocab_out, n_ctx, act_fn: attn_only ? null : (act as ActFn),
    normalization_type: norm, attn_only, positional_embedding_type: pos, rotary_dim, rotary_base,
    rotary_adjacent_pairs: bool('rotary_adjacent_pairs', false), gated_mlp: bool('gated_mlp', false), n_key_value_heads: n_kv,
    parallel_attn_mlp: bool('parallel_attn_mlp', false), use_local_attn, window_size, attn_types, use_attn_scale, attn_scale,
    attn_scores_soft_cap: num('attn_scores_soft_cap', -1), output_logits_soft_cap: num('output_logits_soft_cap', -1),
    use_normalization_before_and_after: bool('use_normalization_before_and_after', false), original_architecture: arch,
    eps, init_range, seed, model_name, default_prepend_bos: prepend, bos_token_id: bos, tokenizer_name: tok,
  };
}

/** The activations `act_fn` may name. */
export const ACT_FNS: readonly ActFn[] = ['gelu', 'gelu_new', 'relu', 'silu', 'gelu_pytorch_tanh'];

/** Whether layer `l` attends locally (a window of `window_size` positions). */
export function isLocalLayer(cfg: HookedTransformerConfig, l: number): boolean {
  return cfg.use_local_attn && cfg.attn_types?.[l] === 'local';
}

/**
 * Whether the positional embedding is a residual-stream component: not in a shortformer model, where it enters only
 * Q and K, nor a rotary one, where it rotates them.
 */
export function posInResid(cfg: HookedTransformerConfig): boolean {
  return cfg.positional_embedding_type === 'standard';
}

/** Key and value heads: n_key_value_heads for grouped-query attention, else n_heads. */
export function kvHeads(cfg: HookedTransformerConfig): number {
  return cfg.n_key_value_heads ?? cfg.n_heads;
}
