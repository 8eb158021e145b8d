import { Rng } from '../engine/random.js';
import type { Tensor } from '../engine/tensor.js';
import type { HookedTransformerConfig } from './config.js';

/** A state dict: TransformerLens weight names to float32 tensors of TransformerLens's shapes. */
export type StateDict = Record<string, Tensor<'float32'>>;

/** Every weight a model of this config has, with its shape (DESIGN.md, "Model conventions"). */
export function weightShapes(cfg: HookedTransformerConfig): Record<string, number[]> {
  const { d_model: D, n_heads: H, d_head: E, d_vocab: V, d_vocab_out: VO, n_ctx: T } = cfg;
  const s: Record<string, number[]> = { 'embed.W_E': [V, D], 'pos_embed.W_pos': [T, D] };
  const ln = (name: string) => {
    if (cfg.normalization_type === 'LN') {
      s[`${name}.w`] = [D];
      s[`${name}.b`] = [D];
    }
  };
  for (let l = 0; l < cfg.n_layers; l++) {
    const p = `blocks.${l}`;
    ln(`${p}.ln1`);
    for (const w of ['W_Q', 'W_K', 'W_V']) s[`${p}.attn.${w}`] = [H, D, E];
    for (const b of ['b_Q', 'b_K', 'b_V']) s[`${p}.attn.${b}`] = [H, E];
    s[`${p}.attn.W_O`] = [H, E, D];
    s[`${p}.attn.b_O`] = [D];
    if (!cfg.attn_only) {
      ln(`${p}.ln2`);
      s[`${p}.mlp.W_in`] = [D, cfg.d_mlp!];
      s[`${p}.mlp.b_in`] = [cfg.d_mlp!];
      s[`${p}.mlp.W_out`] = [cfg.d_mlp!, D];
      s[`${p}.mlp.b_out`] = [D];
    }
  }
  ln('ln_final');
  s['unembed.W_U'] = [D, VO];
  s['unembed.b_U'] = [VO];
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
