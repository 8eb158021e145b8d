/**
 * config.json as TransformerLens reads it: `HookedTransformerConfig(**json.load(open('config.json')))` must accept
 * every key circuitscope writes. So the file holds TransformerLens's fields only (`initializer_range`, not our
 * `init_range`), and circuitscope's own fields (the BOS token id, the tokenizer's kind) travel in
 * model.safetensors' `__metadata__`, which TransformerLens's `load_state_dict` never sees. Older directories with
 * those keys in config.json still read (validateConfig accepts them).
 */
import { validateConfig, type HookedTransformerConfig } from '../config.js';

/** Fields written always: the ones every TransformerLens 1.x and 2.x HookedTransformerConfig has. */
const BASE_FIELDS = [
  'n_layers', 'd_model', 'n_heads', 'd_head', 'd_mlp', 'd_vocab', 'd_vocab_out', 'n_ctx', 'act_fn', 'normalization_type',
  'attn_only', 'positional_embedding_type', 'eps', 'seed', 'model_name', 'default_prepend_bos',
] as const;

/** Architecture fields (TransformerLens 2.x names), written only when they differ from a GPT-2-style model's. */
const ARCH_FIELDS = [
  'rotary_dim', 'rotary_base', 'rotary_adjacent_pairs', 'gated_mlp', 'n_key_value_heads', 'parallel_attn_mlp',
  'use_local_attn', 'window_size', 'attn_types', 'use_attn_scale', 'attn_scale', 'attn_scores_soft_cap',
  'output_logits_soft_cap', 'use_normalization_before_and_after', 'original_architecture',
] as const;

/** The prefix of circuitscope's own fields in model.safetensors' metadata. */
export const METADATA_PREFIX = 'circuitscope.';
/** circuitscope's fields that TransformerLens's config has no place for (or reads differently). */
const OWN_FIELDS = ['bos_token_id', 'tokenizer_name'] as const;

let defaults: HookedTransformerConfig | null = null;

/** The config.json object for `cfg`: TransformerLens's field names and nothing else. */
export function configToFile(cfg: HookedTransformerConfig): Record<string, unknown> {
  defaults ??= validateConfig({ n_layers: 1, d_model: 1, n_heads: 1, d_vocab: 1, n_ctx: 1 });
  const out: Record<string, unknown> = {};
  for (const k of BASE_FIELDS) out[k] = cfg[k];
  out['initializer_range'] = cfg.init_range;
  for (const k of ARCH_FIELDS) {
    const v = cfg[k];
    const dflt = k === 'attn_scale' ? Math.sqrt(cfg.d_head) : defaults[k];
    if (JSON.stringify(v) !== JSON.stringify(dflt)) out[k] = v;
  }
  return out;
}

/** circuitscope's own fields as safetensors metadata (strings): `circuitscope.bos_token_id`, `circuitscope.tokenizer_name`. */
export function configMetadata(cfg: HookedTransformerConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of OWN_FIELDS) out[`${METADATA_PREFIX}${k}`] = JSON.stringify(cfg[k]);
  return out;
}

/**
 * `cfg` with circuitscope's own fields from model.safetensors' metadata where config.json did not give them (a
 * config.json that has them, from an older circuitscope, wins). Bad metadata is the weights file's fault.
 */
export function withConfigMetadata(cfg: HookedTransformerConfig, rawConfig: Readonly<Record<string, unknown>>, metadata: Readonly<Record<string, string>>, where: string): HookedTransformerConfig {
  const extra: Record<string, unknown> = {};
  for (const k of OWN_FIELDS) {
    const v = metadata[`${METADATA_PREFIX}${k}`];
    if (v === undefined || k in rawConfig) continue;
    try {
      extra[k] = JSON.parse(v) as unknown;
    } catch {
      extra[k] = v;
    }
  }
  if (Object.keys(extra).length === 0) return cfg;
  return validateConfig({ ...cfg, ...extra }, `${where} metadata ${METADATA_PREFIX}`);
}
