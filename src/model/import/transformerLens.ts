/**
 * TransformerLens state dicts (`model.state_dict()` saved as safetensors) with `HookedTransformerConfig.to_dict()`
 * as config.json. The names and shapes are already ours; what differs is the buffers TransformerLens registers
 * beside the weights and the extra config fields, which `validateConfig` accepts at their defaults.
 */
import type { Tensor } from '../../engine/tensor.js';
import { validateConfig, type ConfigInput, type HookedTransformerConfig } from '../config.js';
import type { StateDict } from '../weights.js';
import { asFloat32, checkImported } from './checked.js';

/**
 * Buffers, not weights: the causal mask (`blocks.{l}.attn.mask`) and the masked-score fill value
 * (`blocks.{l}.attn.IGNORE`), under whatever module TransformerLens registered them.
 */
export function isTransformerLensBuffer(name: string): boolean {
  return name.endsWith('.IGNORE') || name.endsWith('.mask') || name === 'IGNORE' || name === 'mask';
}

/**
 * A TransformerLens config dict and state dict as a validated config and StateDict: buffers dropped, weights
 * widened or rounded to float32, then every weight checked against the config's shapes (nothing missing,
 * nothing extra).
 */
export function importTransformerLens(
  tlConfig: Readonly<Record<string, unknown>>,
  tensors: Readonly<Record<string, Tensor>>,
  where: { config: string; weights: string } = { config: 'config.json', weights: 'model.safetensors' },
): { config: HookedTransformerConfig; weights: StateDict } {
  const config = validateConfig(tlConfig as ConfigInput, where.config);
  const weights: StateDict = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (isTransformerLensBuffer(name)) continue;
    weights[name] = asFloat32(t, name, where.weights);
  }
  checkImported(config, weights, where.weights);
  return { config, weights };
}
