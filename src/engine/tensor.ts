import { allocate, dtypeOf, type ArrayOf, type DType, type TypedArray } from './dtype.js';

/**
 * A host tensor: a row-major typed array and its shape. This is what goes into and comes out of every
 * compiled graph, and what the model API returns (`{ data: Float32Array, shape: [batch, pos, d_vocab] }`).
 */
export interface Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: ArrayOf[D];
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Wraps a typed array (not copied) as a tensor of the given shape. */
export function tensor<A extends TypedArray>(data: A, shape: readonly number[]): Tensor<DTypeOfArray<A>> {
  if (sizeOf(shape) !== data.length) {
    throw new Error(`tensor: shape [${shape.join(', ')}] holds ${sizeOf(shape)} elements but the data has ${data.length}`);
  }
  return { dtype: dtypeOf(data) as DTypeOfArray<A>, shape: [...shape], data: data as unknown as ArrayOf[DTypeOfArray<A>] };
}

export type DTypeOfArray<A> = A extends Float32Array ? 'float32' : A extends Float64Array ? 'float64'
  : A extends Int32Array ? 'int32' : A extends BigInt64Array ? 'int64' : 'bool';

export function zeros<D extends DType>(dtype: D, shape: readonly number[]): Tensor<D> {
  return { dtype, shape: [...shape], data: allocate(dtype, sizeOf(shape)) };
}

/** Converts token ids or any integer list to an int64 tensor. */
export function int64Tensor(values: ArrayLike<number>, shape: readonly number[]): Tensor<'int64'> {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
  return tensor(data, shape);
}

/** Reads element `index` (a multi-index) of a tensor as a number. */
export function at(t: Tensor, index: readonly number[]): number {
  const st = stridesOf(t.shape);
  let off = 0;
  for (let i = 0; i < index.length; i++) off += index[i]! * st[i]!;
  return Number(t.data[off]);
}

/** A float tensor's values as a float64 array (copied). */
export function toFloat64(t: Tensor): Float64Array {
  if (t.data instanceof Float64Array) return t.data.slice();
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  return out;
}
