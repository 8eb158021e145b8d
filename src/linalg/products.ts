import { matrix, type Matrix } from './matrix.js';

/*
 * Matrix products in plain JavaScript, written so V8 keeps every operand in registers and every inner loop
 * contiguous: the i-k-j order streams rows of B and of C, the k loop is unrolled by four so each load and store
 * of C carries eight flops, and k and j are tiled so the slab of B being reused stays in L2 while all rows of A
 * pass over it. Transposed operands are read in place through strides, never materialised.
 */

const K_TILE = 128;
const J_TILE = 256;

/**
 * C += op(A) B over raw arrays: op(A)_ik = a[i * ars + k * acs] (so a transposed A is just other strides),
 * B is K x n row-major, C is m x n row-major.
 */
function gemmAccumulate(
  c: Float64Array, a: Float64Array, ars: number, acs: number, b: Float64Array, m: number, K: number, n: number,
): void {
  for (let k0 = 0; k0 < K; k0 += K_TILE) {
    const k1 = Math.min(K, k0 + K_TILE);
    for (let j0 = 0; j0 < n; j0 += J_TILE) {
      const j1 = Math.min(n, j0 + J_TILE);
      for (let i = 0; i < m; i++) {
        const ci = i * n;
        const ai = i * ars;
        let k = k0;
        for (; k + 3 < k1; k += 4) {
          const a0 = a[ai + k * acs]!;
          const a1 = a[ai + (k + 1) * acs]!;
          const a2 = a[ai + (k + 2) * acs]!;
          const a3 = a[ai + (k + 3) * acs]!;
          if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
          const b0 = k * n;
          const b1 = b0 + n;
          const b2 = b1 + n;
          const b3 = b2 + n;
          for (let j = j0; j < j1; j++) {
            c[ci + j] = c[ci + j]! + a0 * b[b0 + j]! + a1 * b[b1 + j]! + a2 * b[b2 + j]! + a3 * b[b3 + j]!;
          }
        }
        for (; k < k1; k++) {
          const a0 = a[ai + k * acs]!;
          if (a0 === 0) continue;
          const b0 = k * n;
          for (let j = j0; j < j1; j++) c[ci + j] = c[ci + j]! + a0 * b[b0 + j]!;
        }
      }
    }
  }
}

function checkInner(what: string, left: number, right: number, a: Matrix, b: Matrix): void {
  if (left !== right) {
    throw new Error(`${what}: inner dimensions differ (${a.rows} x ${a.cols} and ${b.rows} x ${b.cols})`);
  }
}

/** The product C = A B, C_ij = Σ_k A_ik B_kj, for A m x K and B K x n. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  checkInner('matmul', a.cols, b.rows, a, b);
  const out = new Float64Array(a.rows * b.cols);
  gemmAccumulate(out, a.data, a.cols, 1, b.data, a.rows, a.cols, b.cols);
  return matrix(a.rows, b.cols, out);
}

/**
 * A B written into `out` (length m n, overwritten), so loops over row blocks reuse one buffer.
 * Returns `out` as an m x n matrix.
 */
export function matmulInto(out: Float64Array, a: Matrix, b: Matrix): Matrix {
  checkInner('matmulInto', a.cols, b.rows, a, b);
  const size = a.rows * b.cols;
  if (out.length < size) throw new Error(`matmulInto: the buffer holds ${out.length} elements, the product ${size}`);
  const c = out.length === size ? out : out.subarray(0, size);
  c.fill(0);
  gemmAccumulate(c, a.data, a.cols, 1, b.data, a.rows, a.cols, b.cols);
  return matrix(a.rows, b.cols, c);
}

/** The product C = A^T B, C_ij = Σ_k A_ki B_kj, for A K x m and B K x n; A^T is never formed. */
export function matmulTN(a: Matrix, b: Matrix): Matrix {
  checkInner('matmulTN', a.rows, b.rows, a, b);
  const out = new Float64Array(a.cols * b.cols);
  gemmAccumulate(out, a.data, 1, a.cols, b.data, a.cols, a.rows, b.cols);
  return matrix(a.cols, b.cols, out);
}

/**
 * The product C = A B^T, C_ij = Σ_k A_ik B_jk, for A m x K and B n x K; B^T is never formed. Each entry is a dot
 * product of two contiguous rows; four rows of B share each load of A's row.
 */
export function matmulNT(a: Matrix, b: Matrix): Matrix {
  checkInner('matmulNT', a.cols, b.cols, a, b);
  const m = a.rows;
  const n = b.rows;
  const K = a.cols;
  const ad = a.data;
  const bd = b.data;
  const out = new Float64Array(m * n);
  // Rows of B per tile: about 128 KiB of B, reused by every row of A.
  const jt = Math.max(4, Math.floor(16384 / Math.max(1, K)));
  for (let j0 = 0; j0 < n; j0 += jt) {
    const j1 = Math.min(n, j0 + jt);
    for (let i = 0; i < m; i++) {
      const ai = i * K;
      let j = j0;
      for (; j + 3 < j1; j += 4) {
        const b0 = j * K;
        const b1 = b0 + K;
        const b2 = b1 + K;
        const b3 = b2 + K;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let k = 0; k < K; k++) {
          const x = ad[ai + k]!;
          s0 += x * bd[b0 + k]!;
          s1 += x * bd[b1 + k]!;
          s2 += x * bd[b2 + k]!;
          s3 += x * bd[b3 + k]!;
        }
        const o = i * n + j;
        out[o] = s0;
        out[o + 1] = s1;
        out[o + 2] = s2;
        out[o + 3] = s3;
      }
      for (; j < j1; j++) out[i * n + j] = dot(ad, ai, bd, j * K, K);
    }
  }
  return matrix(m, n, out);
}

/** The Gram matrix A^T A (cols x cols), symmetric positive semi-definite. */
export function gram(a: Matrix): Matrix {
  return matmulTN(a, a);
}

/** The Gram matrix A A^T (rows x rows), symmetric positive semi-definite. */
export function gramRows(a: Matrix): Matrix {
  return matmulNT(a, a);
}

/** y = A x, y_i = Σ_j A_ij x_j. */
export function matvec(a: Matrix, x: ArrayLike<number>): Float64Array {
  if (x.length !== a.cols) throw new Error(`matvec: a ${a.rows} x ${a.cols} matrix times a vector of ${x.length}`);
  const xv = x instanceof Float64Array ? x : Float64Array.from(x);
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) out[i] = dot(a.data, i * a.cols, xv, 0, a.cols);
  return out;
}

/** y = x^T A, y_j = Σ_i x_i A_ij. */
export function vecmat(x: ArrayLike<number>, a: Matrix): Float64Array {
  if (x.length !== a.rows) throw new Error(`vecmat: a vector of ${x.length} times a ${a.rows} x ${a.cols} matrix`);
  const n = a.cols;
  const d = a.data;
  const out = new Float64Array(n);
  for (let i = 0; i < a.rows; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const o = i * n;
    for (let j = 0; j < n; j++) out[j] = out[j]! + xi * d[o + j]!;
  }
  return out;
}

/** The Frobenius inner product <A, B> = Σ_ij A_ij B_ij = tr(A^T B). */
export function frobeniusInner(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(`frobeniusInner: shapes ${a.rows} x ${a.cols} and ${b.rows} x ${b.cols} differ`);
  }
  return dot(a.data, 0, b.data, 0, a.data.length);
}

/** Σ_k x[xo + k] y[yo + k] for k < n, with four accumulators so the adds pipeline. */
export function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += x[xo + k]! * y[yo + k]!;
    s1 += x[xo + k + 1]! * y[yo + k + 1]!;
    s2 += x[xo + k + 2]! * y[yo + k + 2]!;
    s3 += x[xo + k + 3]! * y[yo + k + 3]!;
  }
  for (; k < n; k++) s0 += x[xo + k]! * y[yo + k]!;
  return s0 + s1 + s2 + s3;
}
