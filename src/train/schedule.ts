/**
 * Learning rate at `step` (0-based): linear warm-up from 0 to `lr` over `warmup` steps, then cosine decay to
 * `minLr` at `total` steps: lr_t = minLr + (lr - minLr) (1 + cos(pi (t - warmup) / (total - warmup))) / 2.
 * With `decay`, the rate holds at `lr` after the warm-up and the cosine runs over the last `decay` steps only
 * (warm-up, stable, decay: a run anneals at its end whatever its length, and its constant part can be resumed).
 */
export function learningRate(step: number, opts: { lr: number; warmup: number; total: number; minLr?: number | undefined; decay?: number | undefined }): number {
  const { lr, warmup, total } = opts;
  const minLr = opts.minLr ?? lr / 10;
  if (step < warmup) return (lr * (step + 1)) / warmup;
  const start = opts.decay === undefined ? warmup : Math.max(warmup, total - opts.decay);
  if (total <= start) return lr;
  const progress = Math.min(1, Math.max(0, (step - start) / (total - start)));
  return minLr + ((lr - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
}
