import { ONNX_DTYPE } from '../dtype.js';
import { apply, defineOp, shapeStr, type LowerContext, type Node } from '../graph.js';
import { normAxis } from './shapes.js';
import { fill } from './elementwise.js';
import { unsqueeze } from './layout.js';

function needIndices(i: Node): void {
  if (i.dtype !== 'int64' && i.dtype !== 'int32') throw new Error(`indices must be int32 or int64, got ${i.dtype}`);
}

defineOp('gather', {
  infer: ([data, idx], attrs) => {
    needIndices(idx!);
    const axis = attrs['axis'] as number;
    const s = data!.shape;
    return { shape: [...s.slice(0, axis), ...idx!.shape, ...s.slice(axis + 1)], dtype: data!.dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('Gather', ins, { axis: n.attrs['axis'] as number })[0]!,
  vjp: (n, g) => {
    const [data, idx] = n.inputs as [Node, Node];
    if (n.attrs['axis'] !== 0) throw new Error('gather: gradients are implemented for axis 0 (embedding lookup)');
    // The adjoint of a lookup is a scatter-add of the rows' adjoints: duplicates accumulate.
    return [scatterNDAdd(fill(0, data.shape, data.dtype), unsqueeze(idx, -1), g), undefined];
  },
});

/** `data.take(indices, axis)`: an embedding lookup when axis is 0. */
export function gather(data: Node, indices: Node, axis = 0): Node {
  return apply('gather', [data, indices], { axis: normAxis(axis, data.shape.length) });
}

defineOp('scatterNDAdd', {
  infer: ([data, idx, upd]) => {
    needIndices(idx!);
    const k = idx!.shape[idx!.shape.length - 1]!;
    const expect = [...idx!.shape.slice(0, -1), ...data!.shape.slice(k)];
    if (upd!.shape.length !== expect.length || upd!.shape.some((d, i) => d !== expect[i])) {
      throw new Error(`updates ${shapeStr(upd!.shape)} do not fit data ${shapeStr(data!.shape)} and indices ${shapeStr(idx!.shape)}`);
    }
    return { shape: data!.shape, dtype: data!.dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('ScatterND', [ins[0]!, int64Indices(ctx, n.inputs[1]!, ins[1]!), ins[2]!], { reduction: 'add' })[0]!,
  vjp: (n, g) => [g, undefined, gatherND(g, n.inputs[1]!)],
});

// ONNX's ScatterND and GatherND take int64 indices only.
function int64Indices(ctx: LowerContext, idx: Node, name: string): string {
  return idx.dtype === 'int64' ? name : ctx.emit('Cast', [name], { to: ONNX_DTYPE.int64 })[0]!;
}

defineOp('gatherND', {
  infer: ([data, idx]) => {
    needIndices(idx!);
    const k = idx!.shape[idx!.shape.length - 1]!;
    if (idx!.shape.length === 0 || k > data!.shape.length) {
      throw new Error(`indices ${shapeStr(idx!.shape)} do not index data ${shapeStr(data!.shape)}`);
    }
    return { shape: [...idx!.shape.slice(0, -1), ...data!.shape.slice(k)], dtype: data!.dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('GatherND', [ins[0]!, int64Indices(ctx, n.inputs[1]!, ins[1]!)])[0]!,
  vjp: (n, g) => {
    const [data, idx] = n.inputs as [Node, Node];
    return [scatterNDAdd(fill(0, data.shape, data.dtype), idx, g), undefined];
  },
});

/** `out[i] = data[indices[i, 0], ..., indices[i, k-1]]` (ONNX GatherND): the adjoint of scatterNDAdd's updates. */
export function gatherND(data: Node, indices: Node): Node {
  return apply('gatherND', [data, indices]);
}

/** `data` with `updates` added at `indices` (ONNX ScatterND, reduction add; repeated indices accumulate). */
export function scatterNDAdd(data: Node, indices: Node, updates: Node): Node {
  return apply('scatterNDAdd', [data, indices, updates]);
}

defineOp('gatherElements', {
  infer: ([data, idx], attrs) => {
    needIndices(idx!);
    const axis = attrs['axis'] as number;
    if (idx!.shape.length !== data!.shape.length || idx!.shape.some((d, i) => i !== axis && d !== data!.shape[i])) {
      throw new Error(`indices ${shapeStr(idx!.shape)} do not fit data ${shapeStr(data!.shape)} off axis ${axis}`);
    }
    return { shape: idx!.shape, dtype: data!.dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('GatherElements', ins, { axis: n.attrs['axis'] as number })[0]!,
  vjp: (n, g) => {
    const [data, idx] = n.inputs as [Node, Node];
    return [scatterElementsAdd(fill(0, data.shape, data.dtype), idx, g, n.attrs['axis'] as number), undefined];
  },
});

/** `out[i][j] = data[i][indices[i][j]]` along `axis` (torch.gather). */
export function gatherElements(data: Node, indices: Node, axis: number): Node {
  return apply('gatherElements', [data, indices], { axis: normAxis(axis, data.shape.length) });
}

defineOp('scatterElementsAdd', {
  infer: ([data, idx, upd]) => {
    needIndices(idx!);
    if (upd!.shape.length !== idx!.shape.length || upd!.shape.some((d, i) => d !== idx!.shape[i])) {
      throw new Error(`updates ${shapeStr(upd!.shape)} and indices ${shapeStr(idx!.shape)} differ`);
    }
    return { shape: data!.shape, dtype: data!.dtype };
  },
  lower: (ctx, n, ins) => ctx.emit('ScatterElements', ins, { axis: n.attrs['axis'] as number, reduction: 'add' })[0]!,
  vjp: (n, g) => [g, undefined, gatherElements(g, n.inputs[1]!, n.attrs['axis'] as number)],
});

/** `data` with `updates` added along `axis` at `indices` (torch.scatter_add). */
export function scatterElementsAdd(data: Node, indices: Node, updates: Node, axis: number): Node {
  return apply('scatterElementsAdd', [data, indices, updates], { axis: normAxis(axis, data.shape.length) });
}
