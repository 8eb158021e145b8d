import { compile, input, matmul, Rng, type Tensor } from '../../engine/index.js';
import { encodeModel } from '../../engine/onnx/model.js';
import { timeIt, type BenchResult } from './timing.js';
import { nodeOrt as ort } from '../../io/nodeRuntime.js';

const M = 1024;
const K = 768;
const N = 3072;

/**
 * A 1024x768x3072 float32 MatMul through the engine (graph, lowering, Program.run with its checks) beside a bare
 * onnxruntime session running the same single-node model: the difference is the engine's overhead.
 */
export async function benchMatmul(reps = 20): Promise<BenchResult> {
  const rng = new Rng(0);
  const a: Tensor<'float32'> = { dtype: 'float32', shape: [M, K], data: rng.normals(M * K) };
  const b: Tensor<'float32'> = { dtype: 'float32', shape: [K, N], data: rng.normals(K * N) };
  const flops = 2 * M * K * N;

  const program = compile({ c: matmul(input('a', [M, K]), input('b', [K, N])) });
  const engineMs = await timeIt(() => program.run({ a, b }), reps, 3);

  const bare = await ort.InferenceSession.create(encodeModel({
    nodes: [{ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'], attrs: {} }],
    inputs: [{ name: 'a', dtype: 'float32', shape: [M, K] }, { name: 'b', dtype: 'float32', shape: [K, N] }],
    outputs: [{ name: 'c', dtype: 'float32', shape: [M, N] }],
    initializers: [],
  }), { graphOptimizationLevel: 'all' });
  const feeds = { a: new ort.Tensor('float32', a.data, a.shape), b: new ort.Tensor('float32', b.data, b.shape) };
  const bareMs = await timeIt(() => bare.run(feeds), reps, 3);
  await bare.release();

  return {
    workload: 'matmul',
    config: `${M}x${K}x${N} float32`,
    ms: engineMs,
    tokens_per_s: null,
    gflops: flops / engineMs / 1e6,
    bare_ms: bareMs,
    bare_gflops: flops / bareMs / 1e6,
    overhead: engineMs / bareMs - 1,
  };
}
