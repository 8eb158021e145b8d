// QR, SVD and the symmetric eigendecomposition: reconstruction, orthogonality, ordering, and known spectra.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/random.js';
import {
  diagonal, fromRows, identity, matmul, matmulNT, matmulTN, matrix, maxAbsDiff, qr, svd, symmetricEigen, transpose,
  zeros, type Matrix,
} from '../../src/linalg/index.js';

function random(rng: Rng, rows: number, cols: number): Matrix {
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng.normal()));
}

/** A random n x k matrix with orthonormal columns (the Q of a random matrix). */
function orthonormal(rng: Rng, n: number, k: number): Matrix {
  return qr(random(rng, n, k)).Q;
}

/** U diag(s) V^T. */
function compose(U: Matrix, s: ArrayLike<number>, V: Matrix): Matrix {
  return matmulNT(matmul(U, diagonal(s)), V);
}

function assertOrthonormalColumns(q: Matrix, tol: number, what: string): void {
  assert.ok(maxAbsDiff(matmulTN(q, q), identity(q.cols)) < tol, `${what}: Q^T Q != I`);
}

const SHAPES: [number, number][] = [[1, 1], [5, 5], [9, 4], [4, 9], [40, 7], [7, 40], [64, 64], [3, 1], [1, 6]];

test('QR: Q R = A, Q^T Q = I, R upper triangular, on tall, wide and square matrices', () => {
  const rng = new Rng(21);
  for (const [m, n] of SHAPES) {
    const a = random(rng, m, n);
    const { Q, R } = qr(a);
    const k = Math.min(m, n);
    assert.equal(Q.rows, m);
    assert.equal(Q.cols, k);
    assert.equal(R.rows, k);
    assert.equal(R.cols, n);
    assert.ok(maxAbsDiff(matmul(Q, R), a) < 1e-12, `QR != A for ${m}x${n}`);
    assertOrthonormalColumns(Q, 1e-13, `${m}x${n}`);
    for (let i = 0; i < k; i++) for (let j = 0; j < Math.min(i, n); j++) assert.equal(R.data[i * n + j], 0);
  }
});

test('QR of a rank-deficient and of the zero matrix still gives orthonormal Q', () => {
  const rng = new Rng(22);
  const low = matmul(random(rng, 8, 2), random(rng, 2, 5));
  const f = qr(low);
  assert.ok(maxAbsDiff(matmul(f.Q, f.R), low) < 1e-12);
  assertOrthonormalColumns(f.Q, 1e-13, 'rank 2');
  const z = qr(zeros(4, 3));
  assertOrthonormalColumns(z.Q, 1e-15, 'zero');
  assert.ok(z.R.data.every((x) => x === 0));
});

test('SVD: U diag(S) V^T = A with orthonormal U and V and descending S', () => {
  const rng = new Rng(23);
  for (const [m, n] of SHAPES) {
    const a = random(rng, m, n);
    const { U, S, V } = svd(a);
    const k = Math.min(m, n);
    assert.equal(U.rows, m);
    assert.equal(U.cols, k);
    assert.equal(V.rows, n);
    assert.equal(V.cols, k);
    assert.equal(S.length, k);
    assert.ok(maxAbsDiff(compose(U, S, V), a) < 1e-12, `reconstruction ${m}x${n}`);
    assertOrthonormalColumns(U, 1e-12, `U ${m}x${n}`);
    assertOrthonormalColumns(V, 1e-12, `V ${m}x${n}`);
    for (let i = 1; i < k; i++) assert.ok(S[i - 1]! >= S[i]!, 'descending');
    assert.ok(S[k - 1]! >= 0);
  }
});

test('SVD recovers constructed singular values to absolute accuracy about ε σ_max', () => {
  const rng = new Rng(24);
  const want = [1e3, 10, 1, 1e-3, 1e-9];
  const a = compose(orthonormal(rng, 12, 5), want, orthonormal(rng, 7, 5));
  const { S } = svd(a);
  // Forming A rounds its entries by about ε σ_max, which bounds how well any method can resolve σ_4 = 1e-9.
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(S[i]! - want[i]!) < 1e-11, `σ_${i} = ${S[i]} vs ${want[i]}`);
  assert.ok(Math.abs(S[0]! / 1e3 - 1) < 1e-14);
});

test('SVD of a rank-deficient and of the zero matrix: exact zeros and a completed orthonormal U', () => {
  const rng = new Rng(25);
  const low = compose(orthonormal(rng, 9, 2), [3, 2], orthonormal(rng, 6, 2));
  const f = svd(low);
  assert.ok(Math.abs(f.S[0]! - 3) < 1e-13 && Math.abs(f.S[1]! - 2) < 1e-13);
  for (let i = 2; i < 6; i++) assert.ok(f.S[i]! < 1e-14, `σ_${i} = ${f.S[i]}`);
  assertOrthonormalColumns(f.U, 1e-12, 'rank 2 U');
  assertOrthonormalColumns(f.V, 1e-12, 'rank 2 V');
  assert.ok(maxAbsDiff(compose(f.U, f.S, f.V), low) < 1e-13);
  const z = svd(zeros(5, 3));
  assert.deepEqual(Array.from(z.S), [0, 0, 0]);
  assertOrthonormalColumns(z.U, 1e-14, 'zero U');
  assertOrthonormalColumns(z.V, 1e-14, 'zero V');
});

test('SVD of a diagonal matrix with mixed signs: |d| sorted', () => {
  const { U, S, V } = svd(fromRows([[0, 0, 0], [0, -5, 0], [0, 0, 2]]));
  assert.deepEqual(Array.from(S), [5, 2, 0]);
  assert.ok(maxAbsDiff(compose(U, S, V), fromRows([[0, 0, 0], [0, -5, 0], [0, 0, 2]])) < 1e-15);
});

test('symmetric eigendecomposition: known spectrum, ascending, A V = V diag(λ), V orthogonal', () => {
  const rng = new Rng(26);
  const want = [-4, -1e-8, 0, 0.5, 0.5, 3, 100];
  const Q = orthonormal(rng, 7, 7);
  const a = compose(Q, want, Q);
  const { values, vectors } = symmetricEigen(a);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(values[i]! - want[i]!) < 1e-12, `λ_${i} = ${values[i]}`);
  assertOrthonormalColumns(vectors, 1e-13, 'V');
  assert.ok(maxAbsDiff(matmul(a, vectors), matmul(vectors, diagonal(values))) < 1e-11);
});

test('symmetric eigendecomposition of random Gram matrices and tiny cases', () => {
  const rng = new Rng(27);
  for (const n of [1, 2, 3, 10, 33]) {
    const x = random(rng, n + 2, n);
    const g = matmulTN(x, x);
    const { values, vectors } = symmetricEigen(g);
    assert.ok(maxAbsDiff(compose(vectors, values, vectors), g) < 1e-11 * n, `n = ${n}`);
    for (let i = 1; i < n; i++) assert.ok(values[i - 1]! <= values[i]!);
    assert.ok(values[0]! > 0, 'a full-rank Gram matrix is positive definite');
  }
  const swap = symmetricEigen(fromRows([[0, 1], [1, 0]]));
  assert.ok(Math.abs(swap.values[0]! + 1) < 1e-15 && Math.abs(swap.values[1]! - 1) < 1e-15);
  assert.deepEqual(Array.from(symmetricEigen(zeros(3, 3)).values), [0, 0, 0]);
  assert.throws(() => symmetricEigen(zeros(2, 3)), /square/);
});

test('SVD agrees with the symmetric eigendecomposition of A^T A', () => {
  const rng = new Rng(28);
  const a = random(rng, 15, 6);
  const { S } = svd(a);
  const { values } = symmetricEigen(matmulTN(a, a));
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(S[i]! ** 2 - values[5 - i]!) < 1e-11 * values[5]!);
  // transpose symmetry: singular values of A^T are those of A
  const t = svd(transpose(a)).S;
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(t[i]! - S[i]!) < 1e-12);
});
