/** One benchmark result line, as `circuitscope bench` prints it (the same fields as the PyTorch peer's). */
export interface BenchResult {
  workload: string;
  config: string;
  ms: number;
  tokens_per_s: number | null;
  [extra: string]: unknown;
}

/** Median wall time of `reps` runs after `warmup` untimed ones (the median resists a noisy shared machine). */
export async function timeIt(fn: () => Promise<unknown>, reps: number, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
