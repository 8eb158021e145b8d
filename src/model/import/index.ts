/**
 * Which checkpoint format a (config.json, weights) pair is, and the importer for it. Detection reads only the
 * config's fields and the weight names, so it works on bytes from anywhere (a directory, a fetch, a drop).
 */
import type { Tensor } from '../../engine/tensor.js';
import { ConfigError, validateConfig, type HookedTransformerConfig } from '../config.js';
import type { StateDict } from '../weights.js';
import { importHfGpt2, isHfGpt2 } from './hfGpt2.js';
import { importTransformerLens, isTransformerLensBuffer } from './transformerLens.js';

export { importHfGpt2, isHfGpt2, hfGpt2Config, hfGpt2StateDict, GPT2_BOS } from './hfGpt2.js';
export { importTransformerLens, isTransformerLensBuffer } from './transformerLens.js';

/**
 * `circuitscope`: config.json holds exactly our config fields (what `writeModelDir` writes);
 * `transformerlens`: TransformerLens's `to_dict()` (extra fields) and/or its buffers in the weights;
 * `hf-gpt2`: a Hugging Face GPT-2 checkpoint.
 */
export type ModelFormat = 'circuitscope' | 'transformerlens' | 'hf-gpt2';

/** Where the two parts came from, for error messages. */
export interface Sources {
  config: string;
  weights: string;
}

/** Our config's field names, read off a validated minimal config so this list cannot drift from config.ts. */
const OUR_FIELDS = new Set(Object.keys(validateConfig({ n_layers: 0, d_model: 1, n_heads: 1, d_vocab: 1, n_ctx: 1 })));

/** The format of a parsed config.json and its weight names; throws naming the file when it is none of ours. */
export function detectFormat(config: unknown, keys: readonly string[], where: Sources): ModelFormat {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new ConfigError(`${where.config}: expected a JSON object`);
  const c = config as Record<string, unknown>;
  if (isHfGpt2(c, keys)) return 'hf-gpt2';
  if ('model_type' in c || 'architectures' in c) {
    throw new ConfigError(`${where.config} field model_type: only Hugging Face GPT-2 is supported, got ${JSON.stringify(c['model_type'] ?? c['architectures'])}`);
  }
  if (!('d_model' in c)) {
    throw new ConfigError(`${where.config} field d_model: missing; not a circuitscope, TransformerLens or Hugging Face GPT-2 config`);
  }
  const extra = Object.keys(c).some((k) => !OUR_FIELDS.has(k));
  return extra || keys.some(isTransformerLensBuffer) ? 'transformerlens' : 'circuitscope';
}

/** Detects the format and imports: a validated config and a checked float32 StateDict in TransformerLens layout. */
export function importModel(
  config: unknown,
  tensors: Readonly<Record<string, Tensor>>,
  where: Sources = { config: 'config.json', weights: 'model.safetensors' },
): { config: HookedTransformerConfig; weights: StateDict; format: ModelFormat } {
  const format = detectFormat(config, Object.keys(tensors), where);
  const c = config as Record<string, unknown>;
  // Our own format is TransformerLens's without the extras, so one importer serves both.
  const m = format === 'hf-gpt2' ? importHfGpt2(c, tensors, where) : importTransformerLens(c, tensors, where);
  return { ...m, format };
}
