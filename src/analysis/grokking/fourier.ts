/**
 * The Fourier basis over Z_p (Nanda et al. 2023): the constant 1/sqrt(p), then for each frequency k = 1..floor(p/2)
 * cos(w_k x) and sin(w_k x), w_k = 2 pi k / p, each scaled to unit norm over x = 0..p-1. For odd p these p vectors
 * are an orthonormal basis of R^p (for even p the sine of k = p/2 is zero and is left out, so the basis still has p
 * vectors).
 */
export interface FourierBasis {
  p: number;
  /** `[p, p]` row-major: row i is basis vector i evaluated at x = 0..p-1. */
  rows: Float64Array;
  /** 'const', 'cos 1', 'sin 1', ... */
  names: string[];
  /** Frequency of each row (0 for the constant). */
  freqs: number[];
}

export function fourierBasis(p: number): FourierBasis {
  if (!Number.isInteger(p) || p < 2) throw new Error(`fourierBasis: p must be an integer >= 2, got ${p}`);
  const rows = new Float64Array(p * p);
  const names = ['const'];
  const freqs = [0];
  rows.fill(1 / Math.sqrt(p), 0, p);
  let r = 1;
  for (let k = 1; k <= Math.floor(p / 2); k++) {
    for (const [kind, f] of [['cos', Math.cos], ['sin', Math.sin]] as const) {
      const v = Array.from({ length: p }, (_, x) => f((2 * Math.PI * k * x) / p));
      const norm = Math.sqrt(v.reduce((s, y) => s + y * y, 0));
      if (norm < 1e-9 || r >= p) continue;
      for (let x = 0; x < p; x++) rows[r * p + x] = v[x]! / norm;
      names.push(`${kind} ${k}`);
      freqs.push(k);
      r++;
    }
  }
  return { p, rows, names, freqs };
}

/** The number of frequencies k = 1..floor((p - 1) / 2) that have both a cosine and a sine (all of them for odd p). */
export function frequencyCount(p: number): number {
  return Math.floor((p - 1) / 2);
}

/**
 * The unit directions over the p^2 inputs (a, b) (index a p + b) of cos(w_k (a + b)) and sin(w_k (a + b)): the
 * paper's `(cos a cos b - sin a sin b) / sqrt 2` and `(sin a cos b + cos a sin b) / sqrt 2` in the 2-D Fourier basis.
 */
export function sumDirections(p: number, k: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(p * p);
  const sin = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const t = (2 * Math.PI * k * ((a + b) % p)) / p;
      cos[a * p + b] = Math.cos(t);
      sin[a * p + b] = Math.sin(t);
    }
  }
  for (const v of [cos, sin]) {
    const n = Math.sqrt(v.reduce((s, y) => s + y * y, 0));
    for (let i = 0; i < v.length; i++) v[i]! /= n;
  }
  return { cos, sin };
}
