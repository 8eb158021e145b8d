import { defineOp, type LowerContext, type Node } from '../graph.js';
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
      if (onnx === 'ReduceSum') return leadingSumAsProduct(ctx, n, ins[0]!) ?? ctx.emit(onnx, [ins[0]!, ctx.int64(axes)], { keepdims })[0]!;
      return ctx.emit(onnx, ins, { axes, keepdims })[0]!;
    },
    vjp: (n, g) => [vjp(n, g)],
  });
}

/**
 * A float32 sum over leading axes (a bias's or a broadcast weight's gradient: `[batch, pos, d] -> [d]`) lowered as
 * the product `ones[1, R] @ x[R, C]`: onnxruntime's ReduceSum over leading axes is 4-6x slower than MLAS's Gemm on
 * the same data (measured on `[4096, 128]`). Summation order differs, so results agree up to float rounding.
 */
function leadingSumAsProduct(ctx: LowerContext, n: Node, x: string): string | undefined {
  const shape = n.inputs[0]!.shape;
  const axes = n.attrs['axes'] as readonly number[];
  if (n.dtype !== 'float32' || axes.length >= shape.length || !axes.every((a, i) => a === i)) return undefined;
  const rows = axes.reduce((r, a) => r * shape[a]!, 1);
  const cols = shape.slice(axes.length).reduce((c, d) => c * d, 1);
  if (rows < 16 || cols < 1) return undefined;
  const ones = ctx.emit('ConstantOfShape', [ctx.int64([1, rows])], { value: { dtype: 'float32', shape: [1], data: Float32Array.of(1) } })[0]!;
  const flat = ctx.emit('Reshape', [x, ctx.int64([rows, cols])])[0]!;
  const summed = ctx.emit('MatMul', [ones, flat])[0]!;
  return ctx.emit('Reshape', [summed, ctx.int64(n.shape)])[0]!;
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
