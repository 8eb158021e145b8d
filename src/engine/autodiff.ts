import { isFloat } from './dtype.js';
import { opDef, shapeStr, topoSort, type Node } from './graph.js';
import { add, fill } from './ops/elementwise.js';
// The gradients of the elementwise, layout and reduction ops build each other's ops: have all three registered.
import './ops/layout.js';
import './ops/reduce.js';

/**
 * Reverse-mode autodiff over the IR. Returns d(y)/d(w) for each `w` in `wrt`, as new graph nodes, where `y` is a
 * scalar (or any node when a `seed` adjoint of y's shape is given: then it is the vector-Jacobian product).
 * `wrt` may hold parameters and intermediate activations alike. A `w` that `y` does not depend on gets zeros.
 */
export function grad(y: Node, wrt: readonly Node[], seed?: Node): Node[] {
  if (!seed && y.shape.reduce((a, b) => a * b, 1) !== 1) {
    throw new Error(`grad: y must be a scalar (got ${shapeStr(y.shape)}); pass a seed adjoint for a vector-Jacobian product`);
  }
  if (!isFloat(y.dtype)) throw new Error(`grad: y must be a float, got ${y.dtype}`);
  if (seed && (seed.shape.length !== y.shape.length || seed.shape.some((d, i) => d !== y.shape[i]))) {
    throw new Error(`grad: the seed ${shapeStr(seed.shape)} does not have y's shape ${shapeStr(y.shape)}`);
  }
  const order = topoSort([y]);
  // Only nodes on a path from some w to y need adjoints.
  const targets = new Set(wrt.map((w) => w.id));
  const onPath = new Set<number>();
  for (const n of order) {
    if (targets.has(n.id) || n.inputs.some((i) => onPath.has(i.id))) onPath.add(n.id);
  }
  const adj = new Map<number, Node>();
  adj.set(y.id, seed ?? fill(1, y.shape, y.dtype));
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    const g = adj.get(n.id);
    if (!g || targets.has(n.id) && n.inputs.every((x) => !onPath.has(x.id))) continue;
    if (n.op === 'input' || n.op === 'const' || !n.inputs.some((x) => onPath.has(x.id))) continue;
    const def = opDef(n.op);
    if (!def.vjp) continue; // no gradient flows through (comparisons, detach)
    const gs = def.vjp(n, g);
    n.inputs.forEach((x, k) => {
      const gx = gs[k];
      if (!gx || !onPath.has(x.id) || !isFloat(x.dtype)) return;
      // A wrong-shaped adjoint would otherwise broadcast silently in the accumulation below.
      if (gx.shape.length !== x.shape.length || gx.shape.some((d, j) => d !== x.shape[j])) {
        throw new Error(`grad: the vjp of ${n.op} gave ${shapeStr(gx.shape)} for its input ${k} of shape ${shapeStr(x.shape)}`);
      }
      const prev = adj.get(x.id);
      adj.set(x.id, prev ? add(prev, gx) : gx);
    });
  }
  return wrt.map((w) => adj.get(w.id) ?? fill(0, w.shape, w.dtype));
}
