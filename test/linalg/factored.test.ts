// FactoredMatrix against the dense computation of the same product, and against closed forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/random.js';
import { copyingScore, FactoredMatrix } from '../../src/linalg/factored.js';
import {
  diagonal, eigenvalues, frobenius, identity, matmul, matmulNT, matmulTN, matrix, maxAbsDiff, qr, svd, topKEntries,
  transpose, zeros, type Matrix,
} from '../../src/linalg/index.js';

function random(rng: Rng, rows: number, cols: number): Matrix {
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng.normal()));
}

function random32(rng: Rng, rows: number, cols: number): { shape: number[]; data: Float32Array } {
  return { shape: [rows, cols], data: rng.normals(rows * cols) };
}

function close(a: Matrix, b: Matrix, tol: number, what: string): void {
  assert.equal(a.rows, b.rows, `${what}: rows`);
  assert.equal(a.cols, b.cols, `${what}: cols`);
  const d = maxAbsDiff(a, b);
  assert.ok(d < tol, `${what}: max |difference| ${d}`);
}

function closeVec(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

/** (A, B, dense A B) for an m x r by r x n product. */
function fixture(seed: number, m: number, r: number, n: number): { f: FactoredMatrix; M: Matrix } {
  const rng = new Rng(seed);
  const A = random(rng, m, r);
  const B = random(rng, r, n);
  return { f: new FactoredMatrix(A, B), M: matmul(A, B) };
}

test('shape, AB, BA and T', () => {
  const { f, M } = fixture(1, 7, 3, 5);
  assert.deepEqual(f.shape, [7, 5]);
  assert.deepEqual([f.ldim, f.mdim, f.rdim], [7, 3, 5]);
  close(f.AB, M, 1e-14, 'AB');
  close(f.T.AB, transpose(M), 1e-14, 'T');
  assert.deepEqual(f.T.shape, [5, 7]);
  assert.equal(f.T.mdim, 3);
  assert.throws(() => f.BA, /square/);
  const sq = fixture(2, 6, 3, 6).f;
  close(sq.BA, matmul(sq.B, sq.A), 1e-15, 'BA');
  assert.equal(String(f), 'FactoredMatrix: Shape(7, 5), Hidden Dim(3)');
});

test('products with dense matrices on either side, in both associations', () => {
  const rng = new Rng(3);
  // (m, r, n, p): r < n keeps A; n < r materialises AB; r = n (and r = m on the left) ties broken by cost.
  const cases: [number, number, number, number][] = [[6, 2, 5, 4], [6, 5, 3, 4], [6, 4, 4, 2], [6, 4, 4, 9], [4, 4, 6, 3], [4, 4, 2, 7]];
  for (const [m, r, n, p] of cases) {
    const A = random(rng, m, r);
    const B = random(rng, r, n);
    const f = new FactoredMatrix(A, B);
    const M = matmul(A, B);
    const X = random(rng, n, p);
    const right = f.matmul(X);
    close(right.AB, matmul(M, X), 1e-12, `(AB)X ${m},${r},${n},${p}`);
    assert.equal(right.mdim, Math.min(r, n), 'inner dimension is the smaller one');
    // A is kept (never the m x n product) when r < n, or on a tie when B X (r n p) is cheaper than A B (m r n).
    assert.equal(right.A.data === f.A.data, r < n || (r === n && p <= m), 'association');
    const Y = random(rng, p, m);
    const left = f.rmatmul(Y);
    close(left.AB, matmul(Y, M), 1e-12, `Y(AB) ${m},${r},${n},${p}`);
    assert.equal(left.mdim, Math.min(r, m));
    assert.equal(left.B.data === f.B.data, r < m || (r === m && p <= n), 'association');
  }
  const { f } = fixture(4, 4, 2, 3);
  assert.throws(() => f.matmul(zeros(4, 2)), /do not chain/);
  assert.throws(() => f.rmatmul(zeros(2, 3)), /do not chain/);
});

test('products of two FactoredMatrix, choosing the smallest inner dimension', () => {
  const rng = new Rng(5);
  // (m, r1, n, r2, p): r1 < r2, r2 < r1, and n below both.
  for (const [m, r1, n, r2, p] of [[5, 2, 7, 3, 6], [5, 4, 7, 2, 6], [5, 4, 2, 3, 6]] as const) {
    const f = new FactoredMatrix(random(rng, m, r1), random(rng, r1, n));
    const g = new FactoredMatrix(random(rng, n, r2), random(rng, r2, p));
    const fg = f.matmul(g);
    close(fg.AB, matmul(f.AB, g.AB), 1e-12, `f g ${m},${r1},${n},${r2},${p}`);
    assert.equal(fg.mdim, Math.min(r1, r2, n));
    // (f g)^T = g^T f^T, here as f^T multiplied on the left by g^T.
    close(f.T.rmatmul(g.T).AB, transpose(fg.AB), 1e-12, 'rmatmul with a FactoredMatrix');
  }
});

test('vectors, rows, columns and entries', () => {
  const { f, M } = fixture(6, 8, 3, 5);
  const rng = new Rng(7);
  const x = Float64Array.from({ length: 5 }, () => rng.normal());
  const y = Float64Array.from({ length: 8 }, () => rng.normal());
  closeVec(f.matvec(x), Array.from({ length: 8 }, (_, i) => x.reduce((s, xj, j) => s + M.data[i * 5 + j]! * xj, 0)), 1e-12, 'matvec');
  closeVec(f.vecmat(y), Array.from({ length: 5 }, (_, j) => y.reduce((s, yi, i) => s + yi * M.data[i * 5 + j]!, 0)), 1e-12, 'vecmat');
  for (let i = 0; i < 8; i++) closeVec(f.row(i), M.data.subarray(i * 5, i * 5 + 5), 1e-13, `row ${i}`);
  for (let j = 0; j < 5; j++) closeVec(f.col(j), Array.from({ length: 8 }, (_, i) => M.data[i * 5 + j]!), 1e-13, `col ${j}`);
  for (let i = 0; i < 8; i++) for (let j = 0; j < 5; j++) assert.ok(Math.abs(f.get(i, j) - M.data[i * 5 + j]!) < 1e-13);
  assert.throws(() => f.get(8, 0), /outside/);
  assert.throws(() => f.col(5), /outside/);
});

test('scale multiplies the product', () => {
  const { f, M } = fixture(8, 4, 2, 6);
  close(f.scale(-2.5).AB, matmul(M, diagonal(new Array<number>(6).fill(-2.5))), 1e-13, 'scale');
});

test('frobeniusNorm from Gram matrices equals the dense norm', () => {
  for (const [m, r, n] of [[9, 3, 7], [4, 6, 5], [30, 1, 30], [12, 12, 12]] as const) {
    const { f, M } = fixture(10 + m, m, r, n);
    const want = frobenius(M);
    assert.ok(Math.abs(f.frobeniusNorm() / want - 1) < 1e-13, `${m},${r},${n}`);
    assert.equal(f.norm(), f.frobeniusNorm());
  }
});

test('the norm of a rank-1 product u v^T is |u| |v|', () => {
  const rng = new Rng(11);
  const u = random(rng, 50, 1);
  const v = random(rng, 1, 40);
  const f = new FactoredMatrix(u, v);
  assert.ok(Math.abs(f.frobeniusNorm() - frobenius(u) * frobenius(v)) < 1e-12 * frobenius(u) * frobenius(v));
  assert.ok(Math.abs(f.S[0]! - frobenius(u) * frobenius(v)) < 1e-12 * f.S[0]!);
  assert.equal(new FactoredMatrix(zeros(5, 2), random(rng, 2, 3)).frobeniusNorm(), 0);
});

test('svd: reconstruction, orthonormal U and V, and the singular values of the dense product', () => {
  for (const [m, r, n] of [[10, 3, 8], [8, 3, 10], [4, 6, 5], [6, 6, 6], [20, 4, 3]] as const) {
    const { f, M } = fixture(20 + m + n, m, r, n);
    const { U, S, V } = f.svd();
    const k = Math.min(m, r, n);
    assert.equal(S.length, k);
    assert.deepEqual([U.rows, U.cols, V.rows, V.cols], [m, k, n, k]);
    close(matmulNT(matmul(U, diagonal(S)), V), M, 1e-12, `U S V^T ${m},${r},${n}`);
    close(matmulTN(U, U), identity(k), 1e-12, 'U^T U');
    close(matmulTN(V, V), identity(k), 1e-12, 'V^T V');
    const dense = svd(M).S;
    for (let i = 0; i < k; i++) assert.ok(Math.abs(S[i]! - dense[i]!) < 1e-12, `σ_${i}`);
    for (let i = k; i < dense.length; i++) assert.ok(dense[i]! < 1e-12, 'the dense product has no further rank');
    assert.equal(f.svd(), f.svd(), 'cached');
    assert.equal(f.U, U);
    assert.equal(f.S, S);
    assert.equal(f.V, V);
  }
});

test('svd of a rank-deficient product: zero singular values and still orthonormal factors', () => {
  const rng = new Rng(30);
  const A = matmul(random(rng, 9, 1), random(rng, 1, 3)); // rank 1 through an inner dimension of 3
  const f = new FactoredMatrix(A, random(rng, 3, 7));
  const { U, S, V } = f.svd();
  assert.ok(S[1]! < 1e-13 * S[0]! && S[2]! < 1e-13 * S[0]!);
  close(matmulTN(U, U), identity(3), 1e-12, 'U^T U');
  close(matmulTN(V, V), identity(3), 1e-12, 'V^T V');
  close(matmulNT(matmul(U, diagonal(S)), V), f.AB, 1e-12, 'reconstruction');
});

test('makeEven, collapseL and collapseR are the same matrix refactored', () => {
  const { f, M } = fixture(31, 9, 3, 7);
  const even = f.makeEven();
  close(even.AB, M, 1e-12, 'makeEven');
  // Each side carries diag(√S): A^T A = B B^T = diag(S).
  close(matmulTN(even.A, even.A), diagonal(f.S), 1e-12, 'left Gram');
  close(matmulNT(even.B, even.B), diagonal(f.S), 1e-12, 'right Gram');
  close(matmul(f.U, f.collapseL()), M, 1e-12, 'U collapseL');
  close(matmulNT(f.collapseR(), f.V), M, 1e-12, 'collapseR V^T');
});

test('eigenvalues come from BA and are the non-zero eigenvalues of the dense AB', () => {
  for (const [n, r] of [[9, 3], [12, 5], [6, 6]] as const) {
    const { f, M } = fixture(40 + n, n, r, n);
    const small = f.eigenvalues();
    assert.equal(small.re.length, r);
    const dense = eigenvalues(M);
    // Sorted by modulus, the first r dense eigenvalues are the factored ones; the rest vanish.
    for (let i = 0; i < r; i++) {
      assert.ok(Math.hypot(small.re[i]! - dense.re[i]!, small.im[i]! - dense.im[i]!) < 1e-9, `λ_${i}`);
    }
    for (let i = r; i < n; i++) assert.ok(Math.hypot(dense.re[i]!, dense.im[i]!) < 1e-6);
  }
  // Inner dimension above the size: m eigenvalues of AB padded with r - m zeros.
  const { f, M } = fixture(50, 3, 5, 3);
  const e = f.eigenvalues();
  assert.equal(e.re.length, 5);
  const dense = eigenvalues(M);
  for (let i = 0; i < 3; i++) assert.ok(Math.hypot(e.re[i]! - dense.re[i]!, e.im[i]! - dense.im[i]!) < 1e-12);
  assert.deepEqual([e.re[3], e.re[4], e.im[3], e.im[4]], [0, 0, 0, 0]);
  assert.throws(() => fixture(51, 3, 2, 4).f.eigenvalues(), /square/);
});

/** (A^T A)^-1 A^T via QR (A = Q R, so A^+ = R^-1 Q^T), a left inverse: A^+ A = I. */
function leftInverse(a: Matrix): Matrix {
  const { Q, R } = qr(a);
  const k = R.rows;
  const rinv = zeros(k, k);
  for (let c = 0; c < k; c++) {
    for (let i = k - 1; i >= 0; i--) {
      let s = i === c ? 1 : 0;
      for (let j = i + 1; j < k; j++) s -= R.data[i * k + j]! * rinv.data[j * k + c]!;
      rinv.data[i * k + c] = s / R.data[i * k + i]!;
    }
  }
  return matmulNT(rinv, Q);
}

test('a constructed copying circuit W = A K A^+ with K = P D P^-1, D > 0: eigenvalues D, copying score 1', () => {
  const rng = new Rng(60);
  const d = [3, 2, 0.5, 0.25];
  const P = random(rng, 4, 4);
  const K = matmul(matmul(P, diagonal(d)), leftInverse(P));
  const A = random(rng, 30, 4); // "W_E W_V": vocab 30, d_head 4
  const f = new FactoredMatrix(A, matmul(K, leftInverse(A))); // B A = K exactly
  const e = f.eigenvalues();
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(e.re[i]! - d[i]!) < 1e-10, `λ_${i} = ${e.re[i]}`);
    assert.ok(Math.abs(e.im[i]!) < 1e-10);
  }
  assert.ok(Math.abs(copyingScore(e) - 1) < 1e-12);
  // The negation circuit -W scores -1; the dense 30 x 30 product agrees.
  assert.ok(Math.abs(copyingScore(f.scale(-1).eigenvalues()) + 1) < 1e-12);
  assert.ok(Math.abs(copyingScore(eigenvalues(f.AB)) - 1) < 1e-6);
});

test('copyingScore: rotations score 0, mixtures in between, the zero circuit 0', () => {
  assert.equal(copyingScore({ re: Float64Array.of(0, 0), im: Float64Array.of(1, -1) }), 0);
  const mixed = copyingScore({ re: Float64Array.of(3, -1), im: Float64Array.of(0, 0) });
  assert.ok(Math.abs(mixed - 0.5) < 1e-15);
  const pair = copyingScore({ re: Float64Array.of(1, 1), im: Float64Array.of(1, -1) });
  assert.ok(Math.abs(pair - 1 / Math.SQRT2) < 1e-15);
  const zero = new FactoredMatrix(zeros(6, 2), zeros(2, 6)).eigenvalues();
  assert.equal(copyingScore(zero), 0);
});

test('topK, bottomK and magnitude order against a full sort of the dense product, over row blocks', () => {
  const { f, M } = fixture(70, 37, 4, 23);
  for (const order of ['largest', 'smallest', 'magnitude'] as const) {
    const want = topKEntries(M, 15, order);
    for (const blockRows of [undefined, 1, 5, 36, 37, 100]) {
      const got = f.topK(15, blockRows === undefined ? { order } : { order, blockRows });
      assert.deepEqual(got.map((e) => [e.row, e.col]), want.map((e) => [e.row, e.col]), `${order} ${blockRows}`);
      for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]!.value - want[i]!.value) < 1e-12);
    }
  }
  assert.deepEqual(f.bottomK(6, { blockRows: 7 }), f.topK(6, { order: 'smallest' }));
  assert.equal(f.topK(10_000).length, 37 * 23);
  assert.deepEqual(f.topK(0), []);
  assert.throws(() => f.topK(2, { blockRows: 0 }), /blockRows/);
});

test('topK on a product with a known answer: an outer product of ranks', () => {
  // (u v^T)_ij = u_i v_j with u = (1..m), v = (n..1) - 3: the largest entries sit in the last rows, first columns.
  const m = 40;
  const n = 30;
  const u = matrix(m, 1, Float64Array.from({ length: m }, (_, i) => i + 1));
  const v = matrix(1, n, Float64Array.from({ length: n }, (_, j) => n - j - 3));
  const f = new FactoredMatrix(u, v);
  const top = f.topK(3, { blockRows: 7 });
  assert.deepEqual(top.map((e) => [e.row, e.col, e.value]), [[39, 0, 40 * 27], [38, 0, 39 * 27], [39, 1, 40 * 26]]);
  const bottom = f.bottomK(2, { blockRows: 3 });
  assert.deepEqual(bottom.map((e) => [e.row, e.col, e.value]), [[39, 29, -80], [38, 29, -78]]);
  const mag = f.topK(1, { order: 'magnitude' });
  assert.deepEqual([mag[0]!.row, mag[0]!.col], [39, 0]);
  // Ties go to the earlier row-major position: the product is [[2, 1, 2], [4, 2, 4]]; of the three 2s, (0, 0) is first.
  const flat = new FactoredMatrix(matrix(1, 1, Float64Array.of(1)), matrix(1, 4, Float64Array.of(5, 1, 1, 1)));
  assert.deepEqual(flat.topK(2).map((e) => [e.row, e.col]), [[0, 0], [0, 1]], 'a tie at the cut keeps the first');
  const ones = new FactoredMatrix(matrix(2, 1, Float64Array.of(1, 2)), matrix(1, 3, Float64Array.of(2, 1, 2)));
  assert.deepEqual(ones.topK(3, { blockRows: 1 }).map((e) => [e.row, e.col]), [[1, 0], [1, 2], [0, 0]]);
});

test('float32 and tensor-shaped inputs are widened, and factors must chain', () => {
  const rng = new Rng(80);
  const A = random32(rng, 6, 2);
  const B = random32(rng, 2, 6);
  const f = new FactoredMatrix(A, B);
  assert.ok(f.A.data instanceof Float64Array);
  const dense = matmul(matrix(6, 2, Float64Array.from(A.data)), matrix(2, 6, Float64Array.from(B.data)));
  close(f.AB, dense, 1e-15, 'float32 product computed in float64');
  assert.throws(() => new FactoredMatrix(A, A), /inner dimension/);
});
