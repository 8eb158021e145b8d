// Hand-built models start from all-zero weights and set single entries by index.
import type { HookedTransformer } from '../../src/model/hookedTransformer.js';
import type { StateDict } from '../../src/model/weights.js';

/** A state dict of `m`'s shapes, every entry zero, and a setter of one entry by its multi-index. */
export function zeroWeights(m: HookedTransformer): { w: StateDict; set: (name: string, idx: number[], v: number) => void } {
  const w: StateDict = {};
  for (const [k, t] of Object.entries(m.weights)) w[k] = { dtype: 'float32', shape: t.shape, data: new Float32Array(t.data.length) };
  const set = (name: string, idx: number[], v: number) => {
    const t = w[name]!;
    let off = 0;
    let stride = 1;
    for (let i = t.shape.length - 1; i >= 0; i--) { off += idx[i]! * stride; stride *= t.shape[i]!; }
    (t.data as Float32Array)[off] = v;
  };
  return { w, set };
}
