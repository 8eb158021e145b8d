/**
 * The safetensors format, as bytes: an unsigned 64-bit little-endian header length N, N bytes of JSON
 * (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`), then the data region,
 * offsets counted from its start. Reading validates everything a hostile or truncated file could get wrong, so
 * past `parseSafetensors` a tensor's bytes are known to be inside the file and its own.
 */
import type { DType, TypedArray } from '../engine/dtype.js';
import { InputError } from '../engine/errors.js';
import type { Tensor } from '../engine/tensor.js';

/** What `parseSafetensors` returns: the tensors by name and the header's string-to-string metadata. */
export interface Safetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** A malformed safetensors file: the message is one line naming the file and, where there is one, the tensor. */
export class SafetensorsError extends InputError {
  override name = 'SafetensorsError';
}

/** File dtype -> how it is read: the bytes per element and the host dtype it becomes. */
const FILE_DTYPES: Record<string, { bytes: number; to: DType }> = {
  F32: { bytes: 4, to: 'float32' },
  F64: { bytes: 8, to: 'float64' },
  I64: { bytes: 8, to: 'int64' },
  I32: { bytes: 4, to: 'int32' },
  // No uint8 host dtype: unsigned bytes widen to int32 so values above 1 survive (BOOL keeps its bytes).
  U8: { bytes: 1, to: 'int32' },
  BOOL: { bytes: 1, to: 'bool' },
  F16: { bytes: 2, to: 'float32' },
  BF16: { bytes: 2, to: 'float32' },
};

const HOST_TO_FILE: Record<DType, string> = { float32: 'F32', float64: 'F64', int64: 'I64', int32: 'I32', bool: 'BOOL' };

/** The reference implementation refuses headers past 100 MB; a length beyond that is corruption, not a model. */
const MAX_HEADER = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Where a safetensors file's bytes come from when they are not all in memory: Node's src/io reads a file piecewise
 * through one of these, so a checkpoint's bytes are never all resident at once.
 */
export interface SafetensorsSource {
  /** The file's size in bytes. */
  readonly byteLength: number;
  /** Fills `into` with the `into.length` bytes at `offset` (the range is always inside the file). */
  read(offset: number, into: Uint8Array): void;
}

/** A parsed, validated header: the tensors' entries, the metadata, and where the data region starts. */
interface Header {
  entries: Entry[];
  metadata: Record<string, string>;
  dataStart: number;
}

/**
 * Reads a safetensors file. F16 and BF16 become float32 (on each read with `lazyHalf`), U8 becomes int32; every other tensor is a view into
 * `bytes` (no copy) when its offset is aligned for its typed array, and a copy otherwise.
 * Throws SafetensorsError (one line, naming `where` and the tensor) on: a header length past the end of the file,
 * a header that is not a JSON object, an unknown dtype, a bad shape, offsets outside the data region or not equal
 * to `elements x bytes per element`, and tensors whose byte ranges overlap.
 */
export function parseSafetensors(bytes: Uint8Array, where: string, opts: { lazyHalf?: boolean } = {}): Safetensors {
  const { entries, metadata, dataStart } = parseHeader(bytes.length, (off, len) => bytes.subarray(off, off + len), where);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    // lazyHalf: a half-precision tensor is widened each time it is read, so an importer that converts one tensor
    // at a time never holds the whole model widened beside its converted copy.
    if (opts.lazyHalf && (e.dtype === 'F16' || e.dtype === 'BF16')) {
      Object.defineProperty(tensors, e.name, { enumerable: true, get: () => readTensor(bytes, dataStart, e) });
    } else {
      tensors[e.name] = readTensor(bytes, dataStart, e);
    }
  }
  return { tensors, metadata };
}

/**
 * Reads a safetensors file through `source` without holding its bytes: the header is read and validated at once
 * (the same checks and one-line messages as `parseSafetensors`), and each tensor is read from the source each
 * time it is accessed, straight into a fresh array of its host dtype (F16/BF16 widened chunk by chunk through a
 * small buffer). An importer that converts one tensor at a time thus holds at most its output plus one tensor.
 * The tensors read from `source` only while it is open.
 */
export function parseSafetensorsSource(source: SafetensorsSource, where: string): Safetensors {
  const read = (off: number, len: number): Uint8Array => {
    const b = new Uint8Array(len);
    source.read(off, b);
    return b;
  };
  const { entries, metadata, dataStart } = parseHeader(source.byteLength, read, where);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    Object.defineProperty(tensors, e.name, { enumerable: true, get: () => streamTensor(source, dataStart, e) });
  }
  return { tensors, metadata };
}

/** Bytes per chunk when widening half precision from a source. */
const CHUNK = 1 << 20;

function streamTensor(source: SafetensorsSource, dataStart: number, e: Entry): Tensor {
  const { to, bytes: width } = FILE_DTYPES[e.dtype]!;
  const n = (e.end - e.begin) / width;
  const at = dataStart + e.begin;
  if (e.dtype === 'F16' || e.dtype === 'BF16') {
    const out = new Float32Array(n);
    const buf = new Uint8Array(Math.min(CHUNK, e.end - e.begin));
    const src = new DataView(buf.buffer);
    const bf = e.dtype === 'BF16';
    for (let i = 0; i < n;) {
      const m = Math.min(n - i, buf.length / 2);
      source.read(at + 2 * i, buf.subarray(0, 2 * m));
      for (let j = 0; j < m; j++) {
        const h = src.getUint16(2 * j, true);
        out[i + j] = bf ? bf16ToFloat(h) : f16ToFloat(h);
      }
      i += m;
    }
    return { dtype: to, shape: e.shape, data: out } as Tensor;
  }
  if (e.dtype === 'U8' || e.dtype === 'BOOL' || !LITTLE_ENDIAN) {
    const raw = new Uint8Array(e.end - e.begin);
    source.read(at, raw);
    return readTensor(raw, -e.begin, e);
  }
  // Little-endian F32/F64/I32/I64: the file's bytes are the array's bytes; read them into place.
  const Ctor = e.dtype === 'F32' ? Float32Array : e.dtype === 'F64' ? Float64Array : e.dtype === 'I32' ? Int32Array : BigInt64Array;
  const data = new Ctor(n);
  source.read(at, new Uint8Array(data.buffer, 0, data.byteLength));
  return { dtype: to, shape: e.shape, data } as Tensor;
}

/** Reads and validates the header of a file of `length` bytes; `read(offset, n)` gives n bytes inside the file. */
function parseHeader(length: number, read: (offset: number, n: number) => Uint8Array, where: string): Header {
  const fail = (msg: string): never => { throw new SafetensorsError(`${where}: ${msg}`); };
  if (length < 8) fail(`file is ${length} bytes, too short for the 8-byte header length`);
  const first = read(0, 8);
  const lenBig = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (lenBig > BigInt(length - 8)) fail(`header length ${lenBig} runs past the end of the file (${length} bytes)`);
  if (lenBig > BigInt(MAX_HEADER)) fail(`header length ${lenBig} exceeds the ${MAX_HEADER}-byte limit`);
  const headerLen = Number(lenBig);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(read(8, headerLen)));
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ value ${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    entries.push(readEntry(name, raw, dataLen, fail));
  }
  // Empty tensors own no bytes, so they cannot overlap anything.
  const byStart = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < byStart.length; i++) {
    const prev = byStart[i - 1]!;
    const cur = byStart[i]!;
    if (cur.begin < prev.end) fail(`tensor ${cur.name} [${cur.begin}, ${cur.end}) overlaps tensor ${prev.name} [${prev.begin}, ${prev.end})`);
  }
  return { entries, metadata, dataStart };
}

function readEntry(name: string, raw: unknown, dataLen: number, fail: (msg: string) => never): Entry {
  const t = `tensor ${name}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${t}: entry is not an object`);
  const r = raw as Record<string, unknown>;
  const dtype = r['dtype'];
  if (typeof dtype !== 'string' || !(dtype in FILE_DTYPES)) {
    fail(`${t}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(FILE_DTYPES).join(', ')})`);
  }
  const shape = r['shape'];
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    fail(`${t}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  const offs = r['data_offsets'];
  if (!Array.isArray(offs) || offs.length !== 2 || offs.some((o) => typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0)) {
    fail(`${t}: data_offsets ${JSON.stringify(offs)} is not a pair of non-negative integers`);
  }
  const [begin, end] = offs as [number, number];
  if (begin > end || end > dataLen) fail(`${t}: data_offsets [${begin}, ${end}] lie outside the data region of ${dataLen} bytes`);
  const dims = shape as number[];
  const expected = dims.reduce((a, b) => a * b, 1) * FILE_DTYPES[dtype as string]!.bytes;
  if (end - begin !== expected) {
    fail(`${t}: data_offsets span ${end - begin} bytes but ${dtype} [${dims.join(', ')}] needs ${expected}`);
  }
  return { name, dtype: dtype as string, shape: dims, begin, end };
}

function readTensor(bytes: Uint8Array, dataStart: number, e: Entry): Tensor {
  const { to, bytes: width } = FILE_DTYPES[e.dtype]!;
  const n = (e.end - e.begin) / width;
  const off = bytes.byteOffset + dataStart + e.begin;
  const src = new DataView(bytes.buffer, off, e.end - e.begin);
  let data: TypedArray;
  if (e.dtype === 'F16' || e.dtype === 'BF16') {
    const out = new Float32Array(n);
    const bf = e.dtype === 'BF16';
    for (let i = 0; i < n; i++) {
      const h = src.getUint16(2 * i, true);
      out[i] = bf ? bf16ToFloat(h) : f16ToFloat(h);
    }
    data = out;
  } else if (e.dtype === 'U8') {
    data = Int32Array.from(bytes.subarray(dataStart + e.begin, dataStart + e.end));
  } else if (e.dtype === 'BOOL') {
    data = bytes.subarray(dataStart + e.begin, dataStart + e.end);
  } else {
    data = typedView(e.dtype, bytes.buffer, off, n, src);
  }
  return { dtype: to, shape: e.shape, data } as Tensor;
}

/**
 * A zero-copy view when the offset is aligned for the array; otherwise the bytes are copied to a fresh (aligned)
 * buffer first. Big-endian hosts decode element by element.
 */
function typedView(dtype: string, buffer: ArrayBufferLike, off: number, n: number, src: DataView): TypedArray {
  const Ctor = dtype === 'F32' ? Float32Array : dtype === 'F64' ? Float64Array : dtype === 'I32' ? Int32Array : BigInt64Array;
  if (LITTLE_ENDIAN) {
    if (off % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(buffer as ArrayBuffer, off, n);
    return new Ctor(new Uint8Array(buffer, off, n * Ctor.BYTES_PER_ELEMENT).slice().buffer);
  }
  const out = new Ctor(n);
  for (let i = 0; i < n; i++) {
    if (out instanceof BigInt64Array) out[i] = src.getBigInt64(8 * i, true);
    else if (dtype === 'F32') out[i] = src.getFloat32(4 * i, true);
    else if (dtype === 'F64') out[i] = src.getFloat64(8 * i, true);
    else out[i] = src.getInt32(4 * i, true);
  }
  return out;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

function bf16ToFloat(h: number): number {
  u32Scratch[0] = h << 16;
  return f32Scratch[0]!;
}

/** IEEE half: sign, 5-bit exponent (bias 15), 10-bit fraction; subnormals are fraction x 2^-24. */
function f16ToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Writes tensors as safetensors: tensors sorted by name and packed back to back in that order, the JSON header
 * padded with spaces to a multiple of 8 bytes so the data region starts aligned. `metadata` goes under
 * `__metadata__` (safetensors allows only strings there).
 */
export function serializeSafetensors(tensors: Readonly<Record<string, Tensor>>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`serializeSafetensors: metadata ${k} is not a string`);
    }
    header['__metadata__'] = { ...metadata };
  }
  const names = Object.keys(tensors).filter((n) => n !== '__metadata__').sort();
  if (names.length !== Object.keys(tensors).length) throw new SafetensorsError('serializeSafetensors: __metadata__ cannot name a tensor');
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const name of names) {
    const t = tensors[name]!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new SafetensorsError(`serializeSafetensors: tensor ${name} has shape [${t.shape.join(', ')}] but ${t.data.length} elements`);
    }
    const raw = hostBytes(t.data);
    header[name] = { dtype: HOST_TO_FILE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + raw.length] };
    parts.push(raw);
    offset += raw.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The little-endian bytes of a typed array (a view on little-endian hosts, a swapped copy otherwise). */
function hostBytes(data: TypedArray): Uint8Array {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1) return raw;
  const w = data.BYTES_PER_ELEMENT;
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += w) for (let j = 0; j < w; j++) out[i + j] = raw[i + w - 1 - j]!;
  return out;
}
