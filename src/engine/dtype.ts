/** Element types the engine understands, with their host arrays and ONNX codes. */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

export interface ArrayOf {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}

export type TypedArray = ArrayOf[DType];

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Record<DType, number> = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 };

export const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1 };

export function isFloat(d: DType): d is 'float32' | 'float64' {
  return d === 'float32' || d === 'float64';
}

export function allocate<D extends DType>(dtype: D, size: number): ArrayOf[D] {
  switch (dtype) {
    case 'float32': return new Float32Array(size) as ArrayOf[D];
    case 'float64': return new Float64Array(size) as ArrayOf[D];
    case 'int32': return new Int32Array(size) as ArrayOf[D];
    case 'int64': return new BigInt64Array(size) as ArrayOf[D];
    case 'bool': return new Uint8Array(size) as ArrayOf[D];
  }
  throw new Error(`unknown dtype ${String(dtype)}`);
}

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'bool';
}
