import { add, concat, constant, matmul, mul, reshape, slice, type Node, type Tensor } from '../../engine/index.js';
import type { HookedTransformerConfig } from '../config.js';

/**
 * Rotary position embeddings as TransformerLens's `apply_rotary` computes them (and Hugging Face's GPT-NeoX, Llama,
 * Qwen2, Mistral and Gemma): the first `rotary_dim` dimensions of each head's query and key are rotated in pairs by
 * angle `pos / rotary_base^(2i / rotary_dim)`; the rest pass through. Pairs are (i, i + rotary_dim/2) (rotate_half,
 * the default) or (2i, 2i + 1) with `rotary_adjacent_pairs` (GPT-J). The tables are computed in float64 on the host
 * and enter the graph as constants: `x_rot = x cos + rotate(x) sin`, where `rotate` is a constant signed
 * permutation (`rotate_half(x) = [-x2, x1]`), so the graph is two products and an add, with a gradient.
 */
export function rotaryAngles(cfg: HookedTransformerConfig, T: number): Float64Array {
  const R = cfg.rotary_dim ?? cfg.d_head;
  const half = R / 2;
  const out = new Float64Array(T * R);
  for (let i = 0; i < half; i++) {
    const invFreq = 1 / cfg.rotary_base ** ((2 * i) / R);
    for (let p = 0; p < T; p++) {
      const a = p * invFreq;
      if (cfg.rotary_adjacent_pairs) {
        out[p * R + 2 * i] = a;
        out[p * R + 2 * i + 1] = a;
      } else {
        out[p * R + i] = a;
        out[p * R + i + half] = a;
      }
    }
  }
  return out;
}

const tables = new Map<string, { cos: Node; sin: Node; rot: Node }>();

function rotaryConstants(cfg: HookedTransformerConfig, T: number, dtype: 'float32' | 'float64'): { cos: Node; sin: Node; rot: Node } {
  const R = cfg.rotary_dim ?? cfg.d_head;
  const key = `${T}/${R}/${cfg.rotary_base}/${cfg.rotary_adjacent_pairs}/${dtype}`;
  let t = tables.get(key);
  if (!t) {
    const angles = rotaryAngles(cfg, T);
    const make = (f: (a: number) => number, shape: number[], data: Float64Array): Node => {
      const arr = dtype === 'float64' ? new Float64Array(data.length) : new Float32Array(data.length);
      for (let i = 0; i < data.length; i++) arr[i] = f(data[i]!);
      return constant({ dtype, shape, data: arr } as Tensor);
    };
    // rotate(x)[j] = sum_k x[k] P[k][j]: rotate_half sends x[i + R/2] to -out[i] and x[i] to out[i + R/2];
    // adjacent pairs send x[2i + 1] to -out[2i] and x[2i] to out[2i + 1].
    const P = new Float64Array(R * R);
    for (let i = 0; i < R / 2; i++) {
      const [a, b] = cfg.rotary_adjacent_pairs ? [2 * i, 2 * i + 1] : [i, i + R / 2];
      P[b * R + a] = -1;
      P[a * R + b] = 1;
    }
    t = { cos: make(Math.cos, [T, 1, R], angles), sin: make(Math.sin, [T, 1, R], angles), rot: make((x) => x, [R, R], P) };
    if (tables.size > 64) tables.clear();
    tables.set(key, t);
  }
  return t;
}

/** x `[batch, pos, head, d_head]` with rotary embeddings applied at positions 0..pos-1. */
export function applyRotary(cfg: HookedTransformerConfig, x: Node): Node {
  const [, T, H, E] = x.shape as [number, number, number, number];
  const R = cfg.rotary_dim ?? E;
  const { cos, sin, rot } = rotaryConstants(cfg, T, x.dtype === 'float64' ? 'float64' : 'float32');
  const xr = R === E ? x : slice(x, [0], [R], [3]);
  const rotated = add(mul(xr, cos), mul(reshape(matmul(reshape(xr, [-1, R]), rot), [-1, T, H, R]), sin));
  return R === E ? rotated : concat([rotated, slice(x, [R], [E], [3])], 3);
}
