// Test data for the components: causal attention patterns and the like, from a seeded generator.
import { rng } from './harness.js';

/** A causal attention pattern `[dest][src]`: rows sum to 1 over src <= dest, 0 above the diagonal. */
export function causalPattern(n: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, d) => {
    const w = Array.from({ length: n }, (_, s) => (s <= d ? Math.exp(3 * r()) : 0));
    const z = w.reduce((a, b) => a + b, 0);
    return w.map((x) => Math.round((x / z) * 1e4) / 1e4);
  });
}
