import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fourierBasis, sumDirections } from '../../../src/analysis/grokking/fourier.js';

function gram(rows: Float64Array, n: number, len: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let x = 0; x < len; x++) s += rows[i * len + x]! * rows[j * len + x]!;
    return s;
  }));
}

test('the Fourier basis over Z_p is orthonormal (odd and even p)', () => {
  for (const p of [5, 8, 13]) {
    const b = fourierBasis(p);
    assert.equal(b.names.length, p);
    const g = gram(b.rows, p, p);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) assert.ok(Math.abs(g[i]![j]! - (i === j ? 1 : 0)) < 1e-12, `p ${p}: <${b.names[i]}, ${b.names[j]}> = ${g[i]![j]}`);
  }
  const b = fourierBasis(7);
  assert.deepEqual(b.names, ['const', 'cos 1', 'sin 1', 'cos 2', 'sin 2', 'cos 3', 'sin 3']);
  // cos 2 evaluated at x = 3: cos(2 pi 2 3 / 7), scaled by sqrt(2 / 7)
  assert.ok(Math.abs(b.rows[3 * 7 + 3]! - Math.cos((2 * Math.PI * 6) / 7) * Math.sqrt(2 / 7)) < 1e-12);
});

test('the cos/sin(w_k (a + b)) directions are unit vectors, orthogonal across k and to the constant', () => {
  const p = 11;
  const dirs = [1, 2, 5].flatMap((k) => { const d = sumDirections(p, k); return [d.cos, d.sin]; });
  const all = new Float64Array(dirs.length * p * p);
  dirs.forEach((d, i) => all.set(d, i * p * p));
  const g = gram(all, dirs.length, p * p);
  for (let i = 0; i < dirs.length; i++) for (let j = 0; j < dirs.length; j++) assert.ok(Math.abs(g[i]![j]! - (i === j ? 1 : 0)) < 1e-12);
  for (const d of dirs) assert.ok(Math.abs(d.reduce((s, v) => s + v, 0)) < 1e-9);
});
