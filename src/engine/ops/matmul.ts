import { apply, defineOp, shapeStr, type Node } from '../graph.js';
import { broadcastShapes, sameDtype } from './shapes.js';
import { sumToShape } from './elementwise.js';
import { mT, reshape } from './layout.js';

defineOp('matmul', {
  infer: ([a, b]) => {
    const dtype = sameDtype([a!, b!]);
    const sa = a!.shape;
    const sb = b!.shape;
    if (sa.length < 2 || sb.length < 2) throw new Error(`needs rank >= 2 operands, got ${shapeStr(sa)} and ${shapeStr(sb)}`);
    if (sa[sa.length - 1] !== sb[sb.length - 2]) {
      throw new Error(`inner dimensions differ: ${shapeStr(sa)} @ ${shapeStr(sb)}`);
    }
    let batch: number[];
    try {
      batch = broadcastShapes(sa.slice(0, -2), sb.slice(0, -2));
    } catch {
      throw new Error(`batch dimensions of ${shapeStr(sa)} and ${shapeStr(sb)} do not broadcast`);
    }
    return { shape: [...batch, sa[sa.length - 2]!, sb[sb.length - 1]!], dtype };
  },
  lower: (ctx, _n, ins) => ctx.emit('MatMul', ins)[0]!,
  vjp: (n, g) => {
    const [a, b] = n.inputs as [Node, Node];
    return [gradLeft(g, a, b), gradRight(g, a, b)];
  },
});

// A weight shared across a batch (x[B,T,D] @ W[D,E]) gets its gradient from one flat matmul over all rows,
// rather than a batched product followed by a sum over the batch.
// A wide weight (more columns than rows, the unembedding [d_model, d_vocab]) gets its gradient as (gᵀ a)ᵀ: MLAS
// runs the product with the long side as rows 15-30% faster than aᵀ g (profiled at [4096, 128] x [4096, 2048] and
// [4096, 128] x [4096, 257]), and the transpose of the small result costs about 1%.
function gradRight(g: Node, a: Node, b: Node): Node {
  if (b.shape.length === 2 && a.shape.length >= 2 && (a.shape.length > 2 || g.shape.length === 2)) {
    const k = a.shape[a.shape.length - 1]!;
    const n = g.shape[g.shape.length - 1]!;
    const a2 = a.shape.length > 2 ? reshape(a, [-1, k]) : a;
    const g2 = g.shape.length > 2 ? reshape(g, [-1, n]) : g;
    return n > k ? mT(matmul(mT(g2), a2)) : matmul(mT(a2), g2);
  }
  // Attention's dV = patternᵀ dz: with a square [T, T] left operand and a narrow result, (dzᵀ pattern)ᵀ avoids
  // MLAS's slow transposed-A path on the large matrix (profiled at [16, 8, 256, 256]: 57-84 ms against 49-56 ms
  // with the transpose of the small result).
  const [m, k, n] = [a.shape[a.shape.length - 2]!, a.shape[a.shape.length - 1]!, g.shape[g.shape.length - 1]!];
  if (a.shape.length > 2 && m === k && n < k) return sumToShape(mT(matmul(mT(g), a)), b.shape);
  return sumToShape(matmul(mT(a), g), b.shape);
}

function gradLeft(g: Node, a: Node, b: Node): Node {
  return sumToShape(matmul(g, mT(b)), a.shape);
}

/** Batched, broadcasting matrix product `a @ b` over the last two axes. */
export function matmul(a: Node, b: Node): Node {
  return apply('matmul', [a, b]);
}
