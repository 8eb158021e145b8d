import { BYTES, ONNX_DTYPE, type DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import type { OnnxAttr } from '../graph.js';
import { ProtoWriter } from './protobuf.js';

/** The opset every lowered graph targets (LayerNormalization and reductions with `reduction` exist from 17). */
export const OPSET = 17;
const IR_VERSION = 8;

export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: string[];
  attrs: Readonly<Record<string, OnnxAttr>>;
}

export interface OnnxValue {
  name: string;
  dtype: DType;
  shape: readonly number[];
}

export interface OnnxGraph {
  nodes: readonly OnnxNode[];
  inputs: readonly OnnxValue[];
  outputs: readonly OnnxValue[];
  initializers: readonly { name: string; value: Tensor }[];
}

function tensorProto(name: string, t: Tensor): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.shape) w.varint(1, d);
  w.varint(2, ONNX_DTYPE[t.dtype]);
  if (name) w.string(8, name);
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * BYTES[t.dtype]);
  w.bytes(9, bytes);
  return w;
}

function attributeProto(name: string, v: OnnxAttr): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: use { float } for non-integer values`);
    return w.varint(3, v).varint(20, 2);
  }
  if (typeof v === 'string') return w.bytes(4, new TextEncoder().encode(v)).varint(20, 3);
  if (Array.isArray(v)) return w.packedVarints(8, v as readonly number[]).varint(20, 7);
  if ('float' in v) return w.float(2, v.float).varint(20, 1);
  if ('floats' in v) return w.packedFloats(7, v.floats).varint(20, 6);
  return w.message(5, tensorProto('', v as Tensor)).varint(20, 4);
}

function valueInfo(v: OnnxValue): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) shape.message(1, new ProtoWriter().varint(1, d));
  const tensorType = new ProtoWriter().varint(1, ONNX_DTYPE[v.dtype]).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

/** Serialises a graph to ONNX ModelProto bytes. */
export function encodeModel(g: OnnxGraph): Uint8Array {
  const graph = new ProtoWriter();
  g.nodes.forEach((n, i) => {
    const w = new ProtoWriter();
    for (const x of n.inputs) w.string(1, x);
    for (const y of n.outputs) w.string(2, y);
    w.string(3, `${n.opType}_${i}`).string(4, n.opType);
    for (const [k, v] of Object.entries(n.attrs)) w.message(5, attributeProto(k, v));
    graph.message(1, w);
  });
  graph.string(2, 'circuitscope');
  for (const init of g.initializers) graph.message(5, tensorProto(init.name, init.value));
  for (const x of g.inputs) graph.message(11, valueInfo(x));
  for (const y of g.outputs) graph.message(12, valueInfo(y));
  const opset = new ProtoWriter().string(1, '').varint(2, OPSET);
  return new ProtoWriter().varint(1, IR_VERSION).string(2, 'circuitscope').message(7, graph).message(8, opset).finish();
}
