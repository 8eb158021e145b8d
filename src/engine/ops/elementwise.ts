import { allocate, isFloat, ONNX_DTYPE, type DType } from '../dtype.js';
import { defineOp, opDef, type Node } from '../graph.js';
import { lowerErf64 } from './erf64.js';
import { broadcastShapes, sameDtype } from './shapes.js';
import { cast, div, greater, greaterOrEqual, less, log, mul, neg, pow, scalar, sub, sumToShape, where, exp } from './builders.js';

export {
  abs, add, cast, detach, div, equal, erf, exp, fill, greater, greaterOrEqual, less, log, maximum, mul, neg, pow, reciprocal,
  relu, scalar, sigmoid, sqrt, sub, sumToShape, tanh, where, type Operand,
} from './builders.js';

// The elementwise ops' definitions, each with its gradient; their builders are in builders.ts.

function binary(op: string, onnx: string, vjp: (node: Node, g: Node) => [Node | undefined, Node | undefined], outDtype?: DType): void {
  defineOp(op, {
    infer: ([a, b]) => {
      const dtype = sameDtype([a!, b!]);
      return { shape: broadcastShapes(a!.shape, b!.shape), dtype: outDtype ?? dtype };
    },
    lower: (ctx, _n, ins) => ctx.emit(onnx, ins)[0]!,
    vjp: (node, g) => {
      const [ga, gb] = vjp(node, g);
      return [ga && sumToShape(ga, node.inputs[0]!.shape), gb && sumToShape(gb, node.inputs[1]!.shape)];
    },
  });
}

binary('add', 'Add', (_n, g) => [g, g]);
binary('sub', 'Sub', (_n, g) => [g, neg(g)]);
binary('mul', 'Mul', (n, g) => [mul(g, n.inputs[1]!), mul(g, n.inputs[0]!)]);
binary('div', 'Div', (n, g) => {
  const [a, b] = n.inputs as [Node, Node];
  const ga = div(g, b);
  return [ga, neg(div(mul(ga, a), b))];
});
binary('pow', 'Pow', (n, g) => {
  const [a, b] = n.inputs as [Node, Node];
  // d/da a^b = b a^(b-1); d/db a^b = a^b log a (only where a > 0 matters in practice).
  return [mul(g, mul(b, pow(a, sub(b, 1)))), mul(g, mul(n, log(a)))];
});
binary('maximum', 'Max', (n, g) => {
  const [a, b] = n.inputs as [Node, Node];
  const aWins = greaterOrEqual(a, b);
  const zero = scalar(0, g.dtype);
  return [where(aWins, g, zero), where(aWins, zero, g)];
});

for (const [op, onnx] of [['less', 'Less'], ['greater', 'Greater'], ['equal', 'Equal'], ['greaterOrEqual', 'GreaterOrEqual']] as const) {
  defineOp(op, {
    infer: ([a, b]) => ({ shape: broadcastShapes(a!.shape, b!.shape), dtype: (sameDtype([a!, b!]), 'bool') }),
    lower: (ctx, _n, ins) => ctx.emit(onnx, ins)[0]!,
  });
}

function unary(op: string, onnx: string, vjp?: (node: Node, g: Node) => Node): void {
  defineOp(op, {
    infer: ([a]) => {
      if (vjp && !isFloat(a!.dtype) && op !== 'neg' && op !== 'abs') throw new Error(`needs a float input, got ${a!.dtype}`);
      return { shape: a!.shape, dtype: a!.dtype };
    },
    lower: (ctx, _n, ins) => ctx.emit(onnx, ins)[0]!,
    ...(vjp ? { vjp: (node: Node, g: Node) => [vjp(node, g)] } : {}),
  });
}

unary('neg', 'Neg', (_n, g) => neg(g));
unary('exp', 'Exp', (n, g) => mul(g, n));
unary('log', 'Log', (n, g) => div(g, n.inputs[0]!));
unary('sqrt', 'Sqrt', (n, g) => div(g, mul(n, 2)));
unary('tanh', 'Tanh', (n, g) => mul(g, sub(1, mul(n, n))));
unary('erf', 'Erf', (n, g) => {
  const x = n.inputs[0]!;
  return mul(g, mul(2 / Math.sqrt(Math.PI), exp(neg(mul(x, x)))));
});
// onnxruntime's CPU provider has Erf for float32 only; float64 graphs (gradient checks) get a composite.
const erfDef = opDef('erf');
const erfLower = erfDef.lower;
erfDef.lower = (ctx, n, ins) => (n.dtype === 'float64' ? lowerErf64(ctx, ins[0]!) : erfLower(ctx, n, ins));
unary('relu', 'Relu', (n, g) => where(greater(n.inputs[0]!, scalar(0, g.dtype)), g, scalar(0, g.dtype)));
unary('sigmoid', 'Sigmoid', (n, g) => mul(g, mul(n, sub(1, n))));
unary('abs', 'Abs', (n, g) => {
  const x = n.inputs[0]!;
  return where(less(x, scalar(0, x.dtype)), neg(g), g);
});
unary('reciprocal', 'Reciprocal', (n, g) => neg(mul(g, mul(n, n))));

defineOp('where', {
  infer: ([c, a, b]) => {
    if (c!.dtype !== 'bool') throw new Error(`condition must be bool, got ${c!.dtype}`);
    const dtype = sameDtype([a!, b!]);
    return { shape: broadcastShapes(c!.shape, broadcastShapes(a!.shape, b!.shape)), dtype };
  },
  lower: (ctx, _n, ins) => ctx.emit('Where', ins)[0]!,
  vjp: (n, g) => {
    const [c, a, b] = n.inputs as [Node, Node, Node];
    const zero = scalar(0, g.dtype);
    return [undefined, sumToShape(where(c, g, zero), a.shape), sumToShape(where(c, zero, g), b.shape)];
  },
});

defineOp('cast', {
  infer: ([a], attrs) => ({ shape: a!.shape, dtype: attrs['to'] as DType }),
  lower: (ctx, n, ins) => ctx.emit('Cast', ins, { to: ONNX_DTYPE[n.dtype] })[0]!,
  vjp: (n, g) => (isFloat(n.inputs[0]!.dtype) && isFloat(n.dtype) ? [cast(g, n.inputs[0]!.dtype)] : [undefined]),
});

/** Stops gradients: the value passes through, its adjoint does not. */
defineOp('detach', {
  infer: ([a]) => ({ shape: a!.shape, dtype: a!.dtype }),
  lower: (ctx, _n, ins) => ctx.emit('Identity', ins)[0]!,
});

/** A tensor of `shape` filled with `value` (lowered to ConstantOfShape: no large initializer in the model). */
defineOp('fill', {
  infer: (_i, attrs) => ({ shape: attrs['shape'] as readonly number[], dtype: attrs['dtype'] as DType }),
  lower: (ctx, n) => {
    const v = allocate(n.dtype, 1);
    if (v instanceof BigInt64Array) v[0] = BigInt(n.attrs['value'] as number);
    else v[0] = n.attrs['value'] as number;
    return ctx.emit('ConstantOfShape', [ctx.int64(n.shape)], { value: { dtype: n.dtype, shape: [1], data: v } })[0]!;
  },
});
