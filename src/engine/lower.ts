import type { DType } from './dtype.js';
import { opDef, topoSort, type LowerContext, type Node, type OnnxAttr } from './graph.js';
import type { Tensor } from './tensor.js';
import { encodeModel, type OnnxGraph, type OnnxNode, type OnnxValue } from './onnx/model.js';
import { findLayerNorms, type LayerNormFusion } from './fuse.js';

export interface LoweredGraph {
  /** ONNX ModelProto bytes. */
  model: Uint8Array;
  /** A content hash of `model`, the key of the session cache. */
  key: string;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  /** The ONNX op type of every emitted node, in order (which fusions fired shows here). */
  opTypes: string[];
}

/** Lowers the nodes reachable from `outputs` to an ONNX model whose outputs carry the given names. */
export function lower(outputs: Readonly<Record<string, Node>>): LoweredGraph {
  const outNodes = Object.values(outputs);
  const order = topoSort(outNodes);
  const names = new Map<number, string>();
  const nodes: OnnxNode[] = [];
  const inputs: OnnxValue[] = [];
  const initializers: { name: string; value: Tensor }[] = [];
  const int64Cache = new Map<string, string>();
  let counter = 0;
  const fresh = () => `v${counter++}`;

  const ctx: LowerContext = {
    emit(opType, ins, attrs = {}, nOut = 1) {
      const outs = Array.from({ length: nOut }, fresh);
      nodes.push({ opType, inputs: ins, outputs: outs, attrs: attrs as Record<string, OnnxAttr> });
      return outs;
    },
    int64(values, isScalar = false) {
      const key = `${isScalar ? 's' : 'v'}${values.join(',')}`;
      let name = int64Cache.get(key);
      if (!name) {
        name = `c${int64Cache.size}_i64`;
        const data = BigInt64Array.from(values.map((v) => BigInt(v)));
        initializers.push({ name, value: { dtype: 'int64', shape: isScalar ? [] : [values.length], data } });
        int64Cache.set(key, name);
      }
      return name;
    },
    scalar(value: number, dtype: DType) {
      const name = fresh();
      const data = new (dtype === 'float64' ? Float64Array : Float32Array)([value]);
      initializers.push({ name, value: { dtype, shape: [], data } as Tensor });
      return name;
    },
  };

  // Fused kernels (engine/fuse.ts) stand in for the nodes they absorb; a node is lowered only when an output
  // needs it, reading a fused node's inputs as those of its kernel.
  const outIds = new Set(outNodes.map((n) => n.id));
  const fusedAt = new Map<number, LayerNormFusion>();
  for (const f of findLayerNorms(order, outIds)) {
    fusedAt.set(f.y.id, f);
    fusedAt.set(f.scale.id, f);
  }
  const live = new Set(outIds);
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (!live.has(n.id)) continue;
    const f = fusedAt.get(n.id);
    for (const d of f ? [f.x, f.w, f.b] : n.inputs) if (d) live.add(d.id);
  }
  const leaf = (n: Node): string => {
    if (n.op === 'input') return n.name!;
    let name = names.get(n.id);
    if (!name) {
      name = fresh();
      initializers.push({ name, value: n.value! });
      names.set(n.id, name);
    }
    return name;
  };
  const emitted = new Map<LayerNormFusion, string[]>();
  const layerNormOf = (f: LayerNormFusion): string[] => {
    let outs = emitted.get(f);
    if (!outs) {
      const d = f.x.shape[f.x.shape.length - 1]!;
      const filled = (v: number) => {
        const name = fresh();
        initializers.push({ name, value: { dtype: 'float32', shape: [d], data: new Float32Array(d).fill(v) } });
        return name;
      };
      const ins = [names.get(f.x.id)!, f.w ? leaf(f.w) : filled(1), f.b ? leaf(f.b) : filled(0)];
      outs = ctx.emit('LayerNormalization', ins, { axis: -1, epsilon: { float: f.eps } }, live.has(f.scale.id) ? 3 : 1);
      emitted.set(f, outs);
    }
    return outs;
  };

  // Input nodes with the same name are the same feed (building code may call input() for a weight twice);
  // the same name with another shape or dtype is a mistake.
  const feedNames = new Map<string, Node>();
  for (const n of order) {
    if (n.op !== 'input' && !live.has(n.id)) continue;
    const fused = fusedAt.get(n.id);
    if (fused) {
      const outs = layerNormOf(fused);
      // The scale is sqrt(var + eps); the kernel's third output is its reciprocal.
      names.set(n.id, n === fused.y ? outs[0]! : ctx.emit('Reciprocal', [outs[2]!])[0]!);
      continue;
    }
    if (n.op === 'input') {
      const prior = feedNames.get(n.name!);
      names.set(n.id, n.name!);
      if (prior) {
        if (prior.dtype !== n.dtype || prior.shape.join() !== n.shape.join()) {
          throw new Error(`input ${n.name} is declared as ${prior.dtype} [${prior.shape.join(', ')}] and as ${n.dtype} [${n.shape.join(', ')}]`);
        }
        continue;
      }
      feedNames.set(n.name!, n);
      inputs.push({ name: n.name!, dtype: n.dtype, shape: n.shape });
    } else if (n.op === 'const') {
      leaf(n);
    } else {
      const ins = n.inputs.map((i) => names.get(i.id)!);
      names.set(n.id, opDef(n.op).lower(ctx, n, ins));
    }
  }

  // Graph outputs take over the name of the value that computes them, rather than going through an Identity: a
  // copy of a 200 MB logits tensor is measurable. A value that is an input, an initializer, or already an output
  // still needs its Identity.
  const producer = new Map<string, OnnxNode>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const renamed = new Map<string, string>();
  const outs: OnnxValue[] = [];
  for (const [name, node] of Object.entries(outputs)) {
    if (feedNames.has(name)) throw new Error(`output ${name} has the name of an input`);
    const value = names.get(node.id)!;
    const made = producer.get(value);
    if (made && !renamed.has(value)) {
      renamed.set(value, name);
      (made.outputs as string[])[made.outputs.indexOf(value)] = name;
    } else {
      nodes.push({ opType: 'Identity', inputs: [renamed.get(value) ?? value], outputs: [name], attrs: {} });
    }
    outs.push({ name, dtype: node.dtype, shape: node.shape });
  }
  if (renamed.size > 0) {
    for (const n of nodes) (n as { inputs: readonly string[] }).inputs = n.inputs.map((i) => renamed.get(i) ?? i);
  }
  const graph: OnnxGraph = { nodes, inputs, outputs: outs, initializers };
  const model = encodeModel(graph);
  return { model, key: hashBytes(model), inputs, outputs: outs, opTypes: nodes.map((n) => n.opType) };
}

/** cyrb53-style 53-bit hash of bytes plus their length: the session cache's key. */
export function hashBytes(b: Uint8Array): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${(h2 >>> 0).toString(16)}${(h1 >>> 0).toString(16)}_${b.length}`;
}
