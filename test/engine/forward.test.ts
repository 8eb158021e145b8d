// Forward values against straightforward JavaScript references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  causalMask, compile, constant, crossEntropy, erf, gelu, geluTanh, input, int64Tensor, layerNorm, matmul, softmax,
  tensor, Rng, type DType, type Node, type Tensor,
} from '../../src/engine/index.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';

installNodeRuntime();

const rng = new Rng(17);

function randn(shape: readonly number[], scale = 1): Tensor<'float64'> {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, () => scale * rng.normal()), shape);
}

async function run1(build: (x: Node) => Node, x: Tensor, dtype: DType = 'float64'): Promise<Float64Array> {
  const inp = input('x', x.shape, dtype);
  const out = await compile({ y: build(inp) }).run({ x });
  return Float64Array.from(out.y.data as Float64Array | Float32Array);
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: lengths`);
  for (let i = 0; i < got.length; i++) {
    const ok = got[i] === want[i] || Math.abs(got[i]! - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!));
    assert.ok(ok, `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

/** erf to ~1e-15: the Maclaurin series below 3, the erfc continued fraction (Lentz) above. */
function erfRef(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-18; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated bottom-up.
  let frac = a;
  for (let k = 120; k >= 1; k--) frac = a + (k / 2) / frac;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / frac;
  return Math.sign(x) * (1 - erfc);
}

test('the erf reference itself: known values', () => {
  close([erfRef(0.5), erfRef(1), erfRef(2), erfRef(3.5)], [0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999992569016276], 1e-15, 'erfRef');
});

test('erf in float64 (the series composite) to 1e-10, across its switch at |x| = 4', async () => {
  const xs = [-8, -4.2, -4, -3.99, -2, -0.7, -1e-3, 0, 1e-8, 0.3, 1, 1.7, 2.5, 3.2, 3.99, 4, 4.01, 5.5, 30];
  const got = await run1(erf, tensor(Float64Array.from(xs), [xs.length]));
  close(got, xs.map(erfRef), 1e-10, 'erf64');
});

test('erf in float32 (onnxruntime kernel) to 1e-6', async () => {
  const xs = [-3, -1, -0.2, 0, 0.5, 2, 4.5];
  const got = await run1(erf, tensor(Float32Array.from(xs), [xs.length]), 'float32');
  close(got, xs.map(erfRef), 1e-6, 'erf32');
});

test('gelu and geluTanh against their formulas', async () => {
  const x = randn([40], 3);
  const xs = [...x.data];
  close(await run1(gelu, x), xs.map((v) => 0.5 * v * (1 + erfRef(v / Math.SQRT2))), 1e-10, 'gelu');
  const tanhRef = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  close(await run1(geluTanh, x), xs.map(tanhRef), 1e-12, 'geluTanh');
});

test('matmul with broadcast batch dimensions against a triple loop', async () => {
  const a = randn([2, 1, 3, 4]);
  const b = randn([3, 4, 5]);
  const out = await compile({ y: matmul(input('a', a.shape, 'float64'), input('b', b.shape, 'float64')) }).run({ a, b });
  assert.deepEqual(out.y.shape, [2, 3, 3, 5]);
  const want = new Float64Array(2 * 3 * 3 * 5);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let r = 0; r < 3; r++) for (let c = 0; c < 5; c++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += a.data[(i * 3 + r) * 4 + k]! * b.data[(j * 4 + k) * 5 + c]!;
    want[((i * 3 + j) * 3 + r) * 5 + c] = s;
  }
  close(out.y.data as Float64Array, want, 1e-12, 'matmul');
});

test('softmax along the last and the first axis', async () => {
  const x = randn([3, 4], 4);
  const rows = await run1((n) => softmax(n, -1), x);
  const cols = await run1((n) => softmax(n, 0), x);
  const wantRows = new Float64Array(12);
  const wantCols = new Float64Array(12);
  for (let i = 0; i < 3; i++) {
    const m = Math.max(...[0, 1, 2, 3].map((j) => x.data[i * 4 + j]!));
    let z = 0;
    for (let j = 0; j < 4; j++) z += Math.exp(x.data[i * 4 + j]! - m);
    for (let j = 0; j < 4; j++) wantRows[i * 4 + j] = Math.exp(x.data[i * 4 + j]! - m) / z;
  }
  for (let j = 0; j < 4; j++) {
    let z = 0;
    for (let i = 0; i < 3; i++) z += Math.exp(x.data[i * 4 + j]!);
    for (let i = 0; i < 3; i++) wantCols[i * 4 + j] = Math.exp(x.data[i * 4 + j]!) / z;
  }
  close(rows, wantRows, 1e-14, 'softmax rows');
  close(cols, wantCols, 1e-14, 'softmax cols');
});

test('layerNorm: centre, divide by sqrt(var + eps) (biased variance), then w and b; and its scale', async () => {
  const x = randn([2, 6], 2);
  const w = randn([6]);
  const b = randn([6]);
  const eps = 1e-5;
  const xin = input('x', x.shape, 'float64');
  const parts = layerNorm(xin, constant(w), constant(b), eps);
  const out = await compile({ y: parts.normalized, s: parts.scale }).run({ x });
  const want = new Float64Array(12);
  const wantScale = new Float64Array(2);
  for (let r = 0; r < 2; r++) {
    const row = [...x.data.subarray(r * 6, r * 6 + 6)];
    const mean = row.reduce((p, v) => p + v, 0) / 6;
    const variance = row.reduce((p, v) => p + (v - mean) ** 2, 0) / 6;
    wantScale[r] = Math.sqrt(variance + eps);
    for (let j = 0; j < 6; j++) want[r * 6 + j] = ((row[j]! - mean) / wantScale[r]!) * w.data[j]! + b.data[j]!;
  }
  assert.deepEqual(out.s.shape, [2, 1]);
  close(out.y.data as Float64Array, want, 1e-12, 'layerNorm');
  close(out.s.data as Float64Array, wantScale, 1e-12, 'scale');
});

test('crossEntropy per token and mean: -log softmax(logits)[target]', async () => {
  const logits = randn([2, 3, 5], 3);
  const targets = [0, 4, 4, 2, 1, 3];
  const t = constant(int64Tensor(targets, [2, 3]));
  const l = input('l', logits.shape, 'float64');
  const out = await compile({ each: crossEntropy(l, t, 'none'), mean: crossEntropy(l, t) }).run({ l: logits });
  const want = targets.map((target, p) => {
    const row = [...logits.data.subarray(p * 5, p * 5 + 5)];
    const m = Math.max(...row);
    return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[target]!;
  });
  assert.deepEqual(out.each.shape, [2, 3]);
  assert.deepEqual(out.mean.shape, []);
  close(out.each.data as Float64Array, want, 1e-13, 'per token');
  close(out.mean.data as Float64Array, [want.reduce((a, b) => a + b, 0) / 6], 1e-13, 'mean');
});

test('crossEntropy rejects targets that do not match the logits, naming both shapes', () => {
  assert.throws(() => crossEntropy(input('l', [2, 3, 5], 'float64'), input('t', [3, 2], 'int64')), /\[3, 2\].*\[2, 3, 5\]/);
});

test('causalMask: -inf strictly above the diagonal, square and with fewer queries than keys', async () => {
  for (const [q, t] of [[4, 4], [2, 5]] as const) {
    const x = randn([2, q, t]);
    const got = await run1(causalMask, x);
    for (let b = 0; b < 2; b++) for (let i = 0; i < q; i++) for (let j = 0; j < t; j++) {
      const k = (b * q + i) * t + j;
      // Query i is absolute position i + (t - q).
      const want = j <= i + (t - q) ? x.data[k]! : -Infinity;
      assert.equal(got[k], want, `[${q}x${t}] b${b} i${i} j${j}`);
    }
  }
});
