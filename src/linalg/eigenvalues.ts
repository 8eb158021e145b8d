import { balance, hessenberg } from './hessenberg.js';
import type { ComplexArray, Matrix } from './matrix.js';

export type { ComplexArray } from './matrix.js';

const EPS = 2.220446049250313e-16;
/** Iterations allowed per eigenvalue before giving up; exceptional shifts at every tenth. */
const MAX_ITERATIONS = 60;

/**
 * All n eigenvalues of a real square matrix, complex in general: the roots of det(λI - A) = 0, with multiplicity.
 * Complex eigenvalues come in conjugate pairs. They are returned sorted by modulus |λ| descending, then by real
 * part descending, then by imaginary part descending (so a + bi precedes a - bi for b > 0).
 *
 * Balancing, Householder reduction to Hessenberg form, then Francis double-shift QR (eigenvalues only, so each
 * sweep touches only the active diagonal block). Backward stable: the result is the exact spectrum of A + E with
 * ||E|| ≈ ε ||A||; eigenvalues of a defective or non-normal A can still move by much more than ε.
 */
export function eigenvalues(a: Matrix): ComplexArray {
  const n = a.rows;
  if (a.cols !== n) throw new Error(`eigenvalues: expected a square matrix, got ${a.rows} x ${a.cols}`);
  const h = a.data.slice();
  for (let i = 0; i < h.length; i++) {
    if (!Number.isFinite(h[i]!)) throw new Error('eigenvalues: the matrix has non-finite entries');
  }
  balance(h, n);
  hessenberg(h, n);
  const out = hessenbergEigenvalues(h, n);
  return sortEigenvalues(out);
}

/**
 * Eigenvalues of an upper Hessenberg n x n matrix `h` (destroyed) by the Francis double-shift QR iteration.
 *
 * Each step chases a 3 x 3 bulge down the active block [lo, hi], implicitly applying the two shifts σ, σ̄ that are
 * the eigenvalues of the trailing 2 x 2 block (real arithmetic even when they are complex). A subdiagonal entry
 * below ε (|h_{l-1,l-1}| + |h_ll|) is set to zero, splitting the problem; 1 x 1 and 2 x 2 blocks that split off at
 * the bottom give one real or two (real or conjugate) eigenvalues.
 */
function hessenbergEigenvalues(h: Float64Array, n: number): ComplexArray {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let norm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(0, i - 1); j < n; j++) norm += Math.abs(h[i * n + j]!);
  let shifted = 0; // sum of exceptional shifts already subtracted from the diagonal
  let its = 0;
  let hi = n - 1;
  while (hi >= 0) {
    let lo = hi;
    for (; lo > 0; lo--) {
      let s = Math.abs(h[(lo - 1) * n + lo - 1]!) + Math.abs(h[lo * n + lo]!);
      if (s === 0) s = norm;
      if (Math.abs(h[lo * n + lo - 1]!) <= EPS * s) {
        h[lo * n + lo - 1] = 0;
        break;
      }
    }
    let x = h[hi * n + hi]!;
    if (lo === hi) {
      re[hi] = x + shifted;
      hi -= 1;
      its = 0;
      continue;
    }
    let y = h[(hi - 1) * n + hi - 1]!;
    let w = h[hi * n + hi - 1]! * h[(hi - 1) * n + hi]!;
    if (lo === hi - 1) {
      // [[y, b], [c, x]]: λ = x + p ± sqrt(p² + bc) with p = (y - x) / 2; the root is added with p's sign and
      // the other eigenvalue comes from the product, avoiding cancellation.
      const p = 0.5 * (y - x);
      const q = p * p + w;
      const z = Math.sqrt(Math.abs(q));
      const base = x + shifted;
      if (q >= 0) {
        const zz = p + (p >= 0 ? z : -z);
        re[hi - 1] = base + zz;
        re[hi] = zz !== 0 ? base - w / zz : base + zz;
      } else {
        re[hi - 1] = base + p;
        re[hi] = base + p;
        im[hi - 1] = z;
        im[hi] = -z;
      }
      hi -= 2;
      its = 0;
      continue;
    }
    if (its >= MAX_ITERATIONS) {
      throw new Error(`eigenvalues: the QR iteration did not converge for eigenvalue ${hi + 1} of ${n}`);
    }
    if (its > 0 && its % 10 === 0) {
      // An exceptional shift breaks the rare cycles the Wilkinson shifts can fall into.
      shifted += x;
      for (let i = 0; i <= hi; i++) h[i * n + i] = h[i * n + i]! - x;
      const s = Math.abs(h[hi * n + hi - 1]!) + Math.abs(h[(hi - 1) * n + hi - 2]!);
      x = 0.75 * s;
      y = x;
      w = -0.4375 * s * s;
    }
    its += 1;
    francisStep(h, n, lo, hi, x, y, w);
  }
  return { re, im };
}

/**
 * One implicit double-shift QR step on the active block [lo, hi] with shifts whose sum is x + y and product
 * x y - w. The bulge starts at the lowest row m >= lo where the two subdiagonals above it are small enough that
 * starting there changes H by less than ε (so the block splits for free).
 */
function francisStep(h: Float64Array, n: number, lo: number, hi: number, x: number, y: number, w: number): void {
  let m = hi - 2;
  let p = 0;
  let q = 0;
  let r = 0;
  for (; m >= lo; m--) {
    // First column of (H - σ1)(H - σ2) restricted to rows m..m+2, divided by h_{m+1,m} (nonzero: unreduced block).
    const z = h[m * n + m]!;
    const dx = x - z;
    const dy = y - z;
    p = (dx * dy - w) / h[(m + 1) * n + m]! + h[m * n + m + 1]!;
    q = h[(m + 1) * n + m + 1]! - z - dx - dy;
    r = h[(m + 2) * n + m + 1]!;
    const s = Math.abs(p) + Math.abs(q) + Math.abs(r);
    p /= s;
    q /= s;
    r /= s;
    if (m === lo) break;
    const u = Math.abs(h[m * n + m - 1]!) * (Math.abs(q) + Math.abs(r));
    const v = Math.abs(p) * (Math.abs(h[(m - 1) * n + m - 1]!) + Math.abs(z) + Math.abs(h[(m + 1) * n + m + 1]!));
    if (u <= EPS * v) break;
  }
  for (let k = m; k < hi; k++) {
    const last = k === hi - 1; // the final reflector is 2 x 2
    let scale = 1;
    if (k !== m) {
      p = h[k * n + k - 1]!;
      q = h[(k + 1) * n + k - 1]!;
      r = last ? 0 : h[(k + 2) * n + k - 1]!;
      scale = Math.abs(p) + Math.abs(q) + Math.abs(r);
      if (scale === 0) continue;
      p /= scale;
      q /= scale;
      r /= scale;
    }
    const s = (p >= 0 ? 1 : -1) * Math.sqrt(p * p + q * q + r * r);
    if (s === 0) continue;
    // The reflector P = I - w w^T / (s (p + s)), w = (p + s, q, r), maps (p, q, r) to (-s, 0, 0).
    const px = (p + s) / s;
    const py = q / s;
    const pz = r / s;
    const q1 = q / (p + s);
    const r1 = r / (p + s);
    if (k !== m) {
      h[k * n + k - 1] = -s * scale;
      h[(k + 1) * n + k - 1] = 0;
      if (!last) h[(k + 2) * n + k - 1] = 0;
    } else if (lo !== m) {
      // Starting below lo, the reflector meets the negligible h_{m,m-1} only: it becomes (1 - px) h_{m,m-1}.
      h[m * n + m - 1] = h[m * n + m - 1]! * (1 - px);
    }
    const r0 = k * n;
    const r1o = r0 + n;
    const r2o = r1o + n;
    if (last) {
      for (let j = k; j <= hi; j++) {
        const t = h[r0 + j]! + q1 * h[r1o + j]!;
        h[r0 + j] = h[r0 + j]! - t * px;
        h[r1o + j] = h[r1o + j]! - t * py;
      }
      for (let i = lo; i <= hi; i++) {
        const o = i * n + k;
        const t = px * h[o]! + py * h[o + 1]!;
        h[o] = h[o]! - t;
        h[o + 1] = h[o + 1]! - t * q1;
      }
    } else {
      for (let j = k; j <= hi; j++) {
        const t = h[r0 + j]! + q1 * h[r1o + j]! + r1 * h[r2o + j]!;
        h[r0 + j] = h[r0 + j]! - t * px;
        h[r1o + j] = h[r1o + j]! - t * py;
        h[r2o + j] = h[r2o + j]! - t * pz;
      }
      const iEnd = Math.min(hi, k + 3);
      for (let i = lo; i <= iEnd; i++) {
        const o = i * n + k;
        const t = px * h[o]! + py * h[o + 1]! + pz * h[o + 2]!;
        h[o] = h[o]! - t;
        h[o + 1] = h[o + 1]! - t * q1;
        h[o + 2] = h[o + 2]! - t * r1;
      }
    }
  }
}

/** Sorts eigenvalues by |λ| descending, then Re λ descending, then Im λ descending, for a deterministic order. */
function sortEigenvalues(e: ComplexArray): ComplexArray {
  const n = e.re.length;
  const mod = Array.from({ length: n }, (_, i) => Math.hypot(e.re[i]!, e.im[i]!));
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => mod[b]! - mod[a]! || e.re[b]! - e.re[a]! || e.im[b]! - e.im[a]! || a - b,
  );
  return { re: Float64Array.from(order, (i) => e.re[i]!), im: Float64Array.from(order, (i) => e.im[i]!) };
}
