// Build-time shape errors, run-time feed checks, the session cache key, pre-allocated outputs and staged programs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, clearSessions, compile, concat, constant, getRuntime, input, lower, matmul, mul, reduceSum, reshape, setRuntime, softmax,
  StagedProgram, tanh, tensor, transpose, Rng, type Node, type Tensor,
} from '../../src/engine/index.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';

installNodeRuntime();

test('a shape mismatch fails at build time naming the op and both shapes', () => {
  const a = input('a', [2, 3]);
  assert.throws(() => add(a, input('b', [4])), /^Error: add: shapes \[2, 3\] and \[4\] do not broadcast/);
  assert.throws(() => matmul(a, input('c', [4, 5])), /^Error: matmul: inner dimensions differ: \[2, 3\] @ \[4, 5\]/);
  assert.throws(() => matmul(input('d', [2, 2, 3]), input('e', [3, 3, 4])), /matmul: batch dimensions of \[2, 2, 3\] and \[3, 3, 4\]/);
  assert.throws(() => concat([a, input('f', [3, 3])], 1), /concat: shapes \[2, 3\], \[3, 3\] differ off axis 1/);
  assert.throws(() => reshape(a, [4, 2]), /reshape: cannot reshape \[2, 3\] to \[4, 2\]/);
  assert.throws(() => mul(a, input('g', [2, 3], 'float64')), /mul: dtypes differ: float32 vs float64/);
});

test('Program.run rejects a missing input, a wrong shape and a wrong dtype, naming the input', async () => {
  const x = input('tokens_embedded', [2, 3]);
  const p = compile({ y: tanh(x) });
  await assert.rejects(p.run({}), /missing input tokens_embedded \(float32 \[2, 3\]\)/);
  await assert.rejects(p.run({ tokens_embedded: tensor(new Float32Array(6), [3, 2]) }),
    /input tokens_embedded: expected float32 \[2, 3\], got float32 \[3, 2\]/);
  await assert.rejects(p.run({ tokens_embedded: tensor(new Float64Array(6), [2, 3]) }),
    /input tokens_embedded: expected float32 \[2, 3\], got float64 \[2, 3\]/);
  await assert.rejects(p.run({ tokens_embedded: tensor(new Float32Array(6), [6]) }), /expected float32 \[2, 3\], got float32 \[6\]/);
});

function buildGraph(scale: number): Node {
  const x = input('x', [2, 3]);
  const w = input('w', [3, 4]);
  return softmax(mul(matmul(tanh(x), w), constant(tensor(Float32Array.from([scale]), []))), -1);
}

test('compiling the same graph twice gives the same LoweredGraph key; a different graph a different key', () => {
  const y = buildGraph(0.5);
  const k1 = compile({ y }).graph.key;
  assert.equal(compile({ y }).graph.key, k1, 'same nodes');
  assert.equal(compile({ y: buildGraph(0.5) }).graph.key, k1, 'an identical graph built afresh (new node ids)');
  assert.equal(lower({ y: buildGraph(0.5) }).key, lower({ y }).key);
  assert.notEqual(compile({ y: buildGraph(0.25) }).graph.key, k1, 'a different constant');
  assert.notEqual(compile({ z: buildGraph(0.5) }).graph.key, k1, 'a different output name');
});

test('running the same graph compiled twice creates one session; a different graph its own', async () => {
  const real = getRuntime();
  const created: Uint8Array[] = [];
  // The runtime seam sees every session the cache asks for, which makes reuse observable without timing.
  setRuntime({ name: 'counting', createSession: (model) => (created.push(model), real.createSession(model)) });
  try {
    await clearSessions();
    const feeds = { x: tensor(new Float32Array(6), [2, 3]), w: tensor(new Float32Array(12), [3, 4]) };
    const first = await compile({ y: buildGraph(0.75) }).run(feeds);
    const second = await compile({ y: buildGraph(0.75) }).run(feeds);
    assert.equal(created.length, 1, 'the second Program reuses the first one\'s session');
    assert.deepEqual([...(second.y.data as Float32Array)], [...(first.y.data as Float32Array)]);
    await compile({ y: buildGraph(0.125) }).run(feeds);
    assert.equal(created.length, 2, 'another graph gets a session of its own');
    await clearSessions();
    await compile({ y: buildGraph(0.75) }).run(feeds);
    assert.equal(created.length, 3, 'clearSessions drops the cache');
  } finally {
    setRuntime(real);
  }
});

test('pre-allocated outputs are filled in place, including an output whose final reshape runs on the host', async () => {
  const x = input('x', [2, 3]);
  const p = compile({ flat: reshape(tanh(x), [6]), t: transpose(x, [1, 0]) });
  const flat = tensor(new Float32Array(6), [6]);
  const out = await p.run({ x: tensor(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3]) }, { flat });
  assert.equal(out.flat.data, flat.data, 'the very buffer given');
  assert.deepEqual(out.flat.shape, [6]);
  assert.ok(Math.abs(flat.data[5]! - Math.tanh(5)) < 1e-6);
  assert.deepEqual(out.t.shape, [3, 2]);
  assert.deepEqual([...(out.t.data as Float32Array)], [0, 3, 1, 4, 2, 5]);
});

test('StagedProgram gives the same outputs as the uncut graph, with identity and with editing hooks', async () => {
  const rng = new Rng(3);
  const x = input('x', [2, 4]);
  const W1 = input('W1', [4, 3]);
  const W2 = input('W2', [3, 2]);
  const feeds: Record<string, Tensor> = {
    x: tensor(rng.normals(8), [2, 4]),
    W1: tensor(rng.normals(12), [4, 3]),
    W2: tensor(rng.normals(6), [3, 2]),
  };
  const h1 = tanh(matmul(x, W1));
  const upper = (h: Node) => {
    const h2 = matmul(h, W2);
    return { out: softmax(h2, -1), total: reduceSum(mul(h2, 2)), h2 };
  };
  const h1In = input('hook:h1', h1.shape);
  const staged1 = upper(h1In);
  const h2In = input('hook:h2', staged1.h2.shape);
  const downstreamOfH2 = { out: softmax(h2In, -1), total: reduceSum(mul(h2In, 2)) };
  const cuts = [
    { name: 'h1', value: h1, placeholder: h1In },
    { name: 'h2', value: staged1.h2, placeholder: h2In },
  ];
  const staged = new StagedProgram(downstreamOfH2, cuts);

  const reference = upper(h1);
  const uncut = await compile({ out: reference.out, total: reference.total }).run(feeds);
  const seen: string[] = [];
  const same = await staged.run(feeds, (name, v) => (seen.push(name), v));
  assert.deepEqual(seen, ['h1', 'h2']);
  for (const k of ['out', 'total'] as const) {
    assert.deepEqual(same[k].shape, uncut[k].shape);
    near(same[k].data as Float32Array, uncut[k].data as Float32Array, k);
  }

  // A hook that doubles h1 matches the uncut graph with the doubling built in.
  const edited = upper(mul(h1, 2));
  const want = await compile({ out: edited.out }).run(feeds);
  const got = await staged.run(feeds, (name, v) => {
    if (name !== 'h1') return v;
    return tensor(Float32Array.from(v.data as Float32Array, (e) => 2 * e), v.shape);
  });
  near(got.out.data as Float32Array, want.out.data as Float32Array, 'edited out');
});

function near(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-6 * (1 + Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('StagedProgram refuses a hook that depends on a later hook', () => {
  const x = input('x', [3]);
  const p1 = input('hook:a', [3]);
  const p2 = input('hook:b', [3]);
  assert.throws(() => new StagedProgram({ y: tanh(p2) }, [
    { name: 'a', value: tanh(p2), placeholder: p1 },
    { name: 'b', value: tanh(x), placeholder: p2 },
  ]), /hook a depends on a later hook/);
});
