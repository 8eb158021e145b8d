// Gradient checking: grad() through compile() against central finite differences, both in float64.
import assert from 'node:assert/strict';
import { compile, constant, grad, input, mul, reduceSum, Rng, topoSort, type Node, type Tensor } from '../../src/engine/index.js';
import { opDef } from '../../src/engine/graph.js';
import { GRADCHECKED } from './gradCoverage.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';

installNodeRuntime();

export type Sampler = (rng: Rng) => number;

/** One differentiable input: its shape, and how its random values are drawn (standard normal by default). */
export interface InputSpec {
  shape: readonly number[];
  sample?: Sampler;
  /** Fixed values instead of random ones. */
  data?: ArrayLike<number>;
}

export interface GradcheckOptions {
  seed?: number;
  /** Finite-difference step. */
  eps?: number;
  rtol?: number;
  atol?: number;
  /** Allow an input whose numeric gradient is zero everywhere (otherwise that is taken as a test that checks nothing). */
  allowZero?: boolean;
}

export interface GradcheckResult {
  analytic: Float64Array[];
  numeric: Float64Array[];
  /** The largest |analytic - numeric| over all elements. */
  maxAbsError: number;
}

/** Positive values in [lo, hi), for log, sqrt, denominators, bases of pow. */
export const positive = (lo = 0.5, hi = 2): Sampler => (rng) => lo + (hi - lo) * rng.uniform();

/** Normals pushed at least `gap` away from zero, so kinks (relu, abs) are not straddled by the finite difference. */
export const awayFromZero = (gap = 0.05): Sampler => (rng) => {
  const x = rng.normal();
  return x < 0 ? x - gap : x + gap;
};

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function toSpec(s: InputSpec | readonly number[]): InputSpec {
  return Array.isArray(s) ? { shape: s as readonly number[] } : (s as InputSpec);
}

/**
 * Checks the gradient of `build` at random float64 inputs. The output is reduced to the scalar
 * L = Σ out * W with fixed random W, so every output element's adjoint is exercised with a distinct weight.
 * The analytic dL/dx comes from grad() in one compiled program; the numeric one from
 * (L(x + eps e_i) - L(x - eps e_i)) / (2 eps) per element, all runs of one compiled forward program.
 * An element passes when |a - n| <= atol + rtol * max(|a|, |n|).
 */
export async function gradcheck(
  specs: readonly (InputSpec | readonly number[])[],
  build: (xs: Node[]) => Node,
  opts: GradcheckOptions = {},
): Promise<GradcheckResult> {
  const { seed = 1, eps = 1e-6, rtol = 1e-6, atol = 1e-6, allowZero = false } = opts;
  const rng = new Rng(seed);
  const full = specs.map(toSpec);
  const xs = full.map((s, i) => input(`x${i}`, s.shape, 'float64'));
  const out = build(xs);
  assert.equal(out.dtype, 'float64', 'gradcheck: the builder must produce float64');
  recordExercised(xs, out);
  const weights = Float64Array.from({ length: size(out.shape) }, () => rng.normal());
  const loss = reduceSum(mul(out, constant({ dtype: 'float64', shape: out.shape, data: weights })));

  const feeds: Record<string, Tensor> = {};
  const data = full.map((s, i) => {
    const d = new Float64Array(size(s.shape));
    for (let k = 0; k < d.length; k++) d[k] = s.data ? s.data[k]! : (s.sample ?? ((r: Rng) => r.normal()))(rng);
    feeds[`x${i}`] = { dtype: 'float64', shape: s.shape, data: d };
    return d;
  });

  const gradOuts: Record<string, Node> = {};
  grad(loss, xs).forEach((g, i) => (gradOuts[`g${i}`] = g));
  const gradRun = await compile(gradOuts).run(feeds);
  const analytic = full.map((_, i) => {
    const t = gradRun[`g${i}`]!;
    assert.deepEqual([...t.shape], [...full[i]!.shape], `gradient ${i} has the input's shape`);
    return Float64Array.from(t.data as Float64Array);
  });

  const forward = compile({ loss });
  const lossAt = async (): Promise<number> => Number((await forward.run(feeds)).loss.data[0]);
  const numeric = data.map((d) => new Float64Array(d.length));
  for (let i = 0; i < data.length; i++) {
    const d = data[i]!;
    for (let k = 0; k < d.length; k++) {
      const x0 = d[k]!;
      d[k] = x0 + eps;
      const up = await lossAt();
      d[k] = x0 - eps;
      const down = await lossAt();
      d[k] = x0;
      numeric[i]![k] = (up - down) / (2 * eps);
    }
  }

  let maxAbsError = 0;
  for (let i = 0; i < data.length; i++) {
    const a = analytic[i]!;
    const n = numeric[i]!;
    if (!allowZero) {
      assert.ok(n.some((v) => Math.abs(v) > 1e-9), `input ${i}: the output does not depend on it; the check would check nothing`);
    }
    for (let k = 0; k < a.length; k++) {
      const err = Math.abs(a[k]! - n[k]!);
      maxAbsError = Math.max(maxAbsError, Number.isNaN(err) ? Infinity : err);
      if (!(err <= atol + rtol * Math.max(Math.abs(a[k]!), Math.abs(n[k]!)))) {
        assert.fail(`input ${i} [${full[i]!.shape.join(', ')}] element ${k}: analytic ${a[k]} vs numeric ${n[k]} (|diff| ${err.toExponential(2)})`);
      }
    }
  }
  return { analytic, numeric, maxAbsError };
}

/** Ops with a gradient rule that some gradcheck of this process differentiated through (input to output). */
const exercised = new Set<string>();

function recordExercised(xs: readonly Node[], out: Node): void {
  const reached = new Set(xs.map((x) => x.id));
  for (const n of topoSort([out])) {
    if (n.op === 'input' || n.op === 'const' || !n.inputs.some((i) => reached.has(i.id))) continue;
    reached.add(n.id);
    if (opDef(n.op).vjp) exercised.add(n.op);
  }
}

/**
 * Fails unless this file's gradchecks went through every op that gradCoverage.ts says the file checks: the
 * static list, which grad-coverage.test.ts compares with the registry, cannot claim an op nobody checks.
 * Call it in a test registered after all of the file's gradchecks.
 */
export function assertGradchecked(file: keyof typeof GRADCHECKED): void {
  const missing = GRADCHECKED[file].filter((op) => !exercised.has(op));
  assert.deepEqual(missing, [], `${file}: gradCoverage.ts lists these ops, but no gradcheck in the file differentiates through them`);
}
