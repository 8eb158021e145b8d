import type { Tensor } from '../engine/tensor.js';
import { parseSafetensors, serializeSafetensors } from '../model/safetensors.js';
import type { StateDict } from '../model/weights.js';
import type { Checkpoint } from './trainer.js';

const FORMAT = 'circuitscope.trainer-state/1';

/**
 * The trainer's state beside the weights: AdamW's moments (named as torch names them, exp_avg and exp_avg_sq), its
 * step count, where the data iterator stands, and the sequence length trained at with the step its schedule started
 * from, as one safetensors file with the counters in its metadata.
 */
export function serializeTrainerState(c: Checkpoint): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(c.m)) tensors[`exp_avg.${k}`] = t;
  for (const [k, t] of Object.entries(c.v)) tensors[`exp_avg_sq.${k}`] = t;
  return serializeSafetensors(tensors, {
    format: FORMAT,
    step: String(c.step),
    tokens: String(c.tokens),
    optimizer_step: String(c.optimizerStep),
    data: JSON.stringify(c.data),
    ...(c.phase ? { seq_len: String(c.phase.seqLen), schedule_since: String(c.phase.since) } : {}),
  });
}

/** Reads what serializeTrainerState wrote, with the weights it goes with, back into a Checkpoint. */
export function parseTrainerState(bytes: Uint8Array, weights: StateDict, where: string): Checkpoint {
  const { tensors, metadata } = parseSafetensors(bytes, where);
  if (metadata['format'] !== FORMAT) throw new Error(`${where}: not a circuitscope trainer state (format ${metadata['format'] ?? 'missing'}, expected ${FORMAT})`);
  const m: StateDict = {};
  const v: StateDict = {};
  for (const name of Object.keys(weights)) {
    const a = tensors[`exp_avg.${name}`];
    const b = tensors[`exp_avg_sq.${name}`];
    if (!a || !b) throw new Error(`${where}: no optimizer state for ${name}`);
    m[name] = a as Tensor<'float32'>;
    v[name] = b as Tensor<'float32'>;
  }
  const int = (k: string) => {
    const n = Number(metadata[k]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${where}: metadata ${k} is ${metadata[k]}, expected a count`);
    return n;
  };
  let data: unknown;
  try {
    data = JSON.parse(metadata['data'] ?? 'null');
  } catch {
    throw new Error(`${where}: metadata data is not JSON`);
  }
  const phase = metadata['seq_len'] !== undefined ? { seqLen: int('seq_len'), since: int('schedule_since') } : null;
  return { step: int('step'), tokens: int('tokens'), optimizerStep: int('optimizer_step'), weights, m, v, data, ...(phase ? { phase } : {}) };
}
