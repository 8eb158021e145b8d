import { apply, topoSort, type Node } from './graph.js';
import { add, reshape } from './ops/builders.js';
import { matmul } from './ops/matmul.js';

/**
 * A LayerNorm found in the IR, lowered as one ONNX `LayerNormalization` (opset 17) rather than the seven
 * elementwise and reduction ops it is built from. The pattern is the one `ops/nn.ts` and the model's LayerNorm
 * build: `c = x - mean(x)`, `scale = sqrt(mean(c * c) + eps)`, `y = c / scale` (then `* w`, `+ b`).
 *
 * It is fused only when nothing but the pattern reads the centred input and the variance, so a graph whose
 * backward pass reuses them (training) keeps the decomposed form and computes nothing twice. `scale` may be
 * read elsewhere (`hook_scale` cached): it is then `1 / InvStdDev`, the fused kernel's second output.
 */
export interface LayerNormFusion {
  x: Node;
  eps: number;
  /** The node whose value is the fused output: the division, or the `* w` / `+ b` after it when folded. */
  y: Node;
  /** The `sqrt(var + eps)` node. */
  scale: Node;
  /** Folded weight and bias (`[d]` graph inputs or constants), when the division feeds only them. */
  w?: Node;
  b?: Node;
  /** Nodes computed inside the fused kernel, never lowered on their own (unless some other node needs them). */
  absorbed: readonly Node[];
}

const only = (users: ReadonlyMap<number, readonly Node[]>, n: Node, user: Node) => {
  const u = users.get(n.id) ?? [];
  return u.length > 0 && u.every((x) => x === user);
};

function isLastAxisMean(n: Node, x: Node): boolean {
  const axes = n.attrs['axes'] as readonly number[] | undefined;
  return n.op === 'reduceMean' && n.inputs[0] === x && n.attrs['keepdims'] === true && axes?.length === 1 && axes[0] === x.shape.length - 1;
}

function scalarConst(n: Node): number | undefined {
  return n.op === 'const' && n.value && n.value.data.length === 1 ? Number(n.value.data[0]) : undefined;
}

/** The operand of `op(a, b)` that is not `self`, when the node is that binary op of `self` and a `[d]` leaf. */
function vectorOperand(n: Node, op: string, self: Node, d: number): Node | undefined {
  if (n.op !== op) return undefined;
  const other = n.inputs[0] === self ? n.inputs[1] : n.inputs[1] === self ? n.inputs[0] : undefined;
  if (!other || (other.op !== 'input' && other.op !== 'const')) return undefined;
  return other.shape.length === 1 && other.shape[0] === d && other.dtype === n.dtype ? other : undefined;
}

/** Finds the fusable LayerNorms among `order` (topologically sorted); `outputs` holds the ids of graph outputs. */
export function findLayerNorms(order: readonly Node[], outputs: ReadonlySet<number>): LayerNormFusion[] {
  const users = new Map<number, Node[]>();
  for (const n of order) for (const i of n.inputs) (users.get(i.id) ?? users.set(i.id, []).get(i.id)!).push(n);
  const internal = (n: Node, user: Node) => !outputs.has(n.id) && only(users, n, user);
  const found: LayerNormFusion[] = [];
  for (const div of order) {
    if (div.op !== 'div' || div.dtype !== 'float32') continue;
    const [c, scale] = div.inputs as [Node, Node];
    if (c.op !== 'sub' || scale.op !== 'sqrt') continue;
    const [x, mean] = c.inputs as [Node, Node];
    if (x.shape.length < 1 || !isLastAxisMean(mean, x) || !internal(mean, c)) continue;
    const a = scale.inputs[0]!;
    if (a.op !== 'add' || !internal(a, scale)) continue;
    const [v, epsNode] = scalarConst(a.inputs[1]!) !== undefined ? [a.inputs[0]!, a.inputs[1]!] : [a.inputs[1]!, a.inputs[0]!];
    const eps = scalarConst(epsNode);
    if (eps === undefined || !isLastAxisMean(v, v.inputs[0]!) || !internal(v, a)) continue;
    const sq = v.inputs[0]!;
    if (sq.op !== 'mul' || sq.inputs[0] !== c || sq.inputs[1] !== c || !internal(sq, v)) continue;
    const cUsers = users.get(c.id) ?? [];
    if (outputs.has(c.id) || !cUsers.every((u) => u === sq || u === div)) continue;
    const absorbed: Node[] = [mean, c, sq, v, a];
    let y = div;
    let w: Node | undefined;
    let b: Node | undefined;
    const d = x.shape[x.shape.length - 1]!;
    const divUsers = users.get(div.id) ?? [];
    if (!outputs.has(div.id) && divUsers.length === 1 && (w = vectorOperand(divUsers[0]!, 'mul', div, d))) {
      absorbed.push(div);
      y = divUsers[0]!;
      const mulUsers = users.get(y.id) ?? [];
      if (!outputs.has(y.id) && mulUsers.length === 1 && (b = vectorOperand(mulUsers[0]!, 'add', y, d))) {
        absorbed.push(y);
        y = mulUsers[0]!;
      }
    }
    found.push({ x, eps, y, scale, ...(w ? { w } : {}), ...(b ? { b } : {}), absorbed });
  }
  return found;
}

/**
 * `x W (+ b)` with x of rank 3 or more, as a graph output, rebuilt as the same product of x viewed as 2-D, viewed
 * back. onnxruntime runs a rank-3 MatMul as a Gemm between two Reshapes; when the result is a graph output, the
 * last Reshape is a full copy (12 MB per MLP's hook_pre at GPT-2's batch 4x256, 200 MB for the logits). As a 2-D
 * product the Gemm writes the output itself and the view back is taken on the host (Program peels output
 * reshapes). Nodes downstream read the view, which onnxruntime aliases for free.
 */
export function flattenOutputMatmuls(outputs: readonly Node[]): Node[] {
  const cores = new Set<number>();
  for (const out of outputs) {
    let n = out;
    while (n.op === 'reshape') n = n.inputs[0]!;
    if (flatMatmul(n, false)) cores.add(n.id);
  }
  if (cores.size === 0) return [...outputs];
  // One walk, so a flattened product reads the rebuilt versions of its inputs and nothing is built twice.
  const mapped = new Map<number, Node>();
  for (const n of topoSort(outputs)) {
    const ins = n.inputs.map((i) => mapped.get(i.id) ?? i);
    const m = ins.every((x, k) => x === n.inputs[k]) ? n : apply(n.op, ins, n.attrs);
    mapped.set(n.id, (cores.has(n.id) && flatMatmul(m, true)) || m);
  }
  return outputs.map((o) => mapped.get(o.id)!);
}

function flatMatmul(n: Node, build: boolean): Node | undefined {
  let mm = n;
  let bias: Node | undefined;
  let biasFirst = false;
  if (n.op === 'add') {
    const [a, b] = n.inputs as [Node, Node];
    if (a.op === 'matmul' && b.shape.length <= 1) [mm, bias] = [a, b];
    else if (b.op === 'matmul' && a.shape.length <= 1) [mm, bias, biasFirst] = [b, a, true];
    else return undefined;
  }
  if (mm.op !== 'matmul') return undefined;
  const [x, w] = mm.inputs as [Node, Node];
  if (x.shape.length < 3 || w.shape.length !== 2) return undefined;
  if (!build) return n;
  let y = matmul(reshape(x, [-1, x.shape[x.shape.length - 1]!]), w);
  if (bias) y = biasFirst ? add(bias, y) : add(y, bias);
  return reshape(y, n.shape);
}
