import { defineOp, shapeStr } from '../graph.js';
import { sizeOf } from '../tensor.js';
import { sameDtype } from './shapes.js';
import { pad, reshape, slice, sumToShape, transpose } from './builders.js';

export { concat, expand, mT, pad, reshape, slice, split, squeeze, transpose, unsqueeze } from './builders.js';

// The layout ops' definitions, each with its gradient; their builders are in builders.ts.

defineOp('reshape', {
  infer: ([x], attrs) => {
    const target = attrs['shape'] as readonly number[];
    if (sizeOf(target) !== sizeOf(x!.shape)) throw new Error(`cannot reshape ${shapeStr(x!.shape)} to ${shapeStr(target)}`);
    return { shape: target, dtype: x!.dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('Reshape', [ins[0]!, ctx.int64(n.shape)])[0]!,
  vjp: (n, g) => [reshape(g, n.inputs[0]!.shape)],
});

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
