/**
 * Householder reflectors H = I - τ v v^T with v_0 = 1, the building block of QR and of the Hessenberg reduction
 * (which applies them with its own specialised loops).
 * Orthogonal transformations keep the backward error at machine precision, which Gram-Schmidt does not.
 */

/**
 * Turns the strided vector x = (d[o], d[o + s], ..., d[o + (n-1)s]) into its reflector in place, so that
 * H x = β e_1: on return d[o] = β, the remaining entries hold v_1..v_{n-1}, and the result is τ.
 * With x_0 = α and σ = ||x_1..||: β = -sign(α) sqrt(α² + σ²), τ = (β - α)/β, v = x / (α - β).
 * When σ = 0 the reflector is the identity (τ = 0) and x is left unchanged.
 */
export function makeReflector(d: Float64Array, o: number, s: number, n: number): number {
  if (n <= 1) return 0;
  const alpha = d[o]!;
  let big = 0;
  for (let i = 1; i < n; i++) big = Math.max(big, Math.abs(d[o + i * s]!));
  if (big === 0) return 0;
  let ss = 0;
  for (let i = 1; i < n; i++) {
    const v = d[o + i * s]! / big;
    ss += v * v;
  }
  const sigma = big * Math.sqrt(ss);
  const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, sigma);
  const tau = (beta - alpha) / beta;
  const inv = 1 / (alpha - beta);
  for (let i = 1; i < n; i++) d[o + i * s] = d[o + i * s]! * inv;
  d[o] = beta;
  return tau;
}

/**
 * Applies H = I - τ v v^T from the left to rows r0..r0+len-1, columns c0..c1-1 of the row-major matrix `a`
 * (row length `cols`): A ← A - τ v (v^T A). The reflector is v_0 = 1 and v_i = vd[vo + i vs].
 * `w` is scratch of length >= c1.
 */
export function reflectLeft(
  a: Float64Array, cols: number, r0: number, len: number, c0: number, c1: number,
  vd: Float64Array, vo: number, vs: number, tau: number, w: Float64Array,
): void {
  if (tau === 0) return;
  for (let c = c0; c < c1; c++) w[c] = a[r0 * cols + c]!;
  for (let i = 1; i < len; i++) {
    const vi = vd[vo + i * vs]!;
    if (vi === 0) continue;
    const ro = (r0 + i) * cols;
    for (let c = c0; c < c1; c++) w[c] = w[c]! + vi * a[ro + c]!;
  }
  for (let c = c0; c < c1; c++) a[r0 * cols + c] = a[r0 * cols + c]! - tau * w[c]!;
  for (let i = 1; i < len; i++) {
    const f = tau * vd[vo + i * vs]!;
    if (f === 0) continue;
    const ro = (r0 + i) * cols;
    for (let c = c0; c < c1; c++) a[ro + c] = a[ro + c]! - f * w[c]!;
  }
}
