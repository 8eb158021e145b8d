import { apply, defineOp, type Node } from '../graph.js';
import { normAxis } from './shapes.js';
import { exp, mul, sub } from './elementwise.js';
import { reduceSum } from './reduce.js';
import { matmul } from './matmul.js';

defineOp('softmax', {
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  lower: (ctx, n, ins) => ctx.emit('Softmax', ins, { axis: n.attrs['axis'] as number })[0]!,
  // dx = y * (g - Σ g y)
  vjp: (n, g) => [mul(n, sub(g, attentionRowDot(n, g) ?? reduceSum(mul(g, n), n.attrs['axis'] as number, true)))],
});

/**
 * Σ_j g_ij y_ij for y = softmax(scores) read by z = y @ v, when y's adjoint is g = a @ vᵀ (a: z's adjoint, as
 * matmul's gradient builds it): then Σ_j g_ij y_ij = Σ_j Σ_e a_ie v_je y_ij = Σ_e a_ie z_ie, a sum over d_head
 * rather than over every key (FlashAttention's rowsum(dO ∘ O)). `matmul(y, v)` here is rebuilt, and merged with
 * the forward's product when the graph is compiled (engine/simplify.ts). Undefined when g has another form, or
 * when the value axis is not shorter than the key axis (no saving).
 */
function attentionRowDot(y: Node, g: Node): Node | undefined {
  const r = y.shape.length;
  if (r < 2 || y.attrs['axis'] !== r - 1 || g.op !== 'matmul') return undefined;
  const [a, vt] = g.inputs as [Node, Node];
  const perm = vt.attrs['perm'] as readonly number[] | undefined;
  if (vt.op !== 'transpose' || !perm || perm.length !== r || !perm.every((p, i) => p === (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i))) return undefined;
  const v = vt.inputs[0]!;
  if (v.shape.length !== r || v.shape[r - 2] !== y.shape[r - 1] || v.shape[r - 1]! >= y.shape[r - 1]!) return undefined;
  const z = matmul(y, v);
  if (z.shape.length !== a.shape.length || z.shape.some((d, i) => d !== a.shape[i])) return undefined;
  return reduceSum(mul(a, z), -1, true);
}

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
