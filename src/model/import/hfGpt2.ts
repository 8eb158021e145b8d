/**
 * Hugging Face GPT-2 (`GPT2LMHeadModel`) checkpoints -> TransformerLens layout, as TransformerLens's
 * `convert_gpt2_weights` does it. GPT-2's Conv1D computes `y = x W + b` with `W` stored `[in, out]`, which is
 * already TransformerLens's right-multiplying convention: only the fused `c_attn` needs splitting into heads.
 */
import type { Tensor } from '../../engine/tensor.js';
import { InputError } from '../../engine/errors.js';
import { ConfigError, validateConfig, type ActFn, type HookedTransformerConfig } from '../config.js';
import type { StateDict } from '../weights.js';
import { asFloat32, checkImported } from './checked.js';

/** GPT-2's `<|endoftext|>`, its BOS (and EOS) token. */
export const GPT2_BOS = 50256;
/** The vocabulary of OpenAI's GPT-2 BPE. */
const GPT2_VOCAB = 50257;

const PREFIX = 'transformer.';
const GPT2_ARCHITECTURES = new Set(['GPT2LMHeadModel', 'GPT2Model']);

/** Hugging Face `activation_function` -> ours. `gelu_pytorch_tanh` is the same tanh formula as `gelu_new`. */
const ACTIVATIONS: Record<string, ActFn> = { gelu_new: 'gelu_new', gelu_pytorch_tanh: 'gelu_new', gelu: 'gelu', relu: 'relu' };

/**
 * Whether a config (a parsed config.json) or a set of weight names is Hugging Face GPT-2: the config names the
 * `gpt2` model type or a GPT-2 architecture, or the weights include the token embedding `wte.weight`
 * (with or without the `transformer.` prefix).
 */
export function isHfGpt2(config: Readonly<Record<string, unknown>> | null, keys?: Iterable<string>): boolean {
  if (config) {
    if (config['model_type'] === 'gpt2') return true;
    const arch = config['architectures'];
    if (Array.isArray(arch) && arch.some((a) => typeof a === 'string' && GPT2_ARCHITECTURES.has(a))) return true;
  }
  for (const k of keys ?? []) if (k === 'wte.weight' || k === `${PREFIX}wte.weight`) return true;
  return false;
}

function field(hf: Readonly<Record<string, unknown>>, where: string, name: string, fallback?: number): number {
  const v = hf[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ConfigError(`${where} field ${name}: expected a positive integer, got ${JSON.stringify(hf[name])}`);
  }
  return v;
}

/**
 * A Hugging Face GPT-2 config.json as a HookedTransformerConfig: `n_layer -> n_layers`, `n_embd -> d_model`,
 * `n_head -> n_heads`, `d_head = n_embd / n_head`, `n_inner ?? 4 n_embd -> d_mlp`, `vocab_size -> d_vocab`,
 * `n_positions (or n_ctx) -> n_ctx`, `layer_norm_epsilon -> eps`, `activation_function -> act_fn`, LayerNorm.
 * The BOS token is the config's `bos_token_id`, else 50256 when the vocabulary has it; the tokenizer is 'gpt2'
 * only for GPT-2's own vocabulary (a toy vocabulary must not be fed GPT-2 BPE ids).
 */
export function hfGpt2Config(hf: Readonly<Record<string, unknown>>, where = 'config.json'): HookedTransformerConfig {
  if (hf['model_type'] !== undefined && hf['model_type'] !== 'gpt2') {
    throw new ConfigError(`${where} field model_type: expected "gpt2", got ${JSON.stringify(hf['model_type'])}`);
  }
  const unsupported: [string, unknown][] = [['scale_attn_by_inverse_layer_idx', true], ['scale_attn_weights', false], ['add_cross_attention', true]];
  for (const [k, bad] of unsupported) {
    if (hf[k] === bad) throw new ConfigError(`${where} field ${k}: ${JSON.stringify(bad)} is not supported`);
  }
  const d_model = field(hf, where, 'n_embd');
  const n_heads = field(hf, where, 'n_head');
  if (d_model % n_heads !== 0) throw new ConfigError(`${where} field n_head: ${n_heads} does not divide n_embd ${d_model}`);
  const d_vocab = field(hf, where, 'vocab_size');
  const actName = hf['activation_function'] ?? 'gelu_new';
  const act_fn = typeof actName === 'string' ? ACTIVATIONS[actName] : undefined;
  if (!act_fn) throw new ConfigError(`${where} field activation_function: expected one of ${Object.keys(ACTIVATIONS).join(', ')}, got ${JSON.stringify(actName)}`);
  const eps = hf['layer_norm_epsilon'] ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0)) throw new ConfigError(`${where} field layer_norm_epsilon: expected a positive number, got ${JSON.stringify(eps)}`);
  const bosRaw = hf['bos_token_id'];
  const bos = typeof bosRaw === 'number' ? bosRaw : d_vocab > GPT2_BOS ? GPT2_BOS : null;
  const name = hf['_name_or_path'];
  return validateConfig({
    n_layers: field(hf, where, 'n_layer'),
    d_model,
    n_heads,
    d_head: d_model / n_heads,
    d_mlp: hf['n_inner'] === null || hf['n_inner'] === undefined ? 4 * d_model : field(hf, where, 'n_inner'),
    d_vocab,
    d_vocab_out: d_vocab,
    n_ctx: field(hf, where, 'n_positions', typeof hf['n_ctx'] === 'number' ? hf['n_ctx'] : undefined),
    act_fn,
    normalization_type: 'LN',
    attn_only: false,
    eps,
    model_name: typeof name === 'string' && name !== '' ? name : 'gpt2',
    default_prepend_bos: true,
    bos_token_id: bos,
    tokenizer_name: d_vocab === GPT2_VOCAB ? 'gpt2' : null,
  }, where);
}

/** Per-layer buffers (the causal mask and its fill value), not weights. */
const BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;

/**
 * A Hugging Face GPT-2 state dict (keys with or without `transformer.`) in TransformerLens layout, for `cfg` from
 * `hfGpt2Config`. With `D = d_model`, `H` heads of `E`:
 * `W_Q[h][d][e] = c_attn.weight[d][h E + e]` (K at column offset D, V at 2D), `b_Q[h][e] = c_attn.bias[h E + e]`;
 * `W_O[h][e][d] = c_proj.weight[h E + e][d]`; `W_in = c_fc.weight`, `W_out = mlp.c_proj.weight`;
 * `W_E = wte`, `W_pos = wpe[:n_ctx]`, `W_U = lm_head.weight^T` (or `wte^T` when tied and absent), `b_U = 0`.
 * The `attn.bias` / `attn.masked_bias` buffers are dropped; any other unknown key is an error.
 */
export function hfGpt2StateDict(cfg: HookedTransformerConfig, tensors: Readonly<Record<string, Tensor>>, where = 'model.safetensors'): StateDict {
  const { d_model: D, n_heads: H, d_head: E, d_vocab: V, n_ctx: T } = cfg;
  const F = cfg.d_mlp!;
  const src: Record<string, Tensor> = {};
  const original: Record<string, string> = {};
  for (const [key, t] of Object.entries(tensors)) {
    const k = key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key;
    if (k in src) throw new InputError(`${where}: ${original[k]} and ${key} are the same weight`);
    src[k] = t;
    original[k] = key;
  }
  const used = new Set<string>();
  const take = (k: string, shape: number[]): Float32Array => {
    const t = src[k];
    if (!t) throw new InputError(`${where}: missing ${k} (expected shape [${shape.join(', ')}])`);
    const f = asFloat32(t, original[k]!, where);
    const ok = f.shape.length === shape.length && f.shape.every((d, i) => d === shape[i]);
    if (!ok) throw new InputError(`${where}: ${original[k]} has shape [${f.shape.join(', ')}], expected [${shape.join(', ')}]`);
    used.add(k);
    return f.data;
  };
  const out: StateDict = {};
  const put = (name: string, shape: number[], data: Float32Array) => { out[name] = { dtype: 'float32', shape, data }; };

  const wte = take('wte.weight', [V, D]);
  put('embed.W_E', [V, D], wte);
  const wpe = src['wpe.weight'];
  const P = wpe && wpe.shape.length === 2 && wpe.shape[0]! >= T ? wpe.shape[0]! : T;
  put('pos_embed.W_pos', [T, D], take('wpe.weight', [P, D]).subarray(0, T * D));
  for (let l = 0; l < cfg.n_layers; l++) {
    const h = `h.${l}`;
    const b = `blocks.${l}`;
    put(`${b}.ln1.w`, [D], take(`${h}.ln_1.weight`, [D]));
    put(`${b}.ln1.b`, [D], take(`${h}.ln_1.bias`, [D]));
    const qkv = take(`${h}.attn.c_attn.weight`, [D, 3 * D]);
    const qkvBias = take(`${h}.attn.c_attn.bias`, [3 * D]);
    ['Q', 'K', 'V'].forEach((which, part) => {
      put(`${b}.attn.W_${which}`, [H, D, E], splitHeads(qkv, D, 3 * D, part * D, H, E));
      put(`${b}.attn.b_${which}`, [H, E], qkvBias.slice(part * D, (part + 1) * D));
    });
    // [H E, D] row-major is [H, E, D] row-major: W_O is c_proj.weight reshaped.
    put(`${b}.attn.W_O`, [H, E, D], take(`${h}.attn.c_proj.weight`, [D, D]));
    put(`${b}.attn.b_O`, [D], take(`${h}.attn.c_proj.bias`, [D]));
    put(`${b}.ln2.w`, [D], take(`${h}.ln_2.weight`, [D]));
    put(`${b}.ln2.b`, [D], take(`${h}.ln_2.bias`, [D]));
    put(`${b}.mlp.W_in`, [D, F], take(`${h}.mlp.c_fc.weight`, [D, F]));
    put(`${b}.mlp.b_in`, [F], take(`${h}.mlp.c_fc.bias`, [F]));
    put(`${b}.mlp.W_out`, [F, D], take(`${h}.mlp.c_proj.weight`, [F, D]));
    put(`${b}.mlp.b_out`, [D], take(`${h}.mlp.c_proj.bias`, [D]));
  }
  put('ln_final.w', [D], take('ln_f.weight', [D]));
  put('ln_final.b', [D], take('ln_f.bias', [D]));
  put('unembed.W_U', [D, V], transpose(src['lm_head.weight'] ? take('lm_head.weight', [V, D]) : wte, V, D));
  put('unembed.b_U', [V], new Float32Array(V));
  for (const k of Object.keys(src)) {
    if (used.has(k) || BUFFER.test(k)) continue;
    throw new InputError(`${where}: unknown key ${original[k]} for a GPT-2 model with ${cfg.n_layers} layers`);
  }
  checkImported(cfg, out, where);
  return out;
}

/** Columns `[offset, offset + H E)` of a `[D, cols]` matrix as `[H, D, E]`. */
function splitHeads(w: Float32Array, D: number, cols: number, offset: number, H: number, E: number): Float32Array {
  const out = new Float32Array(H * D * E);
  for (let h = 0; h < H; h++) {
    for (let d = 0; d < D; d++) {
      const from = d * cols + offset + h * E;
      out.set(w.subarray(from, from + E), (h * D + d) * E);
    }
  }
  return out;
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

/** A whole Hugging Face GPT-2 checkpoint (parsed config.json and weights) as a TransformerLens model. */
export function importHfGpt2(
  hfConfig: Readonly<Record<string, unknown>>,
  tensors: Readonly<Record<string, Tensor>>,
  where: { config: string; weights: string } = { config: 'config.json', weights: 'model.safetensors' },
): { config: HookedTransformerConfig; weights: StateDict } {
  const config = hfGpt2Config(hfConfig, where.config);
  return { config, weights: hfGpt2StateDict(config, tensors, where.weights) };
}
