// Dense products, transposes and entry selection against naive definitions, on shapes that cross the tile sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/random.js';
import {
  column, dot, frobenius, frobeniusInner, fromRows, gram, gramRows, matmul, matmulInto, matmulNT, matmulTN, matrix,
  matvec, maxAbsDiff, row, rowBlock, toMatrix, topKEntries, toRows, transpose, vecmat, type Matrix,
} from '../../src/linalg/index.js';

function random(rng: Rng, rows: number, cols: number): Matrix {
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng.normal()));
}

/** C_ij = Σ_k A_ik B_kj, the plain triple loop. */
function naive(a: Matrix, b: Matrix): Matrix {
  const out = matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k]! * b.data[k * b.cols + j]!;
      out.data[i * b.cols + j] = s;
    }
  }
  return out;
}

// Sizes that are not multiples of the unroll (4) and exceed the k tile (128) and the j tile (256).
const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [4, 4, 4], [17, 130, 9], [5, 131, 300], [33, 2, 257], [0, 3, 4], [3, 0, 4]];

test('matmul, matmulTN and matmulNT match the triple loop', () => {
  const rng = new Rng(11);
  for (const [m, k, n] of SHAPES) {
    const a = random(rng, m, k);
    const b = random(rng, k, n);
    const want = naive(a, b);
    const tol = 1e-12 * Math.max(1, k);
    assert.ok(maxAbsDiff(matmul(a, b), want) < tol, `matmul ${m}x${k}x${n}`);
    assert.ok(maxAbsDiff(matmulTN(transpose(a), b), want) < tol, `matmulTN ${m}x${k}x${n}`);
    assert.ok(maxAbsDiff(matmulNT(a, transpose(b)), want) < tol, `matmulNT ${m}x${k}x${n}`);
  }
});

test('products of small integer matrices are exact', () => {
  const a = fromRows([[1, 2, 0], [0, -1, 3]]);
  const b = fromRows([[2, 1], [0, 1], [4, -2]]);
  assert.deepEqual(toRows(matmul(a, b)), [[2, 3], [12, -7]]);
  assert.deepEqual(toRows(matmulTN(a, a)), [[1, 2, 0], [2, 5, -3], [0, -3, 9]]);
  assert.deepEqual(toRows(matmulNT(a, a)), [[5, -2], [-2, 10]]);
  assert.deepEqual(toRows(gram(a)), toRows(matmulTN(a, a)));
  assert.deepEqual(toRows(gramRows(a)), toRows(matmulNT(a, a)));
  assert.deepEqual(Array.from(matvec(a, [1, 1, 1])), [3, 2]);
  assert.deepEqual(Array.from(vecmat([1, -1], a)), [1, 3, -3]);
  assert.equal(frobeniusInner(a, a), 15);
  assert.equal(dot(a.data, 0, a.data, 3, 3), -2);
});

test('zeros in A do not hide what B contributes elsewhere', () => {
  // The kernel skips k-blocks where A is zero; a row with zeros in one block and not the next must still sum.
  const rng = new Rng(3);
  const a = random(rng, 6, 12);
  for (let k = 0; k < 4; k++) a.data[2 * 12 + k] = 0;
  for (let k = 0; k < 12; k++) a.data[4 * 12 + k] = 0;
  const b = random(rng, 12, 5);
  assert.ok(maxAbsDiff(matmul(a, b), naive(a, b)) < 1e-12);
});

test('matmulInto reuses a larger buffer and overwrites stale values', () => {
  const rng = new Rng(5);
  const a = random(rng, 7, 9);
  const b = random(rng, 9, 11);
  const buf = new Float64Array(200).fill(123);
  const c = matmulInto(buf, a, b);
  assert.equal(c.rows, 7);
  assert.equal(c.cols, 11);
  assert.equal(c.data.length, 77);
  assert.ok(maxAbsDiff(c, naive(a, b)) < 1e-12);
  const small = matmulInto(buf, rowBlock(a, 2, 4), b);
  assert.ok(maxAbsDiff(small, naive(rowBlock(a, 2, 4), b)) < 1e-12);
  assert.throws(() => matmulInto(new Float64Array(10), a, b), /buffer/);
});

test('matrix-vector products match the matrix products', () => {
  const rng = new Rng(6);
  const a = random(rng, 9, 13);
  const x = random(rng, 13, 1);
  const y = random(rng, 1, 9);
  assert.ok(maxAbsDiff(matrix(9, 1, matvec(a, x.data)), naive(a, x)) < 1e-12);
  assert.ok(maxAbsDiff(matrix(1, 13, vecmat(y.data, a)), naive(y, a)) < 1e-12);
  assert.throws(() => matvec(a, new Float64Array(12)), /vector/);
  assert.throws(() => vecmat(new Float64Array(12), a), /vector/);
});

test('shape mismatches are reported, not computed', () => {
  const a = matrix(2, 3);
  assert.throws(() => matmul(a, matrix(2, 3)), /inner dimensions/);
  assert.throws(() => matmulTN(a, matrix(3, 3)), /inner dimensions/);
  assert.throws(() => matmulNT(a, matrix(3, 2)), /inner dimensions/);
  assert.throws(() => matrix(2, 2, new Float64Array(3)), /needs 4/);
});

test('transpose, rows, columns and blocks', () => {
  const rng = new Rng(8);
  const a = random(rng, 37, 70);
  const t = transpose(a);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) assert.equal(t.data[j * a.rows + i], a.data[i * a.cols + j]);
  assert.deepEqual(Array.from(row(a, 3)), Array.from(a.data.subarray(3 * 70, 4 * 70)));
  assert.deepEqual(Array.from(column(a, 5)), Array.from(row(t, 5)));
  const blk = rowBlock(a, 10, 12);
  assert.equal(blk.rows, 2);
  assert.equal(blk.data[0], a.data[10 * 70]);
  assert.throws(() => row(a, 37), /outside/);
  assert.throws(() => column(a, -1), /outside/);
});

test('toMatrix widens float32 and reads 2-D tensors; frobenius survives extreme scales', () => {
  const f32 = toMatrix({ shape: [2, 2], data: new Float32Array([0.1, 2, 3, 4]) });
  assert.ok(f32.data instanceof Float64Array);
  assert.equal(f32.data[0], Math.fround(0.1));
  const shared = new Float64Array([1, 2, 3]);
  assert.equal(toMatrix({ rows: 1, cols: 3, data: shared }).data, shared);
  assert.throws(() => toMatrix({ shape: [2, 2, 1], data: new Float32Array(4) }), /2-D/);
  assert.ok(Math.abs(frobenius(fromRows([[3e200, 4e200]])) / 5e200 - 1) < 1e-15);
  assert.ok(Math.abs(frobenius(fromRows([[3e-200, 4e-200]])) / 5e-200 - 1) < 1e-15);
});

test('topKEntries ranks by value, negated value or magnitude; ties go to the earlier position', () => {
  const a = fromRows([
    [1, -9, 3],
    [7, 3, -2],
    [NaN, 7, 0],
  ]);
  const pick = (order?: 'largest' | 'smallest' | 'magnitude', k = 3) => topKEntries(a, k, order).map((e) => [e.row, e.col, e.value]);
  assert.deepEqual(pick(), [[1, 0, 7], [2, 1, 7], [0, 2, 3]]);
  assert.deepEqual(pick('smallest'), [[0, 1, -9], [1, 2, -2], [2, 2, 0]]);
  assert.deepEqual(pick('magnitude', 4), [[0, 1, -9], [1, 0, 7], [2, 1, 7], [0, 2, 3]]);
  assert.equal(topKEntries(a, 100).length, 8, 'NaN is never selected');
  assert.deepEqual(topKEntries(a, 0), []);
  const tie = topKEntries(fromRows([[5, 1, 1], [1, 0, 1]]), 2);
  assert.deepEqual(tie.map((e) => [e.row, e.col]), [[0, 0], [0, 1]], 'a tie at the cut keeps the first');
});

test('topKEntries agrees with a full sort on random data', () => {
  const rng = new Rng(9);
  const a = random(rng, 23, 31);
  for (const order of ['largest', 'smallest', 'magnitude'] as const) {
    const key = (v: number) => (order === 'largest' ? v : order === 'smallest' ? -v : Math.abs(v));
    const all = Array.from(a.data, (v, f) => ({ f, v })).sort((x, y) => key(y.v) - key(x.v) || x.f - y.f);
    const got = topKEntries(a, 17, order);
    assert.deepEqual(got.map((e) => e.row * 31 + e.col), all.slice(0, 17).map((e) => e.f), order);
  }
});
