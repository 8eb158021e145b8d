import { Rng } from '../engine/random.js';
import type { Tensor } from '../engine/tensor.js';
import type { HookedTransformerConfig } from './config.js';
import { blockParts, embedWeights, layerNormWeights, unembedWeights, type WeightTable } from './components/index.js';

/** A state dict: TransformerLens weight names to float32 tensors of TransformerLens's shapes. */
export type StateDict = Record<string, Tensor<'float32'>>;

/** Every weight a model of this config has, with its shape, as its components declare them. */
export function weightShapes(cfg: HookedTransformerConfig): Record<string, number[]> {
  const s: Record<string, number[]> = {};
  const put = (prefix: string, table: WeightTable) => {
    for (const [leaf, shape] of Object.entries(table)) s[`${prefix}.${leaf}`] = shape;
  };
  for (const [prefix, table] of Object.entries(embedWeights(cfg))) put(prefix, table);
  for (let l = 0; l < cfg.n_layers; l++) {
    for (const [part, { weights }] of Object.entries(blockParts(cfg))) put(`blocks.${l}.${part}`, weights);
  }
  put('ln_final', layerNormWeights(cfg));
  put('unembed', unembedWeights(cfg));
  return s;
}

/**
 * TransformerLens's "gpt2" initialisation: every `W_*` from N(0, init_range), biases zero, LayerNorm weights one.
 * Seeded and reproducible: the same config and seed give the same weights.
 */
export function initWeights(cfg: HookedTransformerConfig, seed = cfg.seed ?? 0): StateDict {
  const rng = new Rng(seed);
  const out: StateDict = {};
  for (const [name, shape] of Object.entries(weightShapes(cfg))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    let data: Float32Array;
    if (leaf.startsWith('W_')) data = rng.normals(n, cfg.init_range);
    else if (leaf === 'w') data = new Float32Array(n).fill(1);
    else data = new Float32Array(n);
    out[name] = { dtype: 'float32', shape, data };
  }
  return out;
}

/** Checks a state dict against a config: every weight present with its shape, nothing extra. */
export function checkWeights(cfg: HookedTransformerConfig, weights: Readonly<Record<string, Tensor>>, where = 'weights'): void {
  const shapes = weightShapes(cfg);
  for (const [name, shape] of Object.entries(shapes)) {
    const t = weights[name];
    if (!t) throw new Error(`${where}: missing ${name} (expected shape [${shape.join(', ')}])`);
    if (t.dtype !== 'float32') throw new Error(`${where}: ${name} is ${t.dtype}, expected float32`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${where}: ${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
  }
  for (const name of Object.keys(weights)) {
    if (!(name in shapes)) throw new Error(`${where}: unexpected weight ${name} for this config`);
  }
}
