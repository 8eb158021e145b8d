/**
 * A dense, row-major float64 matrix: element (i, j) is `data[i * cols + j]`.
 *
 * A plain record rather than a class, so matrices cross a worker boundary by structured clone and every routine in
 * this folder is a free function over them. Routines never mutate their inputs unless their name says so.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Anything row-major with float data: a {@link Matrix}, or the same shape of record over a Float32Array. */
export interface MatrixLike {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array;
}

/** A 2-D host tensor (the engine's `Tensor` is one) with float data. */
export interface TensorLike2D {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

/** Complex numbers as two parallel arrays: `re[i] + i im[i]`. */
export interface ComplexArray {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** A `rows x cols` matrix over `data` (not copied), or over zeros. */
export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`matrix: invalid shape ${rows} x ${cols}`);
  }
  if (data !== undefined && data.length !== rows * cols) {
    throw new Error(`matrix: ${rows} x ${cols} needs ${rows * cols} elements, got ${data.length}`);
  }
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/** The `rows x cols` zero matrix. */
export function zeros(rows: number, cols: number): Matrix {
  return matrix(rows, cols);
}

/** The `n x n` identity. */
export function identity(n: number): Matrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** The square matrix with `values` on its diagonal. */
export function diagonal(values: ArrayLike<number>): Matrix {
  const n = values.length;
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = values[i]!;
  return m;
}

/** A matrix from nested rows, `fromRows([[1, 2], [3, 4]])`. */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0]!.length;
  const m = zeros(r, c);
  rows.forEach((row, i) => {
    if (row.length !== c) throw new Error(`fromRows: row ${i} has ${row.length} entries, expected ${c}`);
    for (let j = 0; j < c; j++) m.data[i * c + j] = row[j]!;
  });
  return m;
}

/** The matrix as nested rows (for tests and JSON). */
export function toRows(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}

/**
 * A float64 matrix from a matrix-like record or a 2-D tensor. Float64 data is shared, not copied (treat it as
 * read-only afterwards); float32 data is widened into a new array, since everything here computes in float64.
 */
export function toMatrix(x: MatrixLike | TensorLike2D): Matrix {
  let rows: number;
  let cols: number;
  if ('shape' in x) {
    if (x.shape.length !== 2) throw new Error(`toMatrix: expected a 2-D tensor, got shape [${x.shape.join(', ')}]`);
    [rows, cols] = x.shape as [number, number];
  } else {
    ({ rows, cols } = x);
  }
  if (x.data.length !== rows * cols) throw new Error(`toMatrix: ${rows} x ${cols} needs ${rows * cols} elements, got ${x.data.length}`);
  return matrix(rows, cols, x.data instanceof Float64Array ? x.data : Float64Array.from(x.data));
}

/**
 * Matrix `index` of a stack `[n, rows, cols]` (for example one head of `W_V [n_heads, d_model, d_head]`), as a
 * float64 copy.
 */
export function stackedMatrix(x: TensorLike2D | { readonly shape: readonly number[]; readonly data: Float32Array | Float64Array }, index: number): Matrix {
  if (x.shape.length !== 3) throw new Error(`stackedMatrix: expected a 3-D stack, got shape [${x.shape.join(', ')}]`);
  const [n, rows, cols] = x.shape as [number, number, number];
  if (!Number.isInteger(index) || index < 0 || index >= n) throw new Error(`stackedMatrix: index ${index} outside [0, ${n})`);
  const size = rows * cols;
  return matrix(rows, cols, Float64Array.from(x.data.subarray(index * size, (index + 1) * size)));
}

/** An independent copy. */
export function clone(m: Matrix): Matrix {
  return matrix(m.rows, m.cols, m.data.slice());
}

/** Element (i, j), bounds-checked. */
export function at(m: Matrix, i: number, j: number): number {
  if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || i >= m.rows || j < 0 || j >= m.cols) throw new Error(`at: (${i}, ${j}) outside ${m.rows} x ${m.cols}`);
  return m.data[i * m.cols + j]!;
}

/** `M^T`, materialised (the products in products.ts avoid needing this). */
export function transpose(m: Matrix): Matrix {
  const { rows, cols, data } = m;
  const out = zeros(cols, rows);
  const o = out.data;
  // Blocked so both the reads and the writes stay within a few cache lines per tile.
  const T = 32;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(rows, i0 + T);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(cols, j0 + T);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) o[j * rows + i] = data[i * cols + j]!;
    }
  }
  return out;
}

/** `s M`. */
export function scale(m: Matrix, s: number): Matrix {
  const out = zeros(m.rows, m.cols);
  for (let i = 0; i < m.data.length; i++) out.data[i] = m.data[i]! * s;
  return out;
}

/** `A + s B` (elementwise; `s` defaults to 1, so `add(A, B, -1)` is `A - B`). */
export function add(a: Matrix, b: Matrix, s = 1): Matrix {
  sameShape(a, b, 'add');
  const out = zeros(a.rows, a.cols);
  for (let i = 0; i < a.data.length; i++) out.data[i] = a.data[i]! + s * b.data[i]!;
  return out;
}

/** Rows `indices` of `M`, in that order: `M[indices, :]`. */
export function selectRows(m: Matrix, indices: readonly number[]): Matrix {
  const out = zeros(indices.length, m.cols);
  indices.forEach((i, k) => {
    if (!Number.isInteger(i) || i < 0 || i >= m.rows) throw new Error(`selectRows: row ${i} outside [0, ${m.rows})`);
    out.data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), k * m.cols);
  });
  return out;
}

/** Columns `indices` of `M`, in that order: `M[:, indices]`. */
export function selectCols(m: Matrix, indices: readonly number[]): Matrix {
  for (const j of indices) if (!Number.isInteger(j) || j < 0 || j >= m.cols) throw new Error(`selectCols: column ${j} outside [0, ${m.cols})`);
  const out = zeros(m.rows, indices.length);
  const c = indices.length;
  for (let i = 0; i < m.rows; i++) for (let k = 0; k < c; k++) out.data[i * c + k] = m.data[i * m.cols + indices[k]!]!;
  return out;
}

/** Row i as a new array. */
export function row(m: Matrix, i: number): Float64Array {
  if (!Number.isInteger(i) || i < 0 || i >= m.rows) throw new Error(`row: row ${i} outside [0, ${m.rows})`);
  return m.data.slice(i * m.cols, (i + 1) * m.cols);
}

/** Column j as a new array. */
export function column(m: Matrix, j: number): Float64Array {
  if (!Number.isInteger(j) || j < 0 || j >= m.cols) throw new Error(`column: column ${j} outside [0, ${m.cols})`);
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j]!;
  return out;
}

/** Rows r0..r1-1 as a matrix sharing M's data (a view, not a copy). */
export function rowBlock(m: Matrix, r0: number, r1: number): Matrix {
  if (!Number.isInteger(r0) || !Number.isInteger(r1) || r0 < 0 || r1 > m.rows || r0 > r1) {
    throw new Error(`rowBlock: rows [${r0}, ${r1}) outside [0, ${m.rows})`);
  }
  return matrix(r1 - r0, m.cols, m.data.subarray(r0 * m.cols, r1 * m.cols));
}

/** Frobenius norm `||M||_F = sqrt(sum_ij M_ij^2)`. */
export function frobenius(m: Matrix): number {
  return norm2(m.data);
}

/**
 * Euclidean norm `sqrt(sum_i x_i^2)`, scaled by the largest entry so that neither overflow nor underflow spoils
 * it.
 */
export function norm2(x: ArrayLike<number>): number {
  let big = 0;
  for (let i = 0; i < x.length; i++) big = Math.max(big, Math.abs(x[i]!));
  if (big === 0 || !Number.isFinite(big)) return big;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! / big;
    s += v * v;
  }
  return big * Math.sqrt(s);
}

/** `max_ij |A_ij - B_ij|`. */
export function maxAbsDiff(a: Matrix, b: Matrix): number {
  sameShape(a, b, 'maxAbsDiff');
  let d = 0;
  for (let i = 0; i < a.data.length; i++) d = Math.max(d, Math.abs(a.data[i]! - b.data[i]!));
  return d;
}

/** Trace `sum_i M_ii` of a square matrix. */
export function trace(m: Matrix): number {
  if (m.rows !== m.cols) throw new Error(`trace: ${m.rows} x ${m.cols} is not square`);
  let s = 0;
  for (let i = 0; i < m.rows; i++) s += m.data[i * m.cols + i]!;
  return s;
}

function sameShape(a: Matrix, b: Matrix, what: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new Error(`${what}: shapes ${a.rows} x ${a.cols} and ${b.rows} x ${b.cols} differ`);
}
