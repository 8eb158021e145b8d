import { apply, defineOp, type Node } from '../graph.js';
import { normAxis } from './shapes.js';
import { exp, mul, sub } from './elementwise.js';
import { reduceSum } from './reduce.js';

defineOp('softmax', {
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  lower: (ctx, n, ins) => ctx.emit('Softmax', ins, { axis: n.attrs['axis'] as number })[0]!,
  // dx = y * (g - Σ g y)
  vjp: (n, g) => [mul(n, sub(g, reduceSum(mul(g, n), n.attrs['axis'] as number, true)))],
});

defineOp('logSoftmax', {
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  lower: (ctx, n, ins) => ctx.emit('LogSoftmax', ins, { axis: n.attrs['axis'] as number })[0]!,
  // dx = g - softmax(x) Σ g
  vjp: (n, g) => [sub(g, mul(exp(n), reduceSum(g, n.attrs['axis'] as number, true)))],
});

/** softmax(x)_i = exp(x_i) / Σ_j exp(x_j) along `axis`. */
export function softmax(x: Node, axis = -1): Node {
  return apply('softmax', [x], { axis: normAxis(axis, x.shape.length) });
}

/** log softmax(x)_i = x_i - log Σ_j exp(x_j) along `axis`. */
export function logSoftmax(x: Node, axis = -1): Node {
  return apply('logSoftmax', [x], { axis: normAxis(axis, x.shape.length) });
}
