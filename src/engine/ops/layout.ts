import { apply, defineOp, shapeStr, type Node } from '../graph.js';
import { sizeOf } from '../tensor.js';
import { normAxis, sameDtype } from './shapes.js';
import { sumToShape } from './elementwise.js';

defineOp('reshape', {
  infer: ([x], attrs) => {
    const target = attrs['shape'] as readonly number[];
    if (sizeOf(target) !== sizeOf(x!.shape)) throw new Error(`cannot reshape ${shapeStr(x!.shape)} to ${shapeStr(target)}`);
    return { shape: target, dtype: x!.dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('Reshape', [ins[0]!, ctx.int64(n.shape)])[0]!,
  vjp: (n, g) => [reshape(g, n.inputs[0]!.shape)],
});

/** Reshape; one entry may be -1 (inferred). */
export function reshape(x: Node, shape: readonly number[]): Node {
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const resolved = shape.map((d) => (d === -1 ? sizeOf(x.shape) / (known || 1) : d));
  if (resolved.every((d, i) => d === x.shape[i]) && resolved.length === x.shape.length) return x;
  if (!resolved.every((d) => Number.isInteger(d))) throw new Error(`reshape: cannot reshape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  return apply('reshape', [x], { shape: resolved });
}

defineOp('transpose', {
  infer: ([x], attrs) => {
    const perm = attrs['perm'] as readonly number[];
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== x!.shape.length || !sorted.every((p, i) => p === i)) {
      throw new Error(`perm [${perm.join(', ')}] is not a permutation of rank ${x!.shape.length} (input ${shapeStr(x!.shape)})`);
    }
    return { shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('Transpose', ins, { perm: n.attrs['perm'] as readonly number[] })[0]!,
  vjp: (n, g) => {
    const perm = n.attrs['perm'] as readonly number[];
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [transpose(g, inv)];
  },
});

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

defineOp('slice', {
  infer: ([x], attrs) => {
    const starts = attrs['starts'] as readonly number[];
    const ends = attrs['ends'] as readonly number[];
    const axes = attrs['axes'] as readonly number[];
    const shape = [...x!.shape];
    axes.forEach((a, i) => {
      if (starts[i]! < 0 || ends[i]! > x!.shape[a]! || starts[i]! > ends[i]!) {
        throw new Error(`range ${starts[i]}:${ends[i]} on axis ${a} is outside ${shapeStr(x!.shape)}`);
      }
      shape[a] = ends[i]! - starts[i]!;
    });
    return { shape, dtype: x!.dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('Slice', [ins[0]!, ctx.int64(n.attrs['starts'] as readonly number[]),
    ctx.int64(n.attrs['ends'] as readonly number[]), ctx.int64(n.attrs['axes'] as readonly number[])])[0]!,
  vjp: (n, g) => {
    const x = n.inputs[0]!;
    const pads = new Array<number>(2 * x.shape.length).fill(0);
    const axes = n.attrs['axes'] as readonly number[];
    axes.forEach((a, i) => {
      pads[a] = (n.attrs['starts'] as readonly number[])[i]!;
      pads[a + x.shape.length] = x.shape[a]! - (n.attrs['ends'] as readonly number[])[i]!;
    });
    return [pad(g, pads)];
  },
});

/** `x[start:end]` along each of `axes` (negative starts/ends count from the end, as in Python). */
export function slice(x: Node, starts: readonly number[], ends: readonly number[], axes?: readonly number[]): Node {
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(a, x.shape.length));
  const fix = (v: number, a: number) => Math.min(Math.max(v < 0 ? v + x.shape[a]! : v, 0), x.shape[a]!);
  return apply('slice', [x], { starts: ax.map((a, i) => fix(starts[i]!, a)), ends: ax.map((a, i) => fix(ends[i]!, a)), axes: ax });
}

defineOp('pad', {
  infer: ([x], attrs) => {
    const pads = attrs['pads'] as readonly number[];
    const r = x!.shape.length;
    if (pads.length !== 2 * r || pads.some((p) => p < 0)) throw new Error(`pads [${pads.join(', ')}] do not fit ${shapeStr(x!.shape)}`);
    return { shape: x!.shape.map((d, i) => d + pads[i]! + pads[i + r]!), dtype: x!.dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('Pad', [ins[0]!, ctx.int64(n.attrs['pads'] as readonly number[])])[0]!,
  vjp: (n, g) => {
    const x = n.inputs[0]!;
    const pads = n.attrs['pads'] as readonly number[];
    const axes = x.shape.map((_, i) => i);
    return [slice(g, axes.map((a) => pads[a]!), axes.map((a) => pads[a]! + x.shape[a]!), axes)];
  },
});

/** Zero padding: `pads` is ONNX's `[begin_0, ..., begin_n, end_0, ..., end_n]`. */
export function pad(x: Node, pads: readonly number[]): Node {
  return apply('pad', [x], { pads });
}

defineOp('concat', {
  infer: (xs, attrs) => {
    const axis = attrs['axis'] as number;
    const dtype = sameDtype(xs);
    const first = xs[0]!.shape;
    let total = 0;
    for (const x of xs) {
      if (x.shape.length !== first.length || x.shape.some((d, i) => i !== axis && d !== first[i])) {
        throw new Error(`shapes ${xs.map((y) => shapeStr(y.shape)).join(', ')} differ off axis ${axis}`);
      }
      total += x.shape[axis]!;
    }
    const shape = [...first];
    shape[axis] = total;
    return { shape, dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('Concat', ins, { axis: n.attrs['axis'] as number })[0]!,
  vjp: (n, g) => {
    const axis = n.attrs['axis'] as number;
    let at = 0;
    return n.inputs.map((x) => {
      const piece = slice(g, [at], [at + x.shape[axis]!], [axis]);
      at += x.shape[axis]!;
      return piece;
    });
  },
});

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

defineOp('expand', {
  infer: ([x], attrs) => {
    const target = attrs['shape'] as readonly number[];
    const lead = target.length - x!.shape.length;
    if (lead < 0 || x!.shape.some((d, i) => d !== 1 && d !== target[lead + i])) {
      throw new Error(`cannot broadcast ${shapeStr(x!.shape)} to ${shapeStr(target)}`);
    }
    return { shape: target, dtype: x!.dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('Expand', [ins[0]!, ctx.int64(n.shape)])[0]!,
  vjp: (n, g) => [sumToShape(g, n.inputs[0]!.shape)],
});

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
