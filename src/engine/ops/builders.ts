import { allocate, type DType } from '../dtype.js';
import { apply, constant, shapeStr, type Node } from '../graph.js';
import { sizeOf } from '../tensor.js';
import { normAxes, normAxis, sameShape } from './shapes.js';

// The builders of the elementwise, layout and reduction ops: thin functions that normalise their arguments and
// call `apply`. The op definitions (shape inference, lowering, gradient) live in elementwise.ts, layout.ts and
// reduce.ts and import these to write each other's gradients, so those three files import this one and never
// each other. A builder needs its op registered when it runs: importing the op's file (or the engine's index, or
// autodiff, which imports all three) registers it.

export type Operand = Node | number;

/** A scalar constant of the given dtype. */
export function scalar(value: number, dtype: DType = 'float32'): Node {
  const data = allocate(dtype, 1);
  if (data instanceof BigInt64Array) data[0] = BigInt(value);
  else data[0] = value;
  return constant({ dtype, shape: [], data });
}

function lift(x: Operand, like: Node): Node {
  return typeof x === 'number' ? scalar(x, like.dtype) : x;
}

function pair(a: Operand, b: Operand): [Node, Node] {
  if (typeof a === 'number' && typeof b === 'number') return [scalar(a), scalar(b)];
  if (typeof a === 'number') return [lift(a, b as Node), b as Node];
  return [a, lift(b, a)];
}

// Elementwise.
export const add = (a: Operand, b: Operand): Node => apply('add', pair(a, b));
export const sub = (a: Operand, b: Operand): Node => apply('sub', pair(a, b));
export const mul = (a: Operand, b: Operand): Node => apply('mul', pair(a, b));
export const div = (a: Operand, b: Operand): Node => apply('div', pair(a, b));
export const pow = (a: Operand, b: Operand): Node => apply('pow', pair(a, b));
export const maximum = (a: Operand, b: Operand): Node => apply('maximum', pair(a, b));
export const less = (a: Operand, b: Operand): Node => apply('less', pair(a, b));
export const greater = (a: Operand, b: Operand): Node => apply('greater', pair(a, b));
export const greaterOrEqual = (a: Operand, b: Operand): Node => apply('greaterOrEqual', pair(a, b));
export const equal = (a: Operand, b: Operand): Node => apply('equal', pair(a, b));
export const neg = (a: Node): Node => apply('neg', [a]);
export const exp = (a: Node): Node => apply('exp', [a]);
export const log = (a: Node): Node => apply('log', [a]);
export const sqrt = (a: Node): Node => apply('sqrt', [a]);
export const tanh = (a: Node): Node => apply('tanh', [a]);
export const erf = (a: Node): Node => apply('erf', [a]);
export const relu = (a: Node): Node => apply('relu', [a]);
export const sigmoid = (a: Node): Node => apply('sigmoid', [a]);
export const abs = (a: Node): Node => apply('abs', [a]);
export const reciprocal = (a: Node): Node => apply('reciprocal', [a]);
export const detach = (a: Node): Node => apply('detach', [a]);
export const where = (cond: Node, a: Operand, b: Operand): Node => {
  const [x, y] = pair(a, b);
  return apply('where', [cond, x, y]);
};
export const cast = (a: Node, to: DType): Node => (a.dtype === to ? a : apply('cast', [a], { to }));
export const fill = (value: number, shape: readonly number[], dtype: DType = 'float32'): Node =>
  apply('fill', [], { value, shape: [...shape], dtype });

// Layout.

/** Reshape; one entry may be -1 (inferred). */
export function reshape(x: Node, shape: readonly number[]): Node {
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const resolved = shape.map((d) => (d === -1 ? sizeOf(x.shape) / (known || 1) : d));
  if (resolved.every((d, i) => d === x.shape[i]) && resolved.length === x.shape.length) return x;
  if (!resolved.every((d) => Number.isInteger(d))) throw new Error(`reshape: cannot reshape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  return apply('reshape', [x], { shape: resolved });
}

export function transpose(x: Node, perm: readonly number[]): Node {
  if (perm.every((p, i) => p === i)) return x;
  return apply('transpose', [x], { perm: perm.map((p) => normAxis(p, x.shape.length)) });
}

/** Swaps the last two axes. */
export function mT(x: Node): Node {
  const r = x.shape.length;
  if (r < 2) throw new Error(`mT: needs rank >= 2, got ${shapeStr(x.shape)}`);
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose(x, perm);
}

/** `x[start:end]` along each of `axes` (negative starts/ends count from the end, as in Python). */
export function slice(x: Node, starts: readonly number[], ends: readonly number[], axes?: readonly number[]): Node {
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(a, x.shape.length));
  const fix = (v: number, a: number) => Math.min(Math.max(v < 0 ? v + x.shape[a]! : v, 0), x.shape[a]!);
  return apply('slice', [x], { starts: ax.map((a, i) => fix(starts[i]!, a)), ends: ax.map((a, i) => fix(ends[i]!, a)), axes: ax });
}

/** Zero padding: `pads` is ONNX's `[begin_0, ..., begin_n, end_0, ..., end_n]`. */
export function pad(x: Node, pads: readonly number[]): Node {
  return apply('pad', [x], { pads });
}

export function concat(xs: readonly Node[], axis: number): Node {
  if (xs.length === 0) throw new Error('concat: no inputs');
  if (xs.length === 1) return xs[0]!;
  return apply('concat', xs, { axis: normAxis(axis, xs[0]!.shape.length) });
}

/** Splits along `axis` into pieces of the given sizes. */
export function split(x: Node, sizes: readonly number[], axis: number): Node[] {
  const a = normAxis(axis, x.shape.length);
  const total = sizes.reduce((s, v) => s + v, 0);
  if (total !== x.shape[a]) throw new Error(`split: sizes [${sizes.join(', ')}] do not add up to ${x.shape[a]} on axis ${axis} of ${shapeStr(x.shape)}`);
  let at = 0;
  return sizes.map((s) => {
    const piece = slice(x, [at], [at + s], [a]);
    at += s;
    return piece;
  });
}

/** Broadcasts `x` to `shape`. */
export function expand(x: Node, shape: readonly number[]): Node {
  if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  return apply('expand', [x], { shape: [...shape] });
}

/** Inserts a size-1 axis at `axis`. */
export function unsqueeze(x: Node, axis: number): Node {
  const a = axis < 0 ? axis + x.shape.length + 1 : axis;
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Removes the size-1 axis `axis`. */
export function squeeze(x: Node, axis: number): Node {
  const a = normAxis(axis, x.shape.length);
  if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${axis} of ${shapeStr(x.shape)} is not 1`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

// Reductions.

function reducer(op: string) {
  return (x: Node, axes?: number | readonly number[], keepdims = false): Node => {
    const norm = normAxes(typeof axes === 'number' ? [axes] : axes, x.shape.length);
    // An empty list reduces nothing (numpy's axis=()); ONNX would read it as "every axis".
    if (norm.length === 0) return x;
    return apply(op, [x], { axes: norm, keepdims });
  };
}

/** Σ over `axes` (all axes when omitted). */
export const reduceSum = reducer('reduceSum');
/** Mean over `axes` (all axes when omitted). */
export const reduceMean = reducer('reduceMean');
/** Max over `axes` (all axes when omitted). */
export const reduceMax = reducer('reduceMax');

/** Index of the largest entry along `axis` (int64; no gradient). */
export function argMax(x: Node, axis = -1, keepdims = false): Node {
  return apply('argMax', [x], { axis: normAxes([axis], x.shape.length)[0]!, keepdims });
}

/** Sums a broadcast adjoint back down to `shape` (the gradient of broadcasting). */
export function sumToShape(g: Node, shape: readonly number[]): Node {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? reduceSum(g, axes, true) : g;
  return reshape(summed, shape);
}
