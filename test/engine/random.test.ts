import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/random.js';

/** The standard normal CDF, from erf's Abramowitz-Stegun 7.1.26 approximation (error < 1.5e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

test('gaussians() are standard normal: moments, and the Kolmogorov-Smirnov distance to the normal CDF', () => {
  const n = 200_001;
  const x = new Rng(3).gaussians(n);
  assert.equal(x.length, n);
  let m = 0;
  for (const v of x) m += v / n;
  let v2 = 0;
  let v4 = 0;
  for (const v of x) { v2 += (v - m) ** 2 / n; v4 += (v - m) ** 4 / n; }
  // Standard errors at n = 2e5: mean 0.0022, variance 0.0032, kurtosis about 0.011.
  assert.ok(Math.abs(m) < 0.01, `mean ${m}`);
  assert.ok(Math.abs(v2 - 1) < 0.015, `variance ${v2}`);
  assert.ok(Math.abs(v4 / (v2 * v2) - 3) < 0.06, `kurtosis ${v4 / (v2 * v2)}`);
  const sorted = Float64Array.from(x).sort();
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(phi(sorted[i]!) - (i + 0.5) / n));
  // The KS statistic's 99.9% point is 1.95 / sqrt(n) = 0.0044.
  assert.ok(d < 0.0044, `KS distance ${d}`);
  // Pairs are independent: the correlation of neighbours (the two of a pair, and across pairs) is ~0.
  let c = 0;
  for (let i = 0; i + 1 < n; i++) c += x[i]! * x[i + 1]! / (n - 1);
  assert.ok(Math.abs(c) < 0.01, `lag-1 correlation ${c}`);
  // Seeded: the same seed, the same draws; another seed, others.
  assert.deepEqual(new Rng(3).gaussians(9), x.subarray(0, 9));
  assert.notDeepEqual(new Rng(4).gaussians(9), x.subarray(0, 9));
});
