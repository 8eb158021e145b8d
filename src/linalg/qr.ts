import { makeReflector, reflectLeft } from './householder.js';
import { matrix, type Matrix } from './matrix.js';

/** A thin QR factorisation: A = Q R with Q m x k (orthonormal columns) and R k x n upper triangular, k = min(m, n). */
export interface QR {
  readonly Q: Matrix;
  readonly R: Matrix;
}

/**
 * Householder QR: A = Q R, Q^T Q = I_k, R_ij = 0 for i > j, k = min(m, n).
 * R = H_{k-1} ... H_0 A, and Q is the first k columns of H_0 ... H_{k-1}. Diagonal entries of R may be negative.
 * Backward stable: ||Q R - A|| is a small multiple of machine epsilon times ||A|| whatever the rank.
 */
export function qr(a: Matrix): QR {
  const m = a.rows;
  const n = a.cols;
  const k = Math.min(m, n);
  // Work holds R above the diagonal and the reflectors' tails below it (column j, rows j+1..).
  const work = a.data.slice();
  const taus = new Float64Array(k);
  const scratch = new Float64Array(Math.max(n, k));
  for (let j = 0; j < k; j++) {
    const tau = makeReflector(work, j * n + j, n, m - j);
    taus[j] = tau;
    reflectLeft(work, n, j, m - j, j + 1, n, work, j * n + j, n, tau, scratch);
  }
  const R = new Float64Array(k * n);
  for (let i = 0; i < k; i++) for (let j = i; j < n; j++) R[i * n + j] = work[i * n + j]!;
  // Q = H_0 ... H_{k-1} I[:, :k], applied from the last reflector back, each touching only its trailing rows.
  const Q = new Float64Array(m * k);
  for (let i = 0; i < k; i++) Q[i * k + i] = 1;
  for (let j = k - 1; j >= 0; j--) reflectLeft(Q, k, j, m - j, j, k, work, j * n + j, n, taus[j]!, scratch);
  return { Q: matrix(m, k, Q), R: matrix(k, n, R) };
}
