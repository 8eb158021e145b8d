import { Rng } from '../engine/random.js';

/**
 * The detectors' probe: BOS, then N random tokens, then the same N again (`[batch, 2N + 1]`). On the second copy
 * an induction head at position i attends to i - N + 1 (the token after the earlier occurrence of the current
 * one), a duplicate-token head to i - N, a previous-token head to i - 1.
 */
export function repeatedRandomTokens(opts: { batch: number; length: number; dVocab: number; bos: number | null; seed: number }): number[][] {
  const rng = new Rng(opts.seed);
  const rows: number[][] = [];
  for (let b = 0; b < opts.batch; b++) {
    const half: number[] = [];
    for (let i = 0; i < opts.length; i++) {
      // BOS never appears inside the random part, so no position looks like a second BOS.
      let t = rng.int(opts.dVocab);
      while (t === opts.bos) t = rng.int(opts.dVocab);
      half.push(t);
    }
    rows.push([...(opts.bos === null ? [] : [opts.bos]), ...half, ...half]);
  }
  return rows;
}
