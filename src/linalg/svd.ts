import { matrix, transpose, type Matrix } from './matrix.js';
import { dot, matmul } from './products.js';
import { qr } from './qr.js';

/**
 * A thin singular value decomposition A = U diag(S) V^T with k = min(m, n): U m x k and V n x k have orthonormal
 * columns, S holds the singular values in descending order. (TransformerLens calls V "Vh" but means V too.)
 */
export interface SVD {
  readonly U: Matrix;
  readonly S: Float64Array;
  readonly V: Matrix;
}

const EPS = 2.220446049250313e-16;
const MAX_SWEEPS = 80;

/**
 * Singular value decomposition A = U diag(S) V^T, S_0 >= S_1 >= ... >= 0, U^T U = V^T V = I_k, k = min(m, n).
 *
 * One-sided (Hestenes) Jacobi: plane rotations applied on the right orthogonalise the columns of A; their norms
 * are then the singular values, the normalised columns U, the accumulated rotations V. A tall matrix is first
 * reduced by QR (A = Q R, then R = U_R S V^T and U = Q U_R), which both shrinks the work to k x k and speeds up
 * Jacobi's convergence. Jacobi computes small singular values to high relative accuracy, which the bidiagonal
 * route does not. Columns of U for zero singular values are completed to an orthonormal set.
 */
export function svd(a: Matrix): SVD {
  if (a.rows < a.cols) {
    const t = svdTall(transpose(a));
    return { U: t.V, S: t.S, V: t.U };
  }
  return svdTall(a);
}

function svdTall(a: Matrix): SVD {
  const { rows: m, cols: n } = a;
  if (n === 0) return { U: matrix(m, 0), S: new Float64Array(0), V: matrix(0, 0) };
  if (m > n) {
    const { Q, R } = qr(a);
    const inner = jacobiSvd(R);
    return { U: matmul(Q, inner.U), S: inner.S, V: inner.V };
  }
  return jacobiSvd(a);
}

/** One-sided Jacobi on an m x n matrix with m >= n. */
function jacobiSvd(a: Matrix): SVD {
  const { rows: m, cols: n } = a;
  // Columns of A and of V are kept as rows (transposed) so every rotation and dot product is contiguous.
  const g = transpose(a).data;
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const norms = new Float64Array(n);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let j = 0; j < n; j++) norms[j] = dot(g, j * m, g, j * m, m);
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = norms[p]!;
        const beta = norms[q]!;
        const gamma = dot(g, p * m, g, q * m, m);
        // Already orthogonal to working precision, relative to the two columns' own sizes.
        if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(g, p * m, q * m, m, c, s);
        rotate(v, p * n, q * n, n, c, s);
        // The rotation moves t γ of squared norm from column p to column q exactly (in exact arithmetic).
        norms[p] = alpha - t * gamma;
        norms[q] = beta + t * gamma;
      }
    }
    if (!rotated) break;
  }
  const sv = new Float64Array(n);
  for (let j = 0; j < n; j++) sv[j] = Math.sqrt(dot(g, j * m, g, j * m, m));
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => sv[y]! - sv[x]! || x - y);
  const U = new Float64Array(m * n);
  const V = new Float64Array(n * n);
  const S = new Float64Array(n);
  const zeroCols: number[] = [];
  order.forEach((src, dst) => {
    const sj = sv[src]!;
    S[dst] = sj;
    for (let i = 0; i < n; i++) V[i * n + dst] = v[src * n + i]!;
    if (sj === 0 || !Number.isFinite(1 / sj)) {
      zeroCols.push(dst);
      return;
    }
    for (let i = 0; i < m; i++) U[i * n + dst] = g[src * m + i]! / sj;
  });
  if (zeroCols.length > 0) completeOrthonormal(U, m, n, zeroCols);
  return { U: matrix(m, n, U), S, V: matrix(n, n, V) };
}

/** (x_p, x_q) ← (c x_p - s x_q, s x_p + c x_q) over two rows of length len. */
function rotate(d: Float64Array, po: number, qo: number, len: number, c: number, s: number): void {
  for (let i = 0; i < len; i++) {
    const xp = d[po + i]!;
    const xq = d[qo + i]!;
    d[po + i] = c * xp - s * xq;
    d[qo + i] = s * xp + c * xq;
  }
}

/**
 * Fills the listed columns of the m x k matrix `u` (all other columns orthonormal) with unit vectors orthogonal
 * to every other column: each is the standard basis vector with the largest residual after two rounds of
 * Gram-Schmidt, which is at least 1/sqrt(m) in norm, so the result is well conditioned.
 */
function completeOrthonormal(u: Float64Array, m: number, k: number, cols: readonly number[]): void {
  const missing = new Set(cols);
  const filled = Array.from({ length: k }, (_, j) => j).filter((j) => !missing.has(j));
  const x = new Float64Array(m);
  for (const target of cols) {
    let best: Float64Array | null = null;
    let bestNorm = -1;
    for (let e = 0; e < m && bestNorm < 0.7; e++) {
      x.fill(0);
      x[e] = 1;
      for (let round = 0; round < 2; round++) {
        for (const j of filled) {
          let d = 0;
          for (let i = 0; i < m; i++) d += u[i * k + j]! * x[i]!;
          for (let i = 0; i < m; i++) x[i] = x[i]! - d * u[i * k + j]!;
        }
      }
      let nx = 0;
      for (let i = 0; i < m; i++) nx += x[i]! * x[i]!;
      nx = Math.sqrt(nx);
      if (nx > bestNorm) {
        bestNorm = nx;
        best = x.map((xi) => xi / nx);
      }
    }
    for (let i = 0; i < m; i++) u[i * k + target] = best![i]!;
    filled.push(target);
  }
}
