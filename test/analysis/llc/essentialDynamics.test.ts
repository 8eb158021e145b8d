// Essential dynamics' PCA against a closed form: a synthetic trajectory along two known orthonormal directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/engine/index.js';
import { essentialDynamics } from '../../../src/analysis/essentialDynamics.js';

test('essentialDynamics recovers the directions of a synthetic trajectory and their explained variance', () => {
  const D = 300;
  const K = 24;
  const rng = new Rng(12);
  // Two orthonormal directions (Gram-Schmidt on random vectors) and an offset.
  const u1 = Float64Array.from(rng.normals(D));
  const u2 = Float64Array.from(rng.normals(D));
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
  const unit = (a: Float64Array) => a.map((x) => x / Math.sqrt(dot(a, a)));
  const e1 = unit(u1);
  const p = dot(u2, e1);
  const e2 = unit(u2.map((x, i) => x - p * e1[i]!));
  const offset = rng.normals(D, 5);
  // Over a full period cos and sin are centred and orthogonal, so the closed form is exact.
  const a = Array.from({ length: K }, (_, t) => 3 * Math.cos((2 * Math.PI * t) / K));
  const b = Array.from({ length: K }, (_, t) => 1 * Math.sin((2 * Math.PI * t) / K));
  const points = a.map((at, t) => ({ step: t * 100, outputs: Float64Array.from({ length: D }, (_, j) => offset[j]! + at * e1[j]! + b[t]! * e2[j]!) }));
  const r = essentialDynamics(points, { components: 3, directions: true });

  const va = a.reduce((s, x) => s + x * x, 0) / (K - 1);
  const vb = b.reduce((s, x) => s + x * x, 0) / (K - 1);
  assert.ok(Math.abs(r.explainedVariance[0]! - va) < 1e-9 * va, `variance 1: ${r.explainedVariance[0]} vs ${va}`);
  assert.ok(Math.abs(r.explainedVariance[1]! - vb) < 1e-9 * va, `variance 2: ${r.explainedVariance[1]} vs ${vb}`);
  assert.ok(Math.abs(r.explainedVarianceRatio[0]! - va / (va + vb)) < 1e-9);
  assert.ok(Math.abs(r.explainedVarianceRatio[1]! - vb / (va + vb)) < 1e-9);
  assert.ok(r.explainedVariance[2]! < 1e-9 * va, 'nothing along a third direction');
  assert.ok(Math.abs(Math.abs(dot(r.directions![0]!, e1)) - 1) < 1e-9, 'component 1 is e1');
  assert.ok(Math.abs(Math.abs(dot(r.directions![1]!, e2)) - 1) < 1e-9, 'component 2 is e2');
  // The trajectory is (a, b) up to each component's sign.
  const s1 = Math.sign(dot(r.directions![0]!, e1));
  const s2 = Math.sign(dot(r.directions![1]!, e2));
  r.trajectory.forEach((c, t) => {
    assert.ok(Math.abs(c[0]! - s1 * a[t]!) < 1e-9 && Math.abs(c[1]! - s2 * b[t]!) < 1e-9, `checkpoint ${t}: ${c} vs ${a[t]}, ${b[t]}`);
  });
  assert.equal(r.trajectory.at(-1)![0]! >= 0, true, 'signs put the last checkpoint on the positive side');
  assert.deepEqual(r.steps, points.map((q) => q.step));
});
