import { matrix, type Matrix } from './matrix.js';

/** Eigendecomposition of a symmetric matrix: A = V diag(values) V^T, values ascending, V orthogonal (columns are eigenvectors). */
export interface SymmetricEigen {
  readonly values: Float64Array;
  readonly vectors: Matrix;
}

const EPS = 2.220446049250313e-16;
const MAX_SWEEPS = 100;

/**
 * Eigenvalues and eigenvectors of a real symmetric matrix by cyclic Jacobi: A = V diag(λ) V^T, A v_i = λ_i v_i,
 * λ ascending (the order of numpy's and torch's eigh), V^T V = I.
 *
 * Each rotation J zeroes one off-diagonal pair, A ← J^T A J, V ← V J. A pair is skipped once
 * |a_pq| <= ε sqrt(|a_pp a_qq|), a relative test, so eigenvalues of small magnitude come out to high relative
 * accuracy. The input is used as (A + A^T) / 2, so Gram matrices that rounding left slightly asymmetric are fine.
 */
export function symmetricEigen(a: Matrix): SymmetricEigen {
  const n = a.rows;
  if (a.cols !== n) throw new Error(`symmetricEigen: expected a square matrix, got ${a.rows} x ${a.cols}`);
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) h[i * n + j] = 0.5 * (a.data[i * n + j]! + a.data[j * n + i]!);
  }
  for (let i = 0; i < h.length; i++) {
    if (!Number.isFinite(h[i]!)) throw new Error('symmetricEigen: the matrix has non-finite entries');
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let converged = n <= 1;
  for (let sweep = 0; sweep < MAX_SWEEPS && !converged; sweep++) {
    converged = true;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = h[p * n + q]!;
        if (apq === 0) continue;
        const app = h[p * n + p]!;
        const aqq = h[q * n + q]!;
        if (Math.abs(apq) <= EPS * Math.sqrt(Math.abs(app * aqq))) {
          h[p * n + q] = 0;
          h[q * n + p] = 0;
          continue;
        }
        converged = false;
        // tan of the angle that zeroes a_pq: t² + 2θt - 1 = 0 with θ = (a_qq - a_pp) / (2 a_pq), smaller root.
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        // Columns p and q of A, then rows p and q: A ← J^T A J with J the rotation in the (p, q) plane.
        for (let k = 0; k < n; k++) {
          const akp = h[k * n + p]!;
          const akq = h[k * n + q]!;
          h[k * n + p] = c * akp - s * akq;
          h[k * n + q] = s * akp + c * akq;
        }
        const po = p * n;
        const qo = q * n;
        for (let k = 0; k < n; k++) {
          const apk = h[po + k]!;
          const aqk = h[qo + k]!;
          h[po + k] = c * apk - s * aqk;
          h[qo + k] = s * apk + c * aqk;
        }
        // The closed forms are exact where the updates above only round: a_pp - t a_pq, a_qq + t a_pq, 0.
        h[po + p] = app - t * apq;
        h[qo + q] = aqq + t * apq;
        h[po + q] = 0;
        h[qo + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  if (!converged) throw new Error(`symmetricEigen: Jacobi did not converge in ${MAX_SWEEPS} sweeps`);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => h[x * n + x]! - h[y * n + y]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = h[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values, vectors: matrix(n, n, vectors) };
}
