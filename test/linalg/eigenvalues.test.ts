// Eigenvalues of general real matrices against constructed spectra (diagonal, triangular, rotation blocks,
// similarity transforms, companion and permutation matrices) and against residuals on random matrices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/random.js';
import {
  diagonal, eigenvalues, fromRows, identity, matmul, matrix, svd, zeros, type ComplexArray, type Matrix,
} from '../../src/linalg/index.js';

type C = [number, number];

function random(rng: Rng, rows: number, cols: number): Matrix {
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng.normal()));
}

/** Gauss-Jordan inverse with partial pivoting (test-only: P^-1 for similarity transforms). */
function inverse(a: Matrix): Matrix {
  const n = a.rows;
  const w = a.data.slice();
  const inv = identity(n).data;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(w[r * n + c]!) > Math.abs(w[p * n + c]!)) p = r;
    for (let j = 0; j < n; j++) {
      [w[c * n + j], w[p * n + j]] = [w[p * n + j]!, w[c * n + j]!];
      [inv[c * n + j], inv[p * n + j]] = [inv[p * n + j]!, inv[c * n + j]!];
    }
    const d = w[c * n + c]!;
    for (let j = 0; j < n; j++) {
      w[c * n + j] = w[c * n + j]! / d;
      inv[c * n + j] = inv[c * n + j]! / d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = w[r * n + c]!;
      for (let j = 0; j < n; j++) {
        w[r * n + j] = w[r * n + j]! - f * w[c * n + j]!;
        inv[r * n + j] = inv[r * n + j]! - f * inv[c * n + j]!;
      }
    }
  }
  return matrix(n, n, inv);
}

/** Block-diagonal matrix: 1 x 1 blocks for real eigenvalues, [[a, -b], [b, a]] for each pair a ± bi (b > 0). */
function blockDiagonal(spectrum: readonly C[]): Matrix {
  const n = spectrum.reduce((s, [, b]) => s + (b === 0 ? 1 : 2), 0);
  const m = zeros(n, n);
  let i = 0;
  for (const [a, b] of spectrum) {
    m.data[i * n + i] = a;
    if (b !== 0) {
      m.data[i * n + i + 1] = -b;
      m.data[(i + 1) * n + i] = b;
      m.data[(i + 1) * n + i + 1] = a;
      i += 2;
    } else i += 1;
  }
  return m;
}

/** The multiset of eigenvalues with pairs expanded: a ± bi for each (a, b) with b > 0. */
function expand(spectrum: readonly C[]): C[] {
  return spectrum.flatMap(([a, b]): C[] => (b === 0 ? [[a, 0]] : [[a, b], [a, -b]]));
}

function toPairs(e: ComplexArray): C[] {
  return Array.from(e.re, (re, i): C => [re, e.im[i]!]);
}

/** Matches each expected eigenvalue to the nearest unused computed one; returns the largest distance. */
function spectrumError(got: ComplexArray, want: readonly C[]): number {
  assert.equal(got.re.length, want.length, 'number of eigenvalues');
  const used = new Array<boolean>(want.length).fill(false);
  let worst = 0;
  for (const [a, b] of want) {
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < got.re.length; i++) {
      if (used[i]) continue;
      const d = Math.hypot(got.re[i]! - a, got.im[i]! - b);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    used[best] = true;
    worst = Math.max(worst, bestD);
  }
  return worst;
}

test('diagonal and triangular matrices: the diagonal, sorted by modulus descending', () => {
  const d = eigenvalues(diagonal([3, -1, 2, 0, -5]));
  assert.deepEqual(Array.from(d.re), [-5, 3, 2, -1, 0]);
  assert.deepEqual(Array.from(d.im), [0, 0, 0, 0, 0]);
  const rng = new Rng(31);
  const diag = [4, -3, 2.5, 1, -0.5, 0.25, 7];
  const upper = random(rng, 7, 7);
  const lower = random(rng, 7, 7);
  for (let i = 0; i < 7; i++) {
    for (let j = 0; j < 7; j++) {
      if (i > j) upper.data[i * 7 + j] = 0;
      if (i < j) lower.data[i * 7 + j] = 0;
    }
    upper.data[i * 8] = diag[i]!;
    lower.data[i * 8] = diag[i]!;
  }
  const want = diag.map((x): C => [x, 0]);
  assert.ok(spectrumError(eigenvalues(upper), want) < 1e-12);
  assert.ok(spectrumError(eigenvalues(lower), want) < 1e-12);
});

test('rotation blocks give complex conjugate pairs, listed + before -', () => {
  const t = 0.7;
  const r = eigenvalues(fromRows([[2 * Math.cos(t), -2 * Math.sin(t)], [2 * Math.sin(t), 2 * Math.cos(t)]]));
  assert.ok(Math.abs(r.re[0]! - 2 * Math.cos(t)) < 1e-15 && Math.abs(r.im[0]! - 2 * Math.sin(t)) < 1e-15);
  assert.ok(Math.abs(r.re[1]! - 2 * Math.cos(t)) < 1e-15 && Math.abs(r.im[1]! + 2 * Math.sin(t)) < 1e-15);
  const spectrum: C[] = [[0, 1], [0.5, 2], [-1, 0], [3, 0.1]];
  assert.ok(spectrumError(eigenvalues(blockDiagonal(spectrum)), expand(spectrum)) < 1e-14);
});

test('similarity transforms P B P^-1 keep constructed spectra (real, complex, repeated)', () => {
  const rng = new Rng(32);
  const cases: C[][] = [
    [[5, 0], [-4, 0], [3, 0], [2, 0], [1, 0], [0.5, 0]],
    [[1, 2], [1, 0.5], [-2, 1], [0.3, 0], [-0.3, 0]],
    [[2, 0], [2, 0], [2, 0], [-1, 1], [-1, 1]],
    [[0.9, 0.4], [0.2, 0.95], [-0.7, 0.7], [0.99, 0], [-0.5, 0], [0.1, 0.05], [0, 0], [0, 0]],
  ];
  for (const spectrum of cases) {
    const B = blockDiagonal(spectrum);
    const P = random(rng, B.rows, B.rows);
    const A = matmul(matmul(P, B), inverse(P));
    assert.ok(spectrumError(eigenvalues(A), expand(spectrum)) < 1e-9, JSON.stringify(spectrum));
  }
});

test('a 64 x 64 similarity transform with a spectrum of copying-head shape', () => {
  const rng = new Rng(33);
  const spectrum: C[] = [];
  for (let i = 0; i < 20; i++) spectrum.push([1 + rng.uniform() * 4, 0]);
  for (let i = 0; i < 22; i++) spectrum.push([rng.normal(), 0.1 + rng.uniform()]);
  const B = blockDiagonal(spectrum);
  assert.equal(B.rows, 64);
  const Q = svd(random(rng, 64, 64)).U; // orthogonal, so the spectrum stays well conditioned
  const A = matmul(matmul(Q, B), inverse(Q));
  assert.ok(spectrumError(eigenvalues(A), expand(spectrum)) < 1e-10);
});

test('the zero matrix, 1 x 1, and empty matrices', () => {
  for (const n of [1, 2, 5, 17]) {
    const e = eigenvalues(zeros(n, n));
    assert.ok(e.re.every((x) => x === 0) && e.im.every((x) => x === 0), `zero ${n}`);
  }
  assert.deepEqual(Array.from(eigenvalues(fromRows([[-3.5]])).re), [-3.5]);
  assert.equal(eigenvalues(zeros(0, 0)).re.length, 0);
});

test('companion matrix of (x-1)(x-2)(x-3)(x-4) and a cyclic permutation (roots of unity)', () => {
  // x^4 - 10x^3 + 35x^2 - 50x + 24
  const comp = fromRows([[10, -35, 50, -24], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]);
  assert.ok(spectrumError(eigenvalues(comp), [[4, 0], [3, 0], [2, 0], [1, 0]]) < 1e-11);
  // The cyclic shift is orthogonal with all |λ| = 1: the standard shifts stall on it, the exceptional ones must not.
  for (const n of [2, 3, 5, 8]) {
    const p = zeros(n, n);
    for (let i = 0; i < n; i++) p.data[((i + 1) % n) * n + i] = 1;
    const want = Array.from({ length: n }, (_, k): C => [Math.cos((2 * Math.PI * k) / n), Math.sin((2 * Math.PI * k) / n)]);
    assert.ok(spectrumError(eigenvalues(p), want) < 1e-12, `cycle ${n}`);
  }
});

test('badly scaled similarity D A D^-1 (entries from 1e-12 to 1e12) keeps its spectrum', () => {
  const spectrum: C[] = [[3, 0], [-2, 0], [1, 1], [0.5, 0]];
  const rng = new Rng(34);
  const B = blockDiagonal(spectrum);
  const P = random(rng, 5, 5);
  const A = matmul(matmul(P, B), inverse(P));
  const d = [1e-6, 1e-3, 1, 1e3, 1e6];
  const scaled = zeros(5, 5);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) scaled.data[i * 5 + j] = (d[i]! * A.data[i * 5 + j]!) / d[j]!;
  assert.ok(spectrumError(eigenvalues(scaled), expand(spectrum)) < 1e-9);
});

test('a defective Jordan block: eigenvalues within ε^(1/4), their mean exact', () => {
  const j = fromRows([[2, 1, 0, 0], [0, 2, 1, 0], [0, 0, 2, 1], [0, 0, 0, 2]]);
  const rng = new Rng(35);
  const P = random(rng, 4, 4);
  const e = eigenvalues(matmul(matmul(P, j), inverse(P)));
  for (let i = 0; i < 4; i++) assert.ok(Math.hypot(e.re[i]! - 2, e.im[i]!) < 1e-3);
  assert.ok(Math.abs(e.re.reduce((s, x) => s + x, 0) / 4 - 2) < 1e-12);
});

/** The smallest singular value of A - λI (complex λ through its real 2n x 2n form). */
function residual(a: Matrix, re: number, im: number): number {
  const n = a.rows;
  const m = zeros(2 * n, 2 * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = a.data[i * n + j]! - (i === j ? re : 0);
      m.data[i * 2 * n + j] = v;
      m.data[(n + i) * 2 * n + n + j] = v;
    }
    m.data[i * 2 * n + n + i] = im;
    m.data[(n + i) * 2 * n + i] = -im;
  }
  const s = svd(m).S;
  return s[s.length - 1]!;
}

test('random matrices: every λ makes A - λI singular, conjugates pair up, Σλ = tr A, Σλ² = tr A²', () => {
  const rng = new Rng(36);
  for (const n of [3, 6, 12, 25]) {
    const a = random(rng, n, n);
    const e = eigenvalues(a);
    const pairs = toPairs(e);
    for (const [re, im] of pairs) assert.ok(residual(a, re, im) < 1e-12 * n, `n = ${n}: λ = ${re} + ${im}i`);
    for (const [re, im] of pairs) {
      if (im !== 0) assert.ok(pairs.some(([r2, i2]) => r2 === re && i2 === -im), 'conjugate present');
    }
    let tr = 0;
    let tr2 = 0;
    const a2 = matmul(a, a);
    for (let i = 0; i < n; i++) {
      tr += a.data[i * n + i]!;
      tr2 += a2.data[i * n + i]!;
    }
    const sum = pairs.reduce((s, [re]) => s + re, 0);
    const sumIm = pairs.reduce((s, [, im]) => s + im, 0);
    const sumSq = pairs.reduce((s, [re, im]) => s + re * re - im * im, 0);
    assert.ok(Math.abs(sum - tr) < 1e-11 * n);
    assert.ok(Math.abs(sumIm) < 1e-12 * n);
    assert.ok(Math.abs(sumSq - tr2) < 1e-10 * n);
  }
});

test('many random 64 x 64 matrices converge and satisfy the trace identity', () => {
  const rng = new Rng(37);
  for (let t = 0; t < 12; t++) {
    const a = random(rng, 64, 64);
    const e = eigenvalues(a);
    let tr = 0;
    for (let i = 0; i < 64; i++) tr += a.data[i * 65]!;
    assert.ok(Math.abs(e.re.reduce((s, x) => s + x, 0) - tr) < 1e-9);
    for (let i = 1; i < 64; i++) assert.ok(Math.hypot(e.re[i - 1]!, e.im[i - 1]!) >= Math.hypot(e.re[i]!, e.im[i]!) - 1e-12);
  }
});

test('non-square and non-finite inputs are rejected', () => {
  assert.throws(() => eigenvalues(zeros(2, 3)), /square/);
  assert.throws(() => eigenvalues(fromRows([[1, NaN], [0, 1]])), /non-finite/);
});
