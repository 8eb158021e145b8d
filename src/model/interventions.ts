import { input, reduceMean, expand, where, type Node } from '../engine/index.js';
import type { Tensor } from '../engine/tensor.js';
import { hookAxes } from './hookPoints.js';

/**
 * A declarative intervention at one hook point, compiled into the forward graph (so it runs at full speed and in
 * the browser). `heads` and `positions` restrict it (head axis: q/k/v/z/result/scores/pattern; positions: the
 * destination axis); the rest of the activation is untouched.
 * - `zero`: set to 0 (zero ablation; on `hook_z` of a head this removes exactly that head's term).
 * - `mean`: set to the mean over the batch (per position), or to `means` when given (shape of one batch row).
 * - `patch`: set to `source`, an activation of the same shape from another run (activation patching, resample
 *   ablation with a cache of other inputs).
 */
export type Intervention =
  | { hook: string; kind: 'zero'; heads?: readonly number[]; positions?: readonly number[] }
  | { hook: string; kind: 'mean'; heads?: readonly number[]; positions?: readonly number[]; means?: Tensor<'float32'> }
  | { hook: string; kind: 'patch'; source: Tensor<'float32'>; heads?: readonly number[]; positions?: readonly number[] };

/** The graph-level form of the interventions at one hook: a function of the clean activation. */
export function applyInterventions(x: Node, list: readonly Intervention[], feeds: Record<string, Tensor>, tag: string): Node {
  let out = x;
  list.forEach((iv, k) => {
    let value: Node | number;
    if (iv.kind === 'zero') value = 0;
    else if (iv.kind === 'mean') {
      if (iv.means) {
        const name = `${tag}:${k}:means`;
        feeds[name] = iv.means;
        value = expand(input(name, iv.means.shape, 'float32'), x.shape);
      } else value = expand(reduceMean(x, 0, true), x.shape);
    } else {
      const name = `${tag}:${k}:source`;
      checkShape(iv.hook, iv.source, x.shape);
      feeds[name] = iv.source;
      value = input(name, x.shape, 'float32');
    }
    // The mask is fed, not baked in, so one compiled graph serves every choice of heads and positions
    // (activation patching runs it once per layer and position).
    const mask = maskFor(iv, x.shape);
    const maskName = `${tag}:${k}:mask`;
    feeds[maskName] = mask;
    out = where(input(maskName, mask.shape, 'bool'), value, out);
  });
  return out;
}

/** The structure of a list of interventions (what decides the compiled graph), without their data. */
export function interventionSignature(list: readonly Intervention[]): string {
  return list.map((iv) => `${iv.hook}:${iv.kind}:${iv.kind === 'mean' && iv.means ? 'm' : ''}`).join(';');
}

function checkShape(hook: string, t: Tensor, shape: readonly number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`patch at ${hook}: source has shape [${t.shape.join(', ')}], the activation has [${shape.join(', ')}]`);
  }
}

/** A boolean mask broadcasting over the activation (size 1 but on the position and head axes), true where it applies. */
function maskFor(iv: Intervention, shape: readonly number[]): Tensor<'bool'> {
  const axes = hookAxes(iv.hook);
  const maskShape = shape.map(() => 1);
  maskShape[axes.pos] = shape[axes.pos]!;
  if (axes.head !== null) maskShape[axes.head] = shape[axes.head]!;
  const check = (what: string, idx: readonly number[], axis: number) => {
    for (const i of idx) {
      if (!Number.isInteger(i) || i < 0 || i >= shape[axis]!) throw new Error(`intervention at ${iv.hook}: ${what} ${i} is out of range 0..${shape[axis]! - 1}`);
    }
  };
  if (iv.heads) {
    if (axes.head === null) throw new Error(`intervention at ${iv.hook}: this activation has no head axis`);
    check('head', iv.heads, axes.head);
  }
  if (iv.positions) check('position', iv.positions, axes.pos);
  const size = maskShape.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(size);
  const strides = maskShape.map((_, i) => maskShape.slice(i + 1).reduce((a, b) => a * b, 1));
  const heads = iv.heads ? new Set(iv.heads) : null;
  const positions = iv.positions ? new Set(iv.positions) : null;
  for (let f = 0; f < size; f++) {
    const h = axes.head === null ? 0 : Math.floor(f / strides[axes.head]!) % maskShape[axes.head]!;
    const p = Math.floor(f / strides[axes.pos]!) % maskShape[axes.pos]!;
    data[f] = (!heads || heads.has(h)) && (!positions || positions.has(p)) ? 1 : 0;
  }
  return { dtype: 'bool', shape: maskShape, data };
}
