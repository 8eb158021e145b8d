// The chain checks: a diverging chain (step size past the stability limit), a drifting one, and sane traces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { input, mul, reduceSum, sub, tensor, Rng, type Node } from '../../../src/engine/index.js';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { diagnoseChain, estimateLLC, trend } from '../../../src/analysis/llc/index.js';

installNodeRuntime();

/** L(w) = ½ Σ (w - c)² with c fed as the batch: a quadratic of curvature 1, minimum at c. */
const quadratic = (d: number, w0: Float32Array) => ({
  params: { w: tensor(w0, [d]) },
  buildLoss: (p: Readonly<Record<string, Node>>): Node => {
    const r = sub(p.w!, input('c', [d], 'float32'));
    return mul(reduceSum(mul(r, r)), 0.5);
  },
});

test('estimateLLC flags a chain whose step size is past the stability limit as diverged', async () => {
  const d = 4;
  const batch = { c: tensor(new Float32Array(d), [d]) };
  // The drift multiplies w by 1 - ε nβ / 2 each step: |1 - 0.5 * 10| = 4 > 1, so the chain blows up.
  const r = await estimateLLC(quadratic(d, new Float32Array(d)), { batchSize: 1, next: () => batch }, {
    numChains: 2, numDraws: 200, numBurninSteps: 0, epsilon: 0.5, gamma: 0, nbeta: 20,
  });
  assert.ok(r.chains.every((c) => c.diverged), JSON.stringify(r.chains));
  assert.ok(r.warnings.some((w) => /chain 0 diverged/.test(w)), r.warnings.join('\n'));
  assert.ok(Number.isNaN(r.llcMean), 'no chain left to average');
});

test('diagnoseChain: a trend over the draws is drifting, a flat noisy trace is not, a lower loss is below init', () => {
  const rng = new Rng(3);
  const flat = Array.from({ length: 200 }, () => 1.1 + 0.01 * rng.normal());
  const rising = Array.from({ length: 200 }, (_, i) => 1.0 + 0.001 * i + 0.01 * rng.normal());
  const sane = diagnoseChain(0, flat, 1, 10, 100);
  assert.equal(sane.drifting, false);
  assert.equal(sane.diverged, false);
  assert.ok(Math.abs(sane.llc - 1) < 0.05, `llc ${sane.llc}`);
  const drift = diagnoseChain(1, rising, 1, 10, 100);
  assert.equal(drift.drifting, true);
  assert.ok(Math.abs(drift.drift - 10 * 0.001 * 199) < 0.3, `drift ${drift.drift}`);
  assert.equal(diagnoseChain(2, flat.map((x) => x - 0.2), 1, 10, 100).belowInit, true);
  assert.equal(diagnoseChain(3, [], 1, 10, 100).diverged, true, 'a chain that stopped in burn-in');
  assert.equal(diagnoseChain(4, [1.1, NaN], 1, 10, 100).diverged, true);
  const { slope } = trend([0, 2, 4, 6]);
  assert.equal(slope, 2);
});
