import { apply, topoSort, type Attr, type Node } from './graph.js';
import { broadcastShapes } from './ops/shapes.js';

const BROADCASTING = new Set(['add', 'sub', 'mul', 'div']);

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Rewrites a graph before lowering, computing the same values:
 *
 * - **Common subexpressions merge**: two nodes of the same op, inputs and attributes become one. Gradient rules
 *   may rebuild a forward value rather than search the graph for it (softmax's backward rebuilds `pattern @ v`);
 *   here it becomes the forward's node again, computed once.
 * - **Broadcasts stay implicit**: an `expand` read by an elementwise add, sub, mul or div is dropped when the op's
 *   own broadcasting gives the same shape (a reduction's gradient is built as an expand, then added to others),
 *   and `expand(x) * s` / `expand(x) / s` with a scalar s becomes `expand(x * s)`, so the scaling runs on the small
 *   tensor and the expand can then vanish into its user. onnxruntime materialises every Expand.
 *
 * Values are unchanged bit for bit: broadcasting reads the same numbers a materialised expand holds.
 */
export function simplify(outputs: readonly Node[]): Node[] {
  const mapped = new Map<number, Node>();
  const byKey = new Map<string, Node>();
  for (const n of topoSort(outputs)) {
    if (n.op === 'input' || n.op === 'const') {
      mapped.set(n.id, n);
      continue;
    }
    const ins = n.inputs.map((i) => mapped.get(i.id) ?? i);
    let m = peephole(n.op, ins, n.attrs, n) ?? (ins.every((x, k) => x === n.inputs[k]) ? n : apply(n.op, ins, n.attrs));
    const key = keyOf(m);
    if (key !== undefined) {
      const prior = byKey.get(key);
      if (prior) m = prior;
      else byKey.set(key, m);
    }
    mapped.set(n.id, m);
  }
  return outputs.map((o) => mapped.get(o.id)!);
}

/** A replacement for `op(ins)` (shape and dtype those of `orig`), or undefined to build it as it is. */
function peephole(op: string, ins: readonly Node[], attrs: Readonly<Record<string, Attr>>, orig: Node): Node | undefined {
  if (!BROADCASTING.has(op) || ins.length !== 2) return undefined;
  let [a, b] = ins as [Node, Node];
  // expand(x) * s, expand(x) / s, s * expand(x) with a scalar s: scale x, then expand.
  const scalar = (n: Node) => n.shape.every((d) => d === 1) && n.shape.length <= 1;
  const scaled = (x: Node, inner: Node): Node | undefined => {
    const e = apply('expand', [inner], { shape: orig.shape });
    return sameShape(x.shape, orig.shape) && inner.shape.length <= orig.shape.length ? e : undefined;
  };
  if ((op === 'mul' || op === 'div') && a.op === 'expand' && scalar(b) && a.dtype === b.dtype) {
    const r = scaled(a, apply(op, [a.inputs[0]!, b], attrs));
    if (r) return r;
  }
  if (op === 'mul' && b.op === 'expand' && scalar(a) && a.dtype === b.dtype) {
    const r = scaled(b, apply(op, [a, b.inputs[0]!], attrs));
    if (r) return r;
  }
  let changed = false;
  const fits = (x: Node, y: Node) => {
    try {
      return sameShape(broadcastShapes(x.shape, y.shape), orig.shape);
    } catch {
      return false;
    }
  };
  if (a.op === 'expand' && fits(a.inputs[0]!, b)) {
    a = a.inputs[0]!;
    changed = true;
  }
  if (b.op === 'expand' && fits(a, b.inputs[0]!)) {
    b = b.inputs[0]!;
    changed = true;
  }
  return changed ? apply(op, [a, b], attrs) : undefined;
}

/** The merge key of a node: op, input ids and attributes (none for leaves, or attributes holding tensors). */
function keyOf(n: Node): string | undefined {
  let attrs = '';
  for (const k of Object.keys(n.attrs).sort()) {
    const v = n.attrs[k]!;
    if (typeof v === 'object' && !Array.isArray(v)) return undefined;
    attrs += `${k}=${JSON.stringify(v)};`;
  }
  return `${n.op}(${n.inputs.map((i) => i.id).join(',')}){${attrs}}`;
}
