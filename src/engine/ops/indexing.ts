import { ONNX_DTYPE } from '../dtype.js';
import { apply, defineOp, shapeStr, type LowerContext, type Node } from '../graph.js';
import { sizeOf } from '../tensor.js';
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
  lower: lowerScatterNDAdd,
  vjp: (n, g) => [g, undefined, gatherND(g, n.inputs[1]!)],
});

/** Up to this many rows, a float scatter-add is a matrix product with the one-hot rows (faster than a scatter there). */
const ONE_HOT_ROWS = 128;

/**
 * ScatterND-add without onnxruntime's ScatterND. Its CPU kernel adds the updates on several threads at once, and two
 * updates to the same row (an embedding's repeated tokens) race: some are lost, so the result changes from run to
 * run and with the thread count. The first k data axes become one row index (the indices' dot product with their
 * strides) and the rest one row of r values. Then, for a few rows of floats, the one-hot matrix of the row indices
 * times the updates (Gemm: each output row sums its updates in a fixed order); otherwise ScatterElements-add over
 * the flattened data, which onnxruntime adds in order on one thread.
 */
function lowerScatterNDAdd(ctx: LowerContext, n: Node, ins: readonly string[]): string {
  const [data, idx] = n.inputs as [Node, Node];
  const k = idx.shape[idx.shape.length - 1]!;
  const m = sizeOf(idx.shape.slice(0, -1));
  const rows = sizeOf(data.shape.slice(0, k));
  const r = sizeOf(data.shape.slice(k));
  let row = ctx.emit('Reshape', [int64Indices(ctx, idx, ins[1]!), ctx.int64([m, k])])[0]!;
  // Negative indices count from the end of their axis, as ScatterND's do.
  row = ctx.emit('Where', [ctx.emit('Less', [row, ctx.int64([0], true)])[0]!, ctx.emit('Add', [row, ctx.int64(data.shape.slice(0, k))])[0]!, row])[0]!;
  if (k > 1) {
    const strides = data.shape.slice(0, k).map((_, j) => sizeOf(data.shape.slice(j + 1, k)));
    row = ctx.emit('ReduceSum', [ctx.emit('Mul', [row, ctx.int64(strides)])[0]!, ctx.int64([1])], { keepdims: 1 })[0]!;
  }
  const upto = (count: number) => ctx.int64(Array.from({ length: count }, (_, i) => i));
  let out: string;
  if (rows <= ONE_HOT_ROWS && (data.dtype === 'float32' || data.dtype === 'float64')) {
    const hot = ctx.emit('Cast', [ctx.emit('Equal', [row, upto(rows)])[0]!], { to: ONNX_DTYPE[data.dtype] })[0]!;
    const flatUpd = ctx.emit('Reshape', [ins[2]!, ctx.int64([m, r])])[0]!;
    const flatData = ctx.emit('Reshape', [ins[0]!, ctx.int64([rows, r])])[0]!;
    out = ctx.emit('Gemm', [hot, flatUpd, flatData], { transA: 1 })[0]!;
  } else {
    const at = ctx.emit('Add', [ctx.emit('Mul', [row, ctx.int64([r], true)])[0]!, upto(r)])[0]!;
    const flat = (name: string, size: number) => ctx.emit('Reshape', [name, ctx.int64([size])])[0]!;
    out = ctx.emit('ScatterElements', [flat(ins[0]!, rows * r), flat(at, m * r), flat(ins[2]!, m * r)], { axis: 0, reduction: 'add' })[0]!;
  }
  return ctx.emit('Reshape', [out, ctx.int64(data.shape)])[0]!;
}

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
