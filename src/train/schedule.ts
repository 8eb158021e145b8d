/**
 * Learning rate at `step` (0-based): linear warm-up from 0 to `lr` over `warmup` steps, then cosine decay to
 * `minLr` at `total` steps: lr_t = minLr + (lr - minLr) (1 + cos(pi (t - warmup) / (total - warmup))) / 2.
 */
export function learningRate(step: number, opts: { lr: number; warmup: number; total: number; minLr?: number }): number {
  const { lr, warmup, total } = opts;
  const minLr = opts.minLr ?? lr / 10;
  if (step < warmup) return (lr * (step + 1)) / warmup;
  if (total <= warmup) return lr;
  const progress = Math.min(1, (step - warmup) / (total - warmup));
  return minLr + ((lr - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
}
