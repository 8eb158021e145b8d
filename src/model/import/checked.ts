/**
 * What every importer does last: weights in any float precision (float64 state dicts, half-precision hub files
 * widened by the safetensors reader) become the float32 `StateDict` holds, and the result is checked against the
 * config. Both failures are the file's fault, so both are InputErrors (one line, naming the file).
 */
import { InputError } from '../../engine/errors.js';
import type { Tensor } from '../../engine/tensor.js';
import type { HookedTransformerConfig } from '../config.js';
import { checkWeights, type StateDict } from '../weights.js';

/** The tensor as float32: itself when it already is, a rounded copy from float64; integer or bool is an error. */
export function asFloat32(t: Tensor, name: string, where: string): Tensor<'float32'> {
  if (t.dtype === 'float32') return t as Tensor<'float32'>;
  if (t.dtype === 'float64') return { dtype: 'float32', shape: [...t.shape], data: new Float32Array(t.data as Float64Array) };
  throw new InputError(`${where}: ${name} is ${t.dtype}, expected a floating-point weight`);
}

/** `checkWeights` (every weight present with its shape, nothing extra), its failures reported as the file's. */
export function checkImported(cfg: HookedTransformerConfig, weights: StateDict, where: string): void {
  try {
    checkWeights(cfg, weights, where);
  } catch (e) {
    throw new InputError((e as Error).message, { cause: e });
  }
}
