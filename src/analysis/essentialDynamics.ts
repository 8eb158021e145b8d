/**
 * Essential dynamics (Hoogland et al. 2024): PCA of a model's outputs on a fixed probe set across the checkpoints
 * of a run, so that the whole development is a trajectory in a few components.
 */
import { logSumExp } from '../model/cache/host.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import { matrix, symmetricEigen } from '../linalg/index.js';

/** One checkpoint's outputs on the probe set, flattened (every checkpoint the same length). */
export interface CheckpointOutputs {
  step: number;
  outputs: ArrayLike<number>;
}

export interface EssentialDynamics {
  steps: number[];
  /** [checkpoint][component]: each checkpoint's coordinates on the principal components. */
  trajectory: number[][];
  /** Variance along each component (eigenvalue / (checkpoints - 1), as scikit-learn's explained_variance_). */
  explainedVariance: number[];
  /** Each component's share of the total variance. */
  explainedVarianceRatio: number[];
  totalVariance: number;
  /** The components as unit vectors over the flattened outputs (only when asked for: they are as long as the outputs). */
  directions?: Float64Array[];
}

/**
 * PCA over checkpoints: centres the outputs on their mean over checkpoints and takes the top `components`
 * eigenvectors of the checkpoints' Gram matrix (K x K for K checkpoints, however long the outputs). Each
 * component's sign is chosen so that the last checkpoint's coordinate is not negative.
 */
export function essentialDynamics(points: readonly CheckpointOutputs[], o: { components?: number; directions?: boolean } = {}): EssentialDynamics {
  const K = points.length;
  if (K < 2) throw new Error(`essentialDynamics: need at least 2 checkpoints, got ${K}`);
  const D = points[0]!.outputs.length;
  for (const p of points) {
    if (p.outputs.length !== D) throw new Error(`essentialDynamics: checkpoint ${p.step} has ${p.outputs.length} outputs, the first has ${D}`);
  }
  const mean = new Float64Array(D);
  for (const p of points) for (let j = 0; j < D; j++) mean[j]! += p.outputs[j]! / K;
  const centred = points.map((p) => Float64Array.from({ length: D }, (_, j) => p.outputs[j]! - mean[j]!));
  const gram = matrix(K, K);
  for (let a = 0; a < K; a++) {
    for (let b = a; b < K; b++) {
      let s = 0;
      const x = centred[a]!;
      const y = centred[b]!;
      for (let j = 0; j < D; j++) s += x[j]! * y[j]!;
      gram.data[a * K + b] = s;
      gram.data[b * K + a] = s;
    }
  }
  const { values, vectors } = symmetricEigen(gram);
  const total = [...values].reduce((s, v) => s + Math.max(v, 0), 0);
  const k = Math.min(o.components ?? 3, K - 1);
  const trajectory: number[][] = points.map(() => []);
  const explainedVariance: number[] = [];
  const explainedVarianceRatio: number[] = [];
  const directions: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    const col = K - 1 - c; // eigenvalues ascend
    const lambda = Math.max(values[col]!, 0);
    const sign = vectors.data[(K - 1) * K + col]! < 0 ? -1 : 1;
    const root = Math.sqrt(lambda);
    for (let i = 0; i < K; i++) trajectory[i]!.push(sign * root * vectors.data[i * K + col]!);
    explainedVariance.push(lambda / (K - 1));
    explainedVarianceRatio.push(total > 0 ? lambda / total : 0);
    if (o.directions) {
      const u = new Float64Array(D);
      if (root > 0) for (let i = 0; i < K; i++) {
        const w = (sign * vectors.data[i * K + col]!) / root;
        const x = centred[i]!;
        for (let j = 0; j < D; j++) u[j]! += w * x[j]!;
      }
      directions.push(u);
    }
  }
  return {
    steps: points.map((p) => p.step), trajectory, explainedVariance, explainedVarianceRatio, totalVariance: total / (K - 1),
    ...(o.directions ? { directions } : {}),
  };
}

/** A model's log-probabilities (or logits) on a probe set of token rows, flattened in [row, position, vocab] order. */
export async function probeOutputs(model: HookedTransformer, probe: readonly (readonly number[])[], kind: 'logprobs' | 'logits' = 'logprobs'): Promise<Float32Array> {
  const logits = await model.run(probe.map((r) => [...r]));
  const out = Float32Array.from(logits.data);
  if (kind === 'logits') return out;
  const V = logits.shape[logits.shape.length - 1]!;
  for (let r = 0; r < out.length; r += V) {
    const lse = logSumExp(out.subarray(r, r + V));
    for (let j = r; j < r + V; j++) out[j] = out[j]! - lse;
  }
  return out;
}
