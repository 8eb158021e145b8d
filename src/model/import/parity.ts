/**
 * How close a model's logits are to reference logits (from Hugging Face `transformers`, TransformerLens, or
 * another run): per position the worst absolute error, the worst error relative to the position's largest
 * reference logit, whether the top-1 tokens agree, and KL(reference || model) of the next-token distributions.
 * Works on plain arrays: the caller runs the model (the CLI's `parity` command loads both files).
 */
import { InputError } from '../../engine/errors.js';
import type { Tensor } from '../../engine/tensor.js';
import { logSumExp } from '../cache/host.js';

/** One position's comparison. */
export interface PositionParity {
  batch: number;
  pos: number;
  /** max_v |model - reference| */
  maxAbs: number;
  /** maxAbs / max_v |reference| (0 when the reference row is all zero and so is the error) */
  maxRel: number;
  /** argmax of the model equals argmax of the reference */
  top1Agrees: boolean;
  /** KL(p_reference || p_model) in nats */
  kl: number;
}

export interface ParityReport {
  positions: PositionParity[];
  /** Worst over positions. */
  maxAbs: number;
  maxRel: number;
  /** Fraction of positions whose top-1 tokens agree. */
  top1Agreement: number;
  /** Mean and largest KL over positions (nats). */
  meanKl: number;
  maxKl: number;
}

/** Token ids `[batch, pos]` from a reference file: `input_ids` or `tokens`, int64 or int32, 1-D or 2-D; null when absent. */
export function referenceTokens(ref: Readonly<Record<string, Tensor>>, where: string): number[][] | null {
  const t = ref['input_ids'] ?? ref['tokens'];
  if (!t) return null;
  if (t.dtype !== 'int64' && t.dtype !== 'int32') throw new InputError(`${where}: ${ref['input_ids'] ? 'input_ids' : 'tokens'} is ${t.dtype}, expected int64 token ids`);
  const [B, T] = t.shape.length === 1 ? [1, t.shape[0]!] : t.shape.length === 2 ? [t.shape[0]!, t.shape[1]!] : [0, 0];
  if (B === 0) throw new InputError(`${where}: token ids have shape [${t.shape.join(', ')}], expected [batch, pos] or [pos]`);
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, i) => Number(t.data[b * T + i])));
}

/** Reference logits `logits` as `[batch, pos, vocab]` float data (a 2-D `[pos, vocab]` is one batch row). */
export function referenceLogits(ref: Readonly<Record<string, Tensor>>, where: string): { shape: [number, number, number]; data: ArrayLike<number> } {
  const t = ref['logits'];
  if (!t) throw new InputError(`${where}: no tensor named logits (expected [batch, pos, vocab] reference logits)`);
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new InputError(`${where}: logits is ${t.dtype}, expected floating point`);
  const s = t.shape;
  if (s.length !== 2 && s.length !== 3) throw new InputError(`${where}: logits has shape [${s.join(', ')}], expected [batch, pos, vocab]`);
  const shape: [number, number, number] = s.length === 2 ? [1, s[0]!, s[1]!] : [s[0]!, s[1]!, s[2]!];
  return { shape, data: t.data as ArrayLike<number> };
}

function logSoftmax(row: ArrayLike<number>, off: number, V: number): Float64Array {
  const lse = logSumExp(row, off, off + V);
  const out = new Float64Array(V);
  for (let v = 0; v < V; v++) out[v] = row[off + v]! - lse;
  return out;
}

/**
 * Compares `model` logits with `reference` logits of the same shape `[batch, pos, vocab]`. A reference with a
 * larger vocabulary than the model (padded embedding rows) is compared over the model's vocabulary only when
 * `allowPaddedVocab`; otherwise shapes must match.
 */
export function compareLogits(
  model: { shape: readonly number[]; data: ArrayLike<number> },
  reference: { shape: readonly number[]; data: ArrayLike<number> },
  where = 'reference',
): ParityReport {
  const [B, T, V] = model.shape as [number, number, number];
  const [rb, rt, rv] = reference.shape as [number, number, number];
  if (rb !== B || rt !== T || rv !== V) {
    throw new InputError(`${where}: logits have shape [${rb}, ${rt}, ${rv}], the model gives [${B}, ${T}, ${V}] for these tokens`);
  }
  const positions: PositionParity[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const off = (b * T + t) * V;
      let maxAbs = 0;
      let refMax = 0;
      let am = 0;
      let ar = 0;
      for (let v = 0; v < V; v++) {
        const x = model.data[off + v]!;
        const y = reference.data[off + v]!;
        maxAbs = Math.max(maxAbs, Math.abs(x - y));
        refMax = Math.max(refMax, Math.abs(y));
        if (x > model.data[off + am]!) am = v;
        if (y > reference.data[off + ar]!) ar = v;
      }
      const lp = logSoftmax(model.data, off, V);
      const lq = logSoftmax(reference.data, off, V);
      let kl = 0;
      for (let v = 0; v < V; v++) kl += Math.exp(lq[v]!) * (lq[v]! - lp[v]!);
      positions.push({ batch: b, pos: t, maxAbs, maxRel: refMax > 0 ? maxAbs / refMax : maxAbs, top1Agrees: am === ar, kl: Math.max(0, kl) });
    }
  }
  const n = Math.max(1, positions.length);
  return {
    positions,
    maxAbs: Math.max(0, ...positions.map((p) => p.maxAbs)),
    maxRel: Math.max(0, ...positions.map((p) => p.maxRel)),
    top1Agreement: positions.filter((p) => p.top1Agrees).length / n,
    meanKl: positions.reduce((a, p) => a + p.kl, 0) / n,
    maxKl: Math.max(0, ...positions.map((p) => p.kl)),
  };
}
