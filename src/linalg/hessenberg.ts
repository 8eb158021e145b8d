import { makeReflector } from './householder.js';

/*
 * In-place reductions of a square row-major n x n array that keep its eigenvalues: balancing (a diagonal
 * similarity) and reduction to upper Hessenberg form (an orthogonal similarity). Both exist to make the
 * Francis QR iteration accurate and cheap.
 */

/**
 * Balances `h` in place by a diagonal similarity D^-1 H D with powers of two (exact in floating point), so that
 * each row and the matching column have similar norms (Parlett and Reinsch). Eigenvalues are unchanged; their
 * computed accuracy, which scales with ||H||, improves when rows and columns differ widely in size.
 */
export function balance(h: Float64Array, n: number): void {
  const RADIX = 2;
  let done = false;
  for (let pass = 0; !done && pass < 100; pass++) {
    done = true;
    for (let i = 0; i < n; i++) {
      let c = 0;
      let r = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        c += Math.abs(h[j * n + i]!);
        r += Math.abs(h[i * n + j]!);
      }
      if (c === 0 || r === 0) continue;
      const s = c + r;
      let f = 1;
      let g = r / RADIX;
      while (c < g) {
        f *= RADIX;
        c *= RADIX * RADIX;
      }
      g = r * RADIX;
      while (c > g) {
        f /= RADIX;
        c /= RADIX * RADIX;
      }
      // Scale only when it shrinks the row-plus-column norm noticeably, which guarantees termination.
      if ((c + r) / f < 0.95 * s) {
        done = false;
        const inv = 1 / f;
        for (let j = 0; j < n; j++) h[i * n + j] = h[i * n + j]! * inv;
        for (let j = 0; j < n; j++) h[j * n + i] = h[j * n + i]! * f;
      }
    }
  }
}

/**
 * Reduces `h` in place to upper Hessenberg form Q^T H Q (zero below the first subdiagonal) with Householder
 * reflectors, one per column: about 10/3 n³ flops. The reflectors are not kept: only eigenvalues are wanted.
 * This is most of the cost of `eigenvalues`, so the two updates are written out with contiguous v and two rows
 * (left) or four accumulators (right) per pass rather than going through the strided general routines.
 */
export function hessenberg(h: Float64Array, n: number): void {
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const len = n - k - 1;
    const o = (k + 1) * n + k;
    const tau = makeReflector(h, o, n, len);
    if (tau === 0) continue;
    // Move the reflector out of column k (where H must become zero) into scratch, indexed from row k + 1.
    v[0] = 1;
    for (let i = 1; i < len; i++) {
      v[i] = h[o + i * n]!;
      h[o + i * n] = 0;
    }
    applyLeft(h, n, k + 1, v, len, tau, w);
    applyRight(h, n, k + 1, v, len, tau);
  }
}

/** H[c0:, c0:] ← (I - τ v v^T) H[c0:, c0:]: w = v^T H (two rows per pass), then H -= τ v w. */
function applyLeft(h: Float64Array, n: number, c0: number, v: Float64Array, len: number, tau: number, w: Float64Array): void {
  w.fill(0, c0, n);
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const a = v[i]!;
    const b = v[i + 1]!;
    const ra = (c0 + i) * n;
    const rb = ra + n;
    for (let c = c0; c < n; c++) w[c] = w[c]! + a * h[ra + c]! + b * h[rb + c]!;
  }
  if (i < len) {
    const a = v[i]!;
    const ra = (c0 + i) * n;
    for (let c = c0; c < n; c++) w[c] = w[c]! + a * h[ra + c]!;
  }
  let r = 0;
  for (; r + 1 < len; r += 2) {
    const fa = tau * v[r]!;
    const fb = tau * v[r + 1]!;
    const ra = (c0 + r) * n;
    const rb = ra + n;
    for (let c = c0; c < n; c++) {
      const wc = w[c]!;
      h[ra + c] = h[ra + c]! - fa * wc;
      h[rb + c] = h[rb + c]! - fb * wc;
    }
  }
  if (r < len) {
    const f = tau * v[r]!;
    const ro = (c0 + r) * n;
    for (let c = c0; c < n; c++) h[ro + c] = h[ro + c]! - f * w[c]!;
  }
}

/** H[:, c0:] ← H[:, c0:] (I - τ v v^T): per row, s = H_r v, then H_r -= τ s v^T; two rows share each load of v. */
function applyRight(h: Float64Array, n: number, c0: number, v: Float64Array, len: number, tau: number): void {
  let r = 0;
  for (; r + 1 < n; r += 2) {
    const ra = r * n + c0;
    const rb = ra + n;
    let sa0 = 0;
    let sa1 = 0;
    let sb0 = 0;
    let sb1 = 0;
    let i = 0;
    for (; i + 1 < len; i += 2) {
      const v0 = v[i]!;
      const v1 = v[i + 1]!;
      sa0 += h[ra + i]! * v0;
      sa1 += h[ra + i + 1]! * v1;
      sb0 += h[rb + i]! * v0;
      sb1 += h[rb + i + 1]! * v1;
    }
    if (i < len) {
      sa0 += h[ra + i]! * v[i]!;
      sb0 += h[rb + i]! * v[i]!;
    }
    const fa = tau * (sa0 + sa1);
    const fb = tau * (sb0 + sb1);
    for (let j = 0; j < len; j++) {
      const vj = v[j]!;
      h[ra + j] = h[ra + j]! - fa * vj;
      h[rb + j] = h[rb + j]! - fb * vj;
    }
  }
  if (r < n) {
    const ro = r * n + c0;
    let s = 0;
    for (let i = 0; i < len; i++) s += h[ro + i]! * v[i]!;
    const f = tau * s;
    for (let j = 0; j < len; j++) h[ro + j] = h[ro + j]! - f * v[j]!;
  }
}
