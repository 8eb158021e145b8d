import { allocate, isFloat, type DType } from '../dtype.js';
import { apply, constant, defineOp, opDef, shapeStr, type Node } from '../graph.js';
import { lowerErf64 } from './erf64.js';
import { broadcastShapes, sameDtype, sameShape } from './shapes.js';
import { reduceSum } from './reduce.js';
import { reshape } from './layout.js';

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
  lower: (ctx, n, ins) => ctx.emit('Cast', ins, { to: ONNX_CODE[n.dtype] })[0]!,
  vjp: (n, g) => (isFloat(n.inputs[0]!.dtype) && isFloat(n.dtype) ? [cast(g, n.inputs[0]!.dtype)] : [undefined]),
});
const ONNX_CODE: Record<DType, number> = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 };

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
export const zerosLike = (a: Node): Node => fill(0, a.shape, a.dtype);

/** Throws unless `a` has exactly `shape` (for API boundaries that want a precise message). */
export function expectShape(what: string, a: Node, shape: readonly number[]): void {
  if (!sameShape(a.shape, shape)) throw new Error(`${what}: expected shape ${shapeStr(shape)}, got ${shapeStr(a.shape)}`);
}
