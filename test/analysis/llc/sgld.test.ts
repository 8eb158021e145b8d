// One SGLD step (one compiled graph) against devinterp's update written out on the host in float64, with the
// gradient by central finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { input, matmul, mul, reduceMean, reshape, sub, tanh, tensor, Rng, type Node } from '../../../src/engine/index.js';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { SgldStep, type ParamTensors } from '../../../src/train/sgld.js';

installNodeRuntime();

const N = 5;
const D = 3;

/** L(a, b) = mean_i (b tanh(x_i · a) - y_i)², on the host in float64. */
function hostLoss(a: ArrayLike<number>, b: number, x: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < N; i++) {
    let z = 0;
    for (let k = 0; k < D; k++) z += x[i * D + k]! * a[k]!;
    s += (b * Math.tanh(z) - y[i]!) ** 2;
  }
  return s / N;
}

test('one SGLD step is w - (eps/2)(nbeta grad L + gamma (w - w0)) + sqrt(eps) sigma xi, and returns the loss before it', async () => {
  const rng = new Rng(3);
  const x = rng.normals(N * D);
  const y = rng.normals(N);
  const model = {
    params: { a: tensor(rng.normals(D, 0.5), [D]), b: tensor(Float32Array.of(0.7), [1]) } as ParamTensors,
    buildLoss: (p: Readonly<Record<string, Node>>): Node => {
      const z = reshape(matmul(input('x', [N, D], 'float32'), reshape(p.a!, [D, 1])), [N]);
      const r = sub(mul(tanh(z), p.b!), input('y', [N], 'float32'));
      return reduceMean(mul(r, r));
    },
  };
  const step = new SgldStep(model);
  // Start away from w0 so that the localization term is not zero.
  const w0: ParamTensors = { a: tensor(Float32Array.of(0.1, -0.2, 0.3), [D]), b: tensor(Float32Array.of(0.5), [1]) };
  const noise: ParamTensors = { a: tensor(Float32Array.of(0.4, -1.3, 0.8), [D]), b: tensor(Float32Array.of(-0.6), [1]) };
  const h = { epsilon: 0.01, nbeta: 7.5, gamma: 3, sigma: 0.9 };
  const r = await step.step(model.params, w0, noise, { x: tensor(x, [N, D]), y: tensor(y, [N]) }, h);

  const a = [...model.params.a!.data];
  const b = model.params.b!.data[0]!;
  assert.ok(Math.abs(r.loss - hostLoss(a, b, x, y)) < 1e-5, `loss ${r.loss} vs ${hostLoss(a, b, x, y)}`);
  const flat = [...a, b];
  const fd = flat.map((_, j) => {
    const e = 1e-6;
    const up = flat.slice();
    const dn = flat.slice();
    up[j]! += e;
    dn[j]! -= e;
    return (hostLoss(up.slice(0, D), up[D]!, x, y) - hostLoss(dn.slice(0, D), dn[D]!, x, y)) / (2 * e);
  });
  const w0f = [...w0.a!.data, w0.b!.data[0]!];
  const xi = [...noise.a!.data, noise.b!.data[0]!];
  const want = flat.map((w, j) => w - (h.epsilon / 2) * (h.nbeta * fd[j]! + h.gamma * (w - w0f[j]!)) + Math.sqrt(h.epsilon) * h.sigma * xi[j]!);
  const got = [...r.params.a!.data, r.params.b!.data[0]!];
  got.forEach((g, j) => assert.ok(Math.abs(g - want[j]!) < 2e-6, `parameter ${j}: ${g} vs ${want[j]}`));
  const dist = flat.reduce((s, w, j) => s + (w - w0f[j]!) ** 2, 0);
  assert.ok(Math.abs(r.distance - dist) < 1e-6, `distance ${r.distance} vs ${dist}`);
  // The update is not the identity: the step moved every parameter by more than the tolerance.
  got.forEach((g, j) => assert.ok(Math.abs(g - flat[j]!) > 1e-3, `parameter ${j} did not move`));
});
