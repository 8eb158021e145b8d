/**
 * What the Hugging Face importers share: reading a checkpoint's tensors by name with their shape checked,
 * remembering which were used (anything left over that is not a known buffer is an error), and the layout
 * conversions from `nn.Linear` (`weight` `[out, in]`, `y = x W^T + b`) to TransformerLens's right-multiplied,
 * per-head matrices. Every conversion reads float32 (half precision was widened by the safetensors reader) and
 * writes straight into the destination array, one tensor at a time.
 */
import { InputError } from '../../engine/errors.js';
import type { Tensor } from '../../engine/tensor.js';
import { ConfigError } from '../config.js';
import type { StateDict } from '../weights.js';
import { asFloat32 } from './checked.js';

export type HfConfig = Readonly<Record<string, unknown>>;

/** A checkpoint's tensors, taken by name with their shape checked. */
export class HfTensors {
  private readonly used = new Set<string>();
  readonly out: StateDict = {};

  constructor(private readonly src: Readonly<Record<string, Tensor>>, readonly where: string, private readonly buffers: RegExp | null = null) {}

  has(name: string): boolean {
    return name in this.src;
  }

  /** The tensor `name` as float32 data, failing with the file and the expected shape when missing or misshapen. */
  take(name: string, shape: readonly number[]): Float32Array {
    const t = this.src[name];
    if (!t) throw new InputError(`${this.where}: missing ${name} (expected shape [${shape.join(', ')}])`);
    const f = asFloat32(t, name, this.where);
    if (f.shape.length !== shape.length || f.shape.some((d, i) => d !== shape[i])) {
      throw new InputError(`${this.where}: ${name} has shape [${f.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    this.used.add(name);
    return f.data;
  }

  put(name: string, shape: number[], data: Float32Array): void {
    this.out[name] = { dtype: 'float32', shape, data };
  }

  /** `put` of zeros: TransformerLens keeps every bias, zero where the architecture has none. */
  zeros(name: string, shape: number[]): void {
    this.put(name, shape, new Float32Array(shape.reduce((a, b) => a * b, 1)));
  }

  /** The bias `name` when the checkpoint has it, else zeros. */
  biasOrZeros(to: string, name: string, n: number): void {
    if (this.has(name)) this.put(to, [n], this.take(name, [n]));
    else this.zeros(to, [n]);
  }

  /** Fails on any tensor not taken that is not a known buffer. */
  finish(what: string): StateDict {
    for (const k of Object.keys(this.src)) {
      if (this.used.has(k) || this.buffers?.test(k)) continue;
      throw new InputError(`${this.where}: unknown key ${k} for ${what}`);
    }
    return this.out;
  }
}

/** `nn.Linear` weight `[out, in]` -> `[in, out]` (TransformerLens's `W_in`, `W_out`, `W_U`). */
export function transposed(w: Float32Array, rows: number, cols: number, scale = 1): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]! * scale;
  return out;
}

/**
 * Rows `[offset + h*stride + e]` of an `nn.Linear` weight `[*, D]` as TransformerLens's `[heads, D, E]`:
 * `out[h][d][e] = w[rowOf(h, e)][d]`. `rowOf` gives the output row of head h's dimension e.
 */
export function headsIn(w: Float32Array, D: number, heads: number, E: number, rowOf: (h: number, e: number) => number): Float32Array {
  const out = new Float32Array(heads * D * E);
  for (let h = 0; h < heads; h++) {
    for (let e = 0; e < E; e++) {
      const row = rowOf(h, e) * D;
      for (let d = 0; d < D; d++) out[(h * D + d) * E + e] = w[row + d]!;
    }
  }
  return out;
}

/** A bias over fused rows as `[heads, E]`. */
export function headsBias(b: Float32Array, heads: number, E: number, rowOf: (h: number, e: number) => number): Float32Array {
  const out = new Float32Array(heads * E);
  for (let h = 0; h < heads; h++) for (let e = 0; e < E; e++) out[h * E + e] = b[rowOf(h, e)]!;
  return out;
}

/** An output projection `nn.Linear(H E -> D)` weight `[D, H E]` as TransformerLens's W_O `[H, E, D]`. */
export function headsOut(w: Float32Array, D: number, H: number, E: number): Float32Array {
  return transposed(w, D, H * E);
}

/** Plus one on every entry (Gemma's RMSNorm computes x (1 + w)). */
export function plusOne(w: Float32Array): Float32Array {
  const out = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = w[i]! + 1;
  return out;
}

export function scaled(w: Float32Array, s: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = w[i]! * s;
  return out;
}

/** A positive integer field of a Hugging Face config, or `fallback`. */
export function hfInt(hf: HfConfig, where: string, name: string, fallback?: number): number {
  const v = hf[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ConfigError(`${where} field ${name}: expected a positive integer, got ${JSON.stringify(hf[name])}`);
  }
  return v;
}

/** A positive number field, or `fallback`. */
export function hfNum(hf: HfConfig, where: string, name: string, fallback?: number): number {
  const v = hf[name] ?? fallback;
  if (typeof v !== 'number' || !(v > 0)) throw new ConfigError(`${where} field ${name}: expected a positive number, got ${JSON.stringify(hf[name])}`);
  return v;
}

/**
 * The rotary base: transformers 5.x's `rope_parameters.rope_theta`, else 4.x's `rope_theta` (or `rotary_emb_base`
 * for GPT-NeoX). Scaled variants (`rope_type` other than "default", or a `rope_scaling`) are refused by name.
 */
export function ropeTheta(hf: HfConfig, where: string, fallbackKey = 'rope_theta'): number {
  const params = hf['rope_parameters'];
  const scaling = hf['rope_scaling'];
  for (const [key, p] of [['rope_parameters', params], ['rope_scaling', scaling]] as const) {
    if (p === undefined || p === null) continue;
    if (typeof p !== 'object' || Array.isArray(p)) throw new ConfigError(`${where} field ${key}: expected an object`);
    const type = (p as Record<string, unknown>)['rope_type'] ?? (p as Record<string, unknown>)['type'] ?? 'default';
    if (type !== 'default') throw new ConfigError(`${where} field ${key}: rope_type ${JSON.stringify(type)} is not supported (only "default")`);
  }
  if (params && typeof params === 'object' && 'rope_theta' in params) return hfNum(params as HfConfig, `${where} field rope_parameters`, 'rope_theta');
  return hfNum(hf, where, fallbackKey, hf[fallbackKey] === undefined ? 10000 : undefined);
}

/** BOS: the config's `bos_token_id` when it is a token of the vocabulary, else null. */
export function hfBos(hf: HfConfig, vocab: number): number | null {
  const b = hf['bos_token_id'];
  return typeof b === 'number' && Number.isInteger(b) && b >= 0 && b < vocab ? b : null;
}

/** The first of `architectures`, or null. */
export function hfArchitecture(hf: HfConfig): string | null {
  const a = hf['architectures'];
  return Array.isArray(a) && typeof a[0] === 'string' ? a[0] : null;
}

export function hfModelName(hf: HfConfig, fallback: string): string {
  const n = hf['_name_or_path'];
  return typeof n === 'string' && n !== '' ? n : fallback;
}
