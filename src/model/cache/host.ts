import { sizeOf, stridesOf, type Tensor } from '../../engine/tensor.js';

/**
 * Host-side tensor helpers: what a Python user does with torch indexing on a cache, for a TypeScript user. All
 * take and return float32 `Tensor`s (row-major); none mutates its input.
 */

export type F32 = Tensor<'float32'>;

/** A float32 tensor of the given shape from data (not copied). */
export function f32(data: Float32Array, shape: readonly number[]): F32 {
  if (sizeOf(shape) !== data.length) throw new Error(`tensor: shape [${shape.join(', ')}] holds ${sizeOf(shape)} elements but the data has ${data.length}`);
  return { dtype: 'float32', shape: [...shape], data };
}

function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? rank + axis : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${what}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  return a;
}

function checkIndex(i: number, n: number, what: string): number {
  const j = i < 0 ? n + i : i;
  if (!Number.isInteger(j) || j < 0 || j >= n) throw new Error(`${what}: index ${i} is out of range for an axis of size ${n}`);
  return j;
}

/** `t[i0, i1, ...]` on the leading axes (negative indices count from the end): a view of the rest, not a copy. */
export function index(t: F32, ...idx: number[]): F32 {
  if (idx.length > t.shape.length) throw new Error(`index: ${idx.length} indices for a tensor of rank ${t.shape.length}`);
  const st = stridesOf(t.shape);
  let off = 0;
  idx.forEach((i, k) => { off += checkIndex(i, t.shape[k]!, 'index') * st[k]!; });
  const rest = t.shape.slice(idx.length);
  return f32(t.data.subarray(off, off + sizeOf(rest)), rest);
}

/** `t[..., start:end, ...]` along `axis` (end exclusive; negative values count from the end), copied. */
export function sliceAxis(t: F32, axis: number, start: number, end?: number): F32 {
  const a = normAxis(axis, t.shape.length, 'sliceAxis');
  const n = t.shape[a]!;
  const s = Math.max(0, Math.min(n, start < 0 ? n + start : start));
  const e = Math.max(s, Math.min(n, end === undefined ? n : end < 0 ? n + end : end));
  return take(t, a, Array.from({ length: e - s }, (_, i) => s + i));
}

/** The entries `indices` along `axis`, in that order (torch's `index_select`), copied. */
export function take(t: F32, axis: number, indices: readonly number[]): F32 {
  const a = normAxis(axis, t.shape.length, 'take');
  const n = t.shape[a]!;
  const idx = indices.map((i) => checkIndex(i, n, 'take'));
  const outer = sizeOf(t.shape.slice(0, a));
  const inner = sizeOf(t.shape.slice(a + 1));
  const out = new Float32Array(outer * idx.length * inner);
  for (let o = 0; o < outer; o++) {
    idx.forEach((i, k) => out.set(t.data.subarray((o * n + i) * inner, (o * n + i + 1) * inner), (o * idx.length + k) * inner));
  }
  const shape = [...t.shape];
  shape[a] = idx.length;
  return f32(out, shape);
}

/** `t.select(axis, i)`: the axis dropped, copied. */
export function select(t: F32, axis: number, i: number): F32 {
  const a = normAxis(axis, t.shape.length, 'select');
  const r = take(t, a, [i]);
  return f32(r.data, t.shape.filter((_, k) => k !== a));
}

function reduceAxis(t: F32, axis: number, keepdim: boolean, what: string, mean: boolean): F32 {
  const a = normAxis(axis, t.shape.length, what);
  const n = t.shape[a]!;
  const outer = sizeOf(t.shape.slice(0, a));
  const inner = sizeOf(t.shape.slice(a + 1));
  const acc = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) for (let i = 0; i < n; i++) {
    const base = (o * n + i) * inner;
    for (let j = 0; j < inner; j++) acc[o * inner + j]! += t.data[base + j]!;
  }
  const out = new Float32Array(acc.length);
  for (let k = 0; k < acc.length; k++) out[k] = mean ? acc[k]! / n : acc[k]!;
  const shape = keepdim ? t.shape.map((d, k) => (k === a ? 1 : d)) : t.shape.filter((_, k) => k !== a);
  return f32(out, shape);
}

/** The mean over `axis` (accumulated in float64). */
export function meanAxis(t: F32, axis: number, opts: { keepdim?: boolean } = {}): F32 {
  return reduceAxis(t, axis, opts.keepdim ?? false, 'meanAxis', true);
}

/** The sum over `axis` (accumulated in float64). */
export function sumAxis(t: F32, axis: number, opts: { keepdim?: boolean } = {}): F32 {
  return reduceAxis(t, axis, opts.keepdim ?? false, 'sumAxis', false);
}

/** The `k` largest entries along the last axis, in descending order, and their indices (torch's `topk`). */
export function topK(t: F32, k: number): { values: F32; indices: Int32Array; shape: number[] } {
  const n = t.shape[t.shape.length - 1] ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`topK: k ${k} must be an integer in 1..${n}`);
  const rows = t.data.length / n;
  const values = new Float32Array(rows * k);
  const indices = new Int32Array(rows * k);
  const order = new Int32Array(n);
  for (let r = 0; r < rows; r++) {
    const row = t.data.subarray(r * n, (r + 1) * n);
    for (let i = 0; i < n; i++) order[i] = i;
    // A partial selection would be faster for huge rows; a sort of the indices is plenty for vocabulary rows.
    const sorted = Array.from(order).sort((a, b) => row[b]! - row[a]! || a - b);
    for (let j = 0; j < k; j++) {
      values[r * k + j] = row[sorted[j]!]!;
      indices[r * k + j] = sorted[j]!;
    }
  }
  const shape = [...t.shape.slice(0, -1), k];
  return { values: f32(values, shape), indices, shape };
}

/** Nested plain arrays (torch's `tolist()`), e.g. for JSON. */
export type Nested = number | Nested[];

export function toNested(t: Tensor): Nested {
  if (t.shape.length === 0) return Number(t.data[0]);
  const st = stridesOf(t.shape);
  const rec = (axis: number, off: number): Nested => {
    if (axis === t.shape.length) return Number(t.data[off]);
    return Array.from({ length: t.shape[axis]! }, (_, i) => rec(axis + 1, off + i * st[axis]!));
  };
  return rec(0, 0);
}

/** Stacks tensors of one shape along a new first axis (torch's `stack(dim=0)`). */
export function stack(ts: readonly F32[], shapeIfEmpty: readonly number[] = []): F32 {
  if (ts.length === 0) return f32(new Float32Array(0), [0, ...shapeIfEmpty]);
  const shape = ts[0]!.shape;
  const n = sizeOf(shape);
  const out = new Float32Array(ts.length * n);
  ts.forEach((t, i) => {
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new Error(`stack: tensor ${i} has shape [${t.shape.join(', ')}], the first has [${shape.join(', ')}]`);
    }
    out.set(t.data, i * n);
  });
  return f32(out, [ts.length, ...shape]);
}

/** Concatenates along the first axis. */
export function concatFirst(ts: readonly F32[]): F32 {
  const rest = ts[0]!.shape.slice(1);
  const out = new Float32Array(ts.reduce((s, t) => s + t.data.length, 0));
  let off = 0;
  for (const t of ts) {
    out.set(t.data, off);
    off += t.data.length;
  }
  return f32(out, [ts.reduce((s, t) => s + t.shape[0]!, 0), ...rest]);
}

/** Moves `axis` to the front (`[..., a, ...] -> [a, ...]`), copied. */
export function moveAxisToFront(t: F32, axis: number): F32 {
  const a = normAxis(axis, t.shape.length, 'moveAxisToFront');
  const n = t.shape[a]!;
  const outer = sizeOf(t.shape.slice(0, a));
  const inner = sizeOf(t.shape.slice(a + 1));
  const out = new Float32Array(t.data.length);
  for (let o = 0; o < outer; o++) for (let i = 0; i < n; i++) {
    out.set(t.data.subarray((o * n + i) * inner, (o * n + i + 1) * inner), (i * outer + o) * inner);
  }
  return f32(out, [n, ...t.shape.slice(0, a), ...t.shape.slice(a + 1)]);
}

/**
 * log Σ exp(row[i]) over i in `[from, to)` (default: the whole row), computed stably (the max subtracted first): a
 * row of logits' log-partition function. The range reads one row of a flat `[rows, vocab]` array without a copy.
 */
export function logSumExp(row: ArrayLike<number>, from = 0, to = row.length): number {
  let max = -Infinity;
  for (let i = from; i < to; i++) if (row[i]! > max) max = row[i]!;
  let z = 0;
  for (let i = from; i < to; i++) z += Math.exp(row[i]! - max);
  return max + Math.log(z);
}
