import { apply, defineOp, type Node } from '../graph.js';
import { normAxes } from './shapes.js';
import { div, equal, mul, cast } from './elementwise.js';
import { expand, reshape } from './layout.js';

function reducedShape(shape: readonly number[], axes: readonly number[], keep: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return out;
}

/** The adjoint of a reduction, reshaped to keep the reduced axes and broadcast back to the input's shape. */
function spread(node: Node, g: Node): Node {
  const x = node.inputs[0]!;
  const axes = node.attrs['axes'] as readonly number[];
  return expand(reshape(g, reducedShape(x.shape, axes, true)), x.shape);
}

function countOf(node: Node): number {
  const x = node.inputs[0]!;
  return (node.attrs['axes'] as readonly number[]).reduce((n, a) => n * x.shape[a]!, 1);
}

function reduction(op: string, onnx: string, vjp: (node: Node, g: Node) => Node): void {
  defineOp(op, {
    infer: ([x], attrs) => ({
      shape: reducedShape(x!.shape, attrs['axes'] as readonly number[], attrs['keepdims'] as boolean),
      dtype: x!.dtype,
    }),
    lower: (ctx, n, ins) => {
      const axes = n.attrs['axes'] as readonly number[];
      const keepdims = n.attrs['keepdims'] ? 1 : 0;
      // Opset 17: ReduceSum takes its axes as an input, the other reductions as an attribute.
      if (onnx === 'ReduceSum') return ctx.emit(onnx, [ins[0]!, ctx.int64(axes)], { keepdims })[0]!;
      return ctx.emit(onnx, ins, { axes, keepdims })[0]!;
    },
    vjp: (n, g) => [vjp(n, g)],
  });
}

reduction('reduceSum', 'ReduceSum', (n, g) => spread(n, g));
reduction('reduceMean', 'ReduceMean', (n, g) => div(spread(n, g), countOf(n)));
reduction('reduceMax', 'ReduceMax', (n, g) => {
  // Ties share the adjoint equally, as PyTorch's amax does.
  const x = n.inputs[0]!;
  const axes = n.attrs['axes'] as readonly number[];
  const hit = cast(equal(x, expand(reshape(n, reducedShape(x.shape, axes, true)), x.shape)), x.dtype);
  const ties = reduceSum(hit, axes, true);
  return mul(spread(n, g), div(hit, expand(ties, x.shape)));
});

function make(op: string) {
  return (x: Node, axes?: number | readonly number[], keepdims = false): Node => {
    const norm = normAxes(typeof axes === 'number' ? [axes] : axes, x.shape.length);
    // An empty list reduces nothing (numpy's axis=()); ONNX would read it as "every axis".
    if (norm.length === 0) return x;
    return apply(op, [x], { axes: norm, keepdims });
  };
}

/** Σ over `axes` (all axes when omitted). */
export const reduceSum = make('reduceSum');
/** Mean over `axes` (all axes when omitted). */
export const reduceMean = make('reduceMean');
/** Max over `axes` (all axes when omitted). */
export const reduceMax = make('reduceMax');

defineOp('argMax', {
  infer: ([x], attrs) => ({ shape: reducedShape(x!.shape, [attrs['axis'] as number], attrs['keepdims'] as boolean), dtype: 'int64' }),
  lower: (ctx, n, ins) => ctx.emit('ArgMax', ins, { axis: n.attrs['axis'] as number, keepdims: n.attrs['keepdims'] ? 1 : 0 })[0]!,
});

/** Index of the largest entry along `axis` (int64; no gradient). */
export function argMax(x: Node, axis = -1, keepdims = false): Node {
  return apply('argMax', [x], { axis: normAxes([axis], x.shape.length)[0]!, keepdims });
}
