/**
 * Whether an SGLD chain is sane, read off its loss trace: devinterp's advice (the loss trace should rise from the
 * initial loss, level off during burn-in and stay flat over the draws) turned into checks.
 */

/** What a chain's trace says. */
export interface ChainDiagnostics {
  chain: number;
  /** nβ (mean draw loss - initial loss); NaN when the chain diverged to a non-finite loss. */
  llc: number;
  meanLoss: number;
  /** A loss became non-finite, or the chain's LLC exceeded the number of parameters d (twice the largest possible, d/2). */
  diverged: boolean;
  /**
   * The least-squares trend of the draws' losses over the draws, as nβ times the fitted change from the first
   * draw to the last: the amount by which this chain's LLC would move if it were sampled later.
   */
  drift: number;
  /** The trend is more than a quarter of the chain's LLC and is not noise (|t| > 4 on the fitted slope). */
  drifting: boolean;
  /** The mean draw loss is below the initial loss: w0 is not a local minimum of the loss. */
  belowInit: boolean;
}

/**
 * Checks one chain's draws (`losses`, in order) against the initial loss. A chain with no draws (it stopped at a
 * non-finite loss during burn-in) counts as diverged.
 */
export function diagnoseChain(chain: number, losses: readonly number[], initLoss: number, nbeta: number, numParams: number): ChainDiagnostics {
  const finite = losses.length > 0 && losses.every(Number.isFinite);
  const meanLoss = finite && losses.length > 0 ? losses.reduce((s, x) => s + x, 0) / losses.length : NaN;
  const llc = nbeta * (meanLoss - initLoss);
  const diverged = !finite || llc > numParams;
  const { slope, t } = finite ? trend(losses) : { slope: NaN, t: NaN };
  const drift = nbeta * slope * Math.max(0, losses.length - 1);
  const drifting = finite && Math.abs(t) > 4 && Math.abs(drift) > 0.25 * Math.max(Math.abs(llc), 1e-12);
  return { chain, llc, meanLoss, diverged, drift, drifting, belowInit: finite && llc < 0 };
}

/** One line per problem, naming the chain and the numbers behind it. */
export function chainWarnings(d: ChainDiagnostics, initLoss: number, numParams: number): string[] {
  const out: string[] = [];
  if (d.diverged) {
    out.push(Number.isFinite(d.meanLoss)
      ? `chain ${d.chain} diverged: its LLC ${d.llc.toFixed(1)} is above ${numParams}, the number of parameters (the LLC is at most half of it): lower epsilon or raise gamma`
      : `chain ${d.chain} diverged: its loss became non-finite (init ${initLoss.toPrecision(4)}): lower epsilon or raise gamma; the chain is left out of the mean`);
  } else if (d.drifting) {
    out.push(`chain ${d.chain} is still drifting: its loss trend over the draws moves its LLC by ${d.drift.toFixed(3)} (LLC ${d.llc.toFixed(3)}): use more burn-in steps, a larger epsilon or a larger gamma`);
  }
  if (d.belowInit) out.push(`chain ${d.chain} sampled below the initial loss (LLC ${d.llc.toFixed(3)}): the weights are not at a local minimum of this loss`);
  return out;
}

/** Least-squares slope of ys against 0..n-1, and its t statistic (slope over its standard error). */
export function trend(ys: readonly number[]): { slope: number; t: number } {
  const n = ys.length;
  if (n < 3) return { slope: 0, t: 0 };
  const xm = (n - 1) / 2;
  const ym = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (i - xm) ** 2;
    sxy += (i - xm) * (ys[i]! - ym);
  }
  const slope = sxy / sxx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (ys[i]! - ym - slope * (i - xm)) ** 2;
  const se = Math.sqrt(rss / (n - 2) / sxx);
  return { slope, t: se > 0 ? slope / se : (slope === 0 ? 0 : Infinity) };
}
