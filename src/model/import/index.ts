/**
 * Which checkpoint format a (config.json, weights) pair is, and the importer for it. Detection reads only the
 * config's fields and the weight names, so it works on bytes from anywhere (a directory, a fetch, a drop).
 */
import type { Tensor } from '../../engine/tensor.js';
import { CONFIG_FIELDS, ConfigError, type HookedTransformerConfig } from '../config.js';
import type { StateDict } from '../weights.js';
import { importHfGpt2, isHfGpt2 } from './hfGpt2.js';
import { importHfLlama, LLAMA_FAMILY } from './hfLlama.js';
import { importHfNeo, importHfNeoX } from './hfNeo.js';
import { importTransformerLens, isTransformerLensBuffer } from './transformerLens.js';

export { importHfGpt2, isHfGpt2, hfGpt2Config, hfGpt2StateDict, GPT2_BOS } from './hfGpt2.js';
export { importTransformerLens, isTransformerLensBuffer } from './transformerLens.js';
export { hfLlamaConfig, hfLlamaStateDict, importHfLlama, LLAMA_FAMILY } from './hfLlama.js';
export { hfNeoConfig, hfNeoStateDict, hfNeoXConfig, hfNeoXStateDict, importHfNeo, importHfNeoX } from './hfNeo.js';

/** Hugging Face `model_type`s circuitscope imports. */
export const HF_MODEL_TYPES = ['gpt2', 'gpt_neo', 'gpt_neox', ...LLAMA_FAMILY] as const;

/**
 * `circuitscope`: config.json holds exactly our config fields (what `writeModelDir` writes);
 * `transformerlens`: TransformerLens's `to_dict()` (extra fields) and/or its buffers in the weights;
 * `hf-gpt2`, `hf-llama`, ...: a Hugging Face checkpoint of that `model_type`.
 */
export type ModelFormat = 'circuitscope' | 'transformerlens' | 'hf-gpt2' | 'hf-gpt_neo' | 'hf-gpt_neox' | `hf-${(typeof LLAMA_FAMILY)[number]}`;

/** Where the two parts came from, for error messages. */
export interface Sources {
  config: string;
  weights: string;
}


/** The format of a parsed config.json and its weight names; throws naming the file when it is none of ours. */
export function detectFormat(config: unknown, keys: readonly string[], where: Sources): ModelFormat {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new ConfigError(`${where.config}: expected a JSON object`);
  const c = config as Record<string, unknown>;
  const type = c['model_type'];
  if (typeof type === 'string' && type !== 'gpt2' && (HF_MODEL_TYPES as readonly string[]).includes(type)) return `hf-${type}` as ModelFormat;
  if (isHfGpt2(c, keys)) return 'hf-gpt2';
  if ('model_type' in c || 'architectures' in c) {
    throw new ConfigError(`${where.config} field model_type: expected one of ${HF_MODEL_TYPES.join(', ')}, got ${JSON.stringify(c['model_type'] ?? c['architectures'])}`);
  }
  if (!('d_model' in c)) {
    throw new ConfigError(`${where.config} field d_model: missing; not a circuitscope, TransformerLens or Hugging Face GPT-2 config`);
  }
  const extra = Object.keys(c).some((k) => !CONFIG_FIELDS.has(k));
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
  const m = format === 'hf-gpt2' ? importHfGpt2(c, tensors, where)
    : format === 'hf-gpt_neo' ? importHfNeo(c, tensors, where)
      : format === 'hf-gpt_neox' ? importHfNeoX(c, tensors, where)
        : format.startsWith('hf-') ? importHfLlama(c, tensors, where)
          : importTransformerLens(c, tensors, where);
  return { ...m, format };
}
