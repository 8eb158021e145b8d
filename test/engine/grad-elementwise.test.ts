// Gradients of the elementwise ops, including every broadcasting pattern the binary ops meet in a transformer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  abs, add, cast, constant, div, erf, exp, greater, grad, input, log, maximum, mul, neg, pow, reciprocal, reduceSum,
  relu, sigmoid, sqrt, sub, tanh, where, compile, type Node,
} from '../../src/engine/index.js';
import { assertGradchecked, awayFromZero, gradcheck, positive, type InputSpec } from './gradcheck.js';

const binaries: [string, (a: Node, b: Node) => Node, boolean][] = [
  // name, op, whether the second operand must stay away from zero / be positive
  ['add', add, false],
  ['sub', sub, false],
  ['mul', mul, false],
  ['div', div, true],
  ['maximum', maximum, false],
];

// [shape of a, shape of b]: equal shapes, a trailing vector, mutual broadcasting, a scalar on either side.
const patterns: [readonly number[], readonly number[]][] = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[2, 1, 4], [3, 1]],
  [[2, 3], []],
  [[], [2, 3]],
];

for (const [name, op, positiveB] of binaries) {
  for (const [sa, sb] of patterns) {
    test(`${name} [${sa.join(',')}] with [${sb.join(',')}]`, async () => {
      // A random scalar operand of maximum may lose (or win) everywhere, leaving one side untested: pin it.
      const spec = (shape: readonly number[], isB: boolean): InputSpec =>
        name === 'maximum' && shape.length === 0 ? { shape, data: [0.1] } : isB && positiveB ? { shape, sample: positive() } : { shape };
      await gradcheck([spec(sa, false), spec(sb, true)], ([x, y]) => op(x!, y!));
    });
  }
}

test('maximum sends the adjoint to the larger operand only', async () => {
  const { analytic } = await gradcheck(
    [{ shape: [4], data: [1, -2, 3, 0.5] }, { shape: [4], data: [0, 1, 2, 4] }],
    ([a, b]) => maximum(a!, b!),
  );
  const [ga, gb] = analytic as [Float64Array, Float64Array];
  for (let i = 0; i < 4; i++) assert.ok(ga[i] === 0 || gb[i] === 0, `element ${i}: one side only`);
  assert.deepEqual([...ga].map((v) => v !== 0), [true, false, true, false]);
});

for (const [sa, sb] of patterns) {
  test(`pow [${sa.join(',')}] with [${sb.join(',')}]: base and exponent`, async () => {
    // A positive base keeps a^b and the exponent's adjoint a^b log a real.
    await gradcheck([{ shape: sa, sample: positive() }, { shape: sb }], ([a, b]) => pow(a!, b!));
  });
}

test('pow with a constant exponent', async () => {
  await gradcheck([[2, 3]], ([a]) => pow(a!, 3));
  await gradcheck([{ shape: [5], sample: positive() }], ([a]) => pow(a!, -1.5));
});

test('numbers on either side of a binary op', async () => {
  await gradcheck([[3]], ([a]) => sub(2, mul(div(1.5, add(exp(a!), 1)), a!)));
});

const unaries: [string, (a: Node) => Node, InputSample?][] = [
  ['neg', neg],
  ['exp', exp],
  ['log', log, 'positive'],
  ['sqrt', sqrt, 'positive'],
  ['tanh', tanh],
  ['erf', erf],
  ['relu', relu, 'kink'],
  ['sigmoid', sigmoid],
  ['abs', abs, 'kink'],
  ['reciprocal', reciprocal, 'positive'],
];
type InputSample = 'positive' | 'kink';

for (const [name, op, kind] of unaries) {
  test(`${name}`, async () => {
    const sample = kind === 'positive' ? positive() : kind === 'kink' ? awayFromZero() : undefined;
    await gradcheck([{ shape: [3, 4], ...(sample ? { sample } : {}) }], ([a]) => op(a!));
  });
}

test('erf far into both tails and across the series/asymptotic switch at |x| = 4', async () => {
  const data = [-6, -4.5, -3.9, -2.5, -1, -0.3, 0, 0.2, 1.3, 2.9, 3.5, 3.95, 4.05, 4.7, 7];
  // The float64 composite is accurate to ~1e-11 near |x| = 4 (cancellation in the series), which a step of 1e-6
  // would turn into 1e-5 of noise in the difference quotient; a step of 1e-4 keeps both errors below 1e-7.
  await gradcheck([{ shape: [data.length], data }], ([a]) => erf(a!), { eps: 1e-4 });
});

test('where: gradients go to the chosen branch, broadcasting condition and operands', async () => {
  const cond = constant({ dtype: 'bool', shape: [2, 1, 4], data: Uint8Array.from([1, 0, 0, 1, 0, 1, 1, 1]) });
  await gradcheck([[3, 4], [2, 3, 1]], ([a, b]) => where(cond, a!, b!));
  await gradcheck([[2, 3, 4]], ([a]) => where(greater(a!, 0.1), mul(a!, a!), 0.5));
});

test('cast float64 -> float32 -> float64 passes the gradient through', async () => {
  // float32 rounding (ulp ~1e-7) needs a larger step and tolerance; the middle of the graph is linear so a large
  // step costs nothing.
  await gradcheck([[2, 3]], ([a]) => cast(mul(cast(a!, 'float32'), 1.5), 'float64'), { eps: 1e-2, rtol: 1e-4, atol: 1e-4 });
});

test('cast to an integer stops the gradient', async () => {
  const x = input('x', [3], 'float64');
  const y = reduceSum(mul(cast(cast(x, 'int64'), 'float64'), x));
  const [g] = grad(y, [x]);
  const out = await compile({ g: g! }).run({ x: { dtype: 'float64', shape: [3], data: Float64Array.from([1.2, -2.7, 3.5]) } });
  // d/dx (trunc(x) x) with trunc's derivative taken as zero: trunc(x).
  assert.deepEqual([...(out.g.data as Float64Array)], [1, -2, 3]);
});

test('gradchecks every op gradCoverage.ts lists for this file', () => assertGradchecked('grad-elementwise'));
