// estimateLLC against closed forms: a regular model (linear regression, LLC d/2) and a singular one (y = w1 w2 x at
// w = 0, learning coefficient 1/2), each with the exact value the sampler targets at its finite temperature.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { input, matmul, mul, reduceMean, reduceSum, reshape, sub, tensor, Rng, type Node } from '../../../src/engine/index.js';
import { fromRows, matrix, qr, symmetricEigen } from '../../../src/linalg/index.js';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { estimateLLC } from '../../../src/analysis/llc/index.js';

installNodeRuntime();

test('linear regression with d parameters: the LLC is d/2 (and the exact SGLD expectation)', async () => {
  const d = 80;
  const n = 400;
  const rng = new Rng(1);
  // Whitened features (X^T X / n = I up to rounding): every direction mixes at the same rate.
  const q = qr(matrix(n, d, Float64Array.from(rng.normals(n * d)))).Q;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) x[i * d + k] = q.data[i * q.cols + k]! * Math.sqrt(n);
  const wTrue = rng.normals(d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = rng.normal();
    for (let k = 0; k < d; k++) s += x[i * d + k]! * wTrue[k]!;
    y[i] = s;
  }
  // w0 = the least-squares minimum, H = X^T X / n: the loss is L(w0) + ½ (w - w0)^T H (w - w0) exactly.
  const h = fromRows(Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * d + a]! * x[i * d + b]!;
    return s / n;
  })));
  const xty = Array.from({ length: d }, (_, a) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * d + a]! * y[i]!;
    return s / n;
  });
  const { values, vectors } = symmetricEigen(h);
  const w0 = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    let c = 0;
    for (let a = 0; a < d; a++) c += vectors.data[a * d + j]! * xty[a]!;
    for (let a = 0; a < d; a++) w0[a]! += (vectors.data[a * d + j]! * c) / values[j]!;
  }
  const model = {
    params: { w: tensor(w0, [d]) },
    buildLoss: (p: Readonly<Record<string, Node>>): Node => {
      const r = sub(reshape(matmul(input('x', [n, d], 'float32'), reshape(p.w!, [d, 1])), [n]), input('y', [n], 'float32'));
      return mul(reduceMean(mul(r, r)), 0.5);
    },
  };
  const batch = { x: tensor(x, [n, d]), y: tensor(y, [n]) };
  const opts = { numChains: 4, numDraws: 600, numBurninSteps: 100, epsilon: 1.5e-3, gamma: 1, seed: 5 };
  const r = await estimateLLC(model, { batchSize: n, next: () => batch }, opts);

  // The exact stationary expectation of nβ (L - L0) for this discretised, localised Langevin chain: along an
  // eigenvector of H with eigenvalue h, precision a = nβ h + γ and variance 1 / (a (1 - ε a / 4)).
  const exact = [...values].reduce((s, hv) => {
    const a = r.nbeta * hv + opts.gamma;
    return s + (0.5 * r.nbeta * hv) / (a * (1 - (opts.epsilon * a) / 4));
  }, 0);
  assert.equal(r.nbeta, n / Math.log(n), "nβ defaults to devinterp's m / ln m");
  const se = r.llcStd / Math.sqrt(opts.numChains);
  console.log(`linear regression d=${d}: LLC ${r.llcMean.toFixed(3)} ± ${se.toFixed(3)} (std error), exact SGLD expectation ${exact.toFixed(3)}, d/2 = ${d / 2}`);
  assert.ok(Math.abs(r.llcMean - exact) < 0.05 * exact, `LLC ${r.llcMean} vs the exact expectation ${exact}`);
  assert.ok(Math.abs(r.llcMean - d / 2) < 0.06 * (d / 2), `LLC ${r.llcMean} vs d/2 = ${d / 2}`);
  assert.equal(r.lossTrace.length, 4);
  assert.ok(r.lossTrace.every((t) => t.length === 600));
  assert.deepEqual(r.chains.map((c) => c.diverged), [false, false, false, false]);
});

/** E[B u1² u2²] under exp(-B u1² u2² - |u|²/2), by quadrature over u2 (u1 integrated in closed form). */
function singularExpectation(B: number): number {
  let num = 0;
  let den = 0;
  for (let u = -12; u <= 12; u += 1e-4) {
    const m = Math.exp(-u * u / 2) / Math.sqrt(2 * B * u * u + 1);
    num += (m * B * u * u) / (2 * B * u * u + 1);
    den += m;
  }
  return num / den;
}

test('y = w1 w2 x at w = 0: the LLC is far below the regular 1, at the exact finite-temperature value that tends to 1/2', async () => {
  // C independent copies in one chain: learning coefficients add over independent parameters, so the copies give
  // C times the samples per step; the per-copy estimate is the LLC / C.
  const C = 512;
  const n = 8;
  const rng = new Rng(2);
  const x = rng.normals(n);
  const ms = x.reduce((s, v) => s + v * v, 0) / n;
  for (let i = 0; i < n; i++) x[i] = x[i]! * Math.sqrt(2 / ms); // mean(x²) = 2, so L = Σ_c (w1 w2)²
  const model = {
    params: { w1: tensor(new Float32Array(C), [C]), w2: tensor(new Float32Array(C), [C]) },
    buildLoss: (p: Readonly<Record<string, Node>>): Node => {
      const pred = mul(reshape(input('x', [n], 'float32'), [n, 1]), reshape(mul(p.w1!, p.w2!), [1, C]));
      const r = sub(reshape(input('y', [n], 'float32'), [n, 1]), pred);
      return mul(reduceSum(mul(r, r)), 1 / (2 * n));
    },
  };
  const batch = { x: tensor(x, [n]), y: tensor(new Float32Array(n), [n]) };
  const B = 30; // nβ a / γ² with a = 1, γ = 1: the only number the target depends on
  const r = await estimateLLC(model, { batchSize: n, next: () => batch }, {
    numChains: 2, numDraws: 1000, numBurninSteps: 1000, epsilon: 6e-4, gamma: 1, nbeta: B, seed: 9,
  });
  const perCopy = r.llcMean / C;
  const exact = singularExpectation(B);
  console.log(`w1 w2 x: LLC per copy ${perCopy.toFixed(4)} (chains ${r.llcPerChain.map((v) => (v / C).toFixed(4)).join(', ')}), exact at nβ = ${B}: ${exact.toFixed(4)}, limit 1/2`);
  assert.ok(Math.abs(perCopy - exact) < 0.06 * exact, `per-copy LLC ${perCopy} vs the exact ${exact}`);
  assert.ok(perCopy < 0.5 && perCopy > 0.25, `per-copy LLC ${perCopy}: between the finite-temperature floor and 1/2`);
});

test('y = w² x at w = 0 (K = w⁴, multiplicity 1): the LLC is 1/4 at any temperature', async () => {
  // With one zero of multiplicity 1 the tempered expectation of nβ K is exactly 1/4 without localization; γ = 1
  // at nβ a = 1e4 lowers it slightly, to the value computed by quadrature.
  const C = 256;
  const nbeta = 1e4;
  const model = {
    params: { w: tensor(new Float32Array(C), [C]) },
    buildLoss: (p: Readonly<Record<string, Node>>): Node => {
      const r = sub(mul(mul(p.w!, p.w!), input('x', [1], 'float32')), input('y', [1], 'float32'));
      return mul(reduceSum(mul(r, r)), 0.5); // x = √2, y = 0: L = Σ_c w_c⁴
    },
  };
  const batch = { x: tensor(Float32Array.of(Math.SQRT2), [1]), y: tensor(new Float32Array(1), [1]) };
  const r = await estimateLLC(model, { batchSize: 1, next: () => batch }, {
    numChains: 2, numDraws: 800, numBurninSteps: 400, epsilon: 5e-5, gamma: 1, nbeta, seed: 4,
  });
  // E[u⁴] under exp(-u⁴ - g u² / 2), g = γ / sqrt(nβ a), by quadrature.
  const g = 1 / Math.sqrt(nbeta);
  let num = 0;
  let den = 0;
  for (let u = -6; u <= 6; u += 1e-4) {
    const m = Math.exp(-(u ** 4) - (g * u * u) / 2);
    num += m * u ** 4;
    den += m;
  }
  const exact = num / den;
  const perCopy = r.llcMean / C;
  console.log(`w² x: LLC per copy ${perCopy.toFixed(4)}, exact ${exact.toFixed(4)}, learning coefficient 1/4`);
  assert.ok(Math.abs(perCopy - exact) < 0.04 * exact, `per-copy LLC ${perCopy} vs the exact ${exact}`);
  assert.ok(Math.abs(perCopy - 0.25) < 0.05 * 0.25, `per-copy LLC ${perCopy} vs 1/4`);
});
