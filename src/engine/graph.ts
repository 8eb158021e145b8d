import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

/** An attribute of an IR node: numbers, lists of numbers, strings, booleans or a host tensor. */
export type Attr = number | readonly number[] | string | boolean | Tensor;
export type Attrs = Readonly<Record<string, Attr>>;

/**
 * A node of the tensor-graph IR. Nodes are immutable and carry their inferred shape and dtype, so a graph is
 * simply the set of nodes reachable from its outputs; there is no graph object to keep in sync.
 */
export interface Node {
  readonly id: number;
  /** `input` (a named placeholder fed at run time), `const` (a host tensor baked into the graph) or an op name. */
  readonly op: string;
  readonly inputs: readonly Node[];
  readonly attrs: Attrs;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The feed name of an `input` node. */
  readonly name?: string;
  /** The value of a `const` node. */
  readonly value?: Tensor;
}

/** What the ONNX lowering offers an op: emit ONNX nodes and small int64 constants. */
export interface LowerContext {
  /** Emits one ONNX node; returns its output value names (one unless `outputs` says more). */
  emit(opType: string, inputs: readonly string[], attrs?: Readonly<Record<string, OnnxAttr>>, outputs?: number): string[];
  /** An int64 initializer (deduplicated) holding `values` with shape `[values.length]`, or a scalar if `scalar`. */
  int64(values: readonly number[], scalar?: boolean): string;
  /** A scalar initializer of the given dtype. */
  scalar(value: number, dtype: DType): string;
}

export type OnnxAttr = number | readonly number[] | string | Tensor | { float: number } | { floats: readonly number[] };

export interface OpDef {
  /** Infers the output shape and dtype, throwing a plain message on mismatch (the op name is added). */
  infer(inputs: readonly Node[], attrs: Attrs): { shape: readonly number[]; dtype: DType };
  /** Emits the ONNX nodes computing this op from its inputs' value names; returns the output value name. */
  lower(ctx: LowerContext, node: Node, inputs: readonly string[]): string;
  /**
   * Vector-Jacobian product: given the adjoint `g` of this node, the adjoint of each input (undefined where the input
   * takes no gradient, e.g. integer indices). Built from IR ops, so gradients are graphs too.
   */
  vjp?(node: Node, g: Node): readonly (Node | undefined)[];
}

const registry = new Map<string, OpDef>();
let nextId = 0;

export function defineOp(op: string, def: OpDef): void {
  if (registry.has(op)) throw new Error(`op ${op} is defined twice`);
  registry.set(op, def);
}

export function opDef(op: string): OpDef {
  const def = registry.get(op);
  if (!def) throw new Error(`unknown op ${op}`);
  return def;
}

/** The registered ops that have a gradient rule (a `vjp`), sorted: each must have a finite-difference test. */
export function differentiableOps(): string[] {
  return [...registry].filter(([, def]) => def.vjp !== undefined).map(([op]) => op).sort();
}

/** Builds a node of a registered op, inferring its shape; a mismatch throws `op: message`. */
export function apply(op: string, inputs: readonly Node[], attrs: Attrs = {}): Node {
  const def = opDef(op);
  let out: { shape: readonly number[]; dtype: DType };
  try {
    out = def.infer(inputs, attrs);
  } catch (e) {
    throw new Error(`${op}: ${(e as Error).message}`, { cause: e });
  }
  return { id: nextId++, op, inputs, attrs, shape: out.shape, dtype: out.dtype };
}

/** A placeholder fed at run time under `name` (parameters are inputs too: weights are never baked in). */
export function input(name: string, shape: readonly number[], dtype: DType = 'float32'): Node {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`input ${name}: bad shape [${shape.join(', ')}]`);
  }
  return { id: nextId++, op: 'input', inputs: [], attrs: {}, shape: [...shape], dtype, name };
}

/** A host tensor baked into the graph as an initializer. Keep constants small: weights are inputs. */
export function constant(value: Tensor): Node {
  return { id: nextId++, op: 'const', inputs: [], attrs: {}, shape: [...value.shape], dtype: value.dtype, value };
}

export function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/** Nodes reachable from `outputs`, inputs before users. */
export function topoSort(outputs: readonly Node[]): Node[] {
  const order: Node[] = [];
  const seen = new Set<number>();
  // Iterative DFS: GPT-2's training graph is deep enough to overflow a recursive walk.
  const stack: { node: Node; next: number }[] = [];
  for (const root of outputs) {
    if (seen.has(root.id)) continue;
    seen.add(root.id);
    stack.push({ node: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.inputs.length) {
        const child = top.node.inputs[top.next++]!;
        if (!seen.has(child.id)) {
          seen.add(child.id);
          stack.push({ node: child, next: 0 });
        }
      } else {
        order.push(top.node);
        stack.pop();
      }
    }
  }
  return order;
}
