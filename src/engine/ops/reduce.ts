import { defineOp, type Node } from '../graph.js';
import { cast, div, equal, expand, mul, reduceSum, reshape } from './builders.js';

export { argMax, reduceMax, reduceMean, reduceSum } from './builders.js';

// The reductions' definitions, each with its gradient; their builders are in builders.ts.

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

defineOp('argMax', {
  infer: ([x], attrs) => ({ shape: reducedShape(x!.shape, [attrs['axis'] as number], attrs['keepdims'] as boolean), dtype: 'int64' }),
  lower: (ctx, n, ins) => ctx.emit('ArgMax', ins, { axis: n.attrs['axis'] as number, keepdims: n.attrs['keepdims'] ? 1 : 0 })[0]!,
});
