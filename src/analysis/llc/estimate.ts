import { Rng } from '../../engine/random.js';
import type { Tensor } from '../../engine/tensor.js';
import { SgldStep, type ParamTensors, type SamplingModel } from '../../train/sgld.js';
import { chainWarnings, diagnoseChain, type ChainDiagnostics } from './diagnostics.js';

/** Batches for the loss: `next()` gives the loss's inputs by name, one batch of `batchSize` samples per call. */
export interface LLCData {
  /** m, the number of samples in a batch (nβ defaults to m / ln m). */
  batchSize: number;
  next(): Record<string, Tensor>;
}

/** The sampler's settings; every field has devinterp's default except epsilon and gamma (see LLC_DEFAULTS). */
export interface LLCOptions {
  numChains?: number;
  numDraws?: number;
  numBurninSteps?: number;
  numStepsBetweenDraws?: number;
  /** SGLD's step size ε (devinterp: lr). */
  epsilon?: number;
  /** Localization strength γ (devinterp: localization). */
  gamma?: number;
  /** Inverse temperature nβ; default m / ln m for batch size m (devinterp's default_nbeta). */
  nbeta?: number;
  /** Noise scale σ (devinterp: noise_level); 1 samples the tempered posterior. */
  sigma?: number;
  /** Seeds the noise: chain c draws from Rng(seed * 1000003 + c + 1). */
  seed?: number;
  /** Called after every draw. */
  onDraw?: (chain: number, draw: number, loss: number) => void;
}

/**
 * devinterp's defaults (estimate_learning_coeff: 10 chains, 100 draws, no burn-in, one step between draws;
 * SGLD noise_level 1). devinterp's SGLD class defaults to lr 0.01 and no localization, which leaves a network's
 * chain unconfined; its calibration notebook uses lr 1e-4 and localization 100, taken here.
 */
export const LLC_DEFAULTS = {
  numChains: 10, numDraws: 100, numBurninSteps: 0, numStepsBetweenDraws: 1, epsilon: 1e-4, gamma: 100, sigma: 1, seed: 0,
} as const;

export interface LLCResult {
  /** The mean over chains (diverged chains left out) of nβ (mean draw loss - initial loss). */
  llcMean: number;
  /** Standard deviation over those chains (n - 1 in the denominator, as torch's std). */
  llcStd: number;
  llcPerChain: number[];
  /** The mean loss at w0 over the first numChains batches (devinterp's get_init_loss_multi_batch). */
  initLoss: number;
  nbeta: number;
  numParams: number;
  options: Required<Omit<LLCOptions, 'onDraw' | 'nbeta'>> & { nbeta: number; batchSize: number };
  /** [chain][draw]: the batch loss at each draw, at the weights before that step's update (as devinterp records it). */
  lossTrace: number[][];
  /** [chain][draw]: ‖w - w0‖² at each draw. */
  distanceTrace: number[][];
  chains: ChainDiagnostics[];
  /** One line per problem (a diverging or drifting chain, a loss below the initial one). */
  warnings: string[];
}

/** devinterp's default_nbeta: m / ln m for batch size m (1 when m <= 1). */
export function defaultNbeta(batchSize: number): number {
  return batchSize > 1 ? batchSize / Math.log(batchSize) : 1;
}

/**
 * The local learning coefficient of `model` at its parameters w0, by SGLD as devinterp's estimate_learning_coeff
 * computes it: `numChains` chains from w0, each taking numBurninSteps + numDraws * numStepsBetweenDraws steps of
 *
 *   w ← w - (ε/2) (nβ ∇L_batch(w) + γ (w - w0)) + √ε σ ξ,   ξ ~ N(0, I),
 *
 * one batch per step, recording the batch loss (before the step) every numStepsBetweenDraws steps after burn-in;
 * then LLC = nβ (mean recorded loss - initial loss) per chain, and its mean and standard deviation over chains.
 */
export async function estimateLLC(model: SamplingModel, data: LLCData, options: LLCOptions = {}): Promise<LLCResult> {
  const o = { ...LLC_DEFAULTS, ...definedOnly(options) };
  for (const k of ['numChains', 'numDraws'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`estimateLLC: ${k} must be a positive integer, got ${o[k]}`);
  }
  if (!Number.isInteger(o.numBurninSteps) || o.numBurninSteps < 0) throw new Error(`estimateLLC: numBurninSteps must be a non-negative integer, got ${o.numBurninSteps}`);
  if (!Number.isInteger(o.numStepsBetweenDraws) || o.numStepsBetweenDraws < 1) throw new Error(`estimateLLC: numStepsBetweenDraws must be a positive integer, got ${o.numStepsBetweenDraws}`);
  for (const k of ['epsilon', 'gamma', 'sigma'] as const) {
    if (!(o[k] >= 0) || !Number.isFinite(o[k])) throw new Error(`estimateLLC: ${k} must be a finite number >= 0, got ${o[k]}`);
  }
  const nbeta = options.nbeta ?? defaultNbeta(data.batchSize);
  if (!(nbeta > 0) || !Number.isFinite(nbeta)) throw new Error(`estimateLLC: nbeta must be a positive number, got ${nbeta}`);
  const sgld = new SgldStep(model);
  const w0 = model.params;
  const numParams = sgld.size;

  let initLoss = 0;
  for (let c = 0; c < o.numChains; c++) initLoss += await sgld.loss(w0, data.next());
  initLoss /= o.numChains;

  const hyper = { epsilon: o.epsilon, nbeta, gamma: o.gamma, sigma: o.sigma };
  const steps = o.numBurninSteps + o.numDraws * o.numStepsBetweenDraws;
  const lossTrace: number[][] = [];
  const distanceTrace: number[][] = [];
  for (let c = 0; c < o.numChains; c++) {
    const rng = new Rng(o.seed * 1000003 + c + 1);
    const losses: number[] = [];
    const distances: number[] = [];
    let w: ParamTensors = w0;
    for (let i = 0; i < steps; i++) {
      const noise: ParamTensors = {};
      for (const n of sgld.names) noise[n] = { dtype: 'float32', shape: w0[n]!.shape, data: rng.gaussians(w0[n]!.data.length) };
      const r = await sgld.step(w, w0, noise, data.next(), hyper);
      w = r.params;
      if (i >= o.numBurninSteps && (i + 1 - o.numBurninSteps) % o.numStepsBetweenDraws === 0) {
        losses.push(r.loss);
        distances.push(r.distance);
        options.onDraw?.(c, losses.length - 1, r.loss);
      }
      if (!Number.isFinite(r.loss)) break;
    }
    lossTrace.push(losses);
    distanceTrace.push(distances);
  }

  const chains = lossTrace.map((l, c) => diagnoseChain(c, l, initLoss, nbeta, numParams));
  const kept = chains.filter((d) => Number.isFinite(d.llc)).map((d) => d.llc);
  const llcMean = kept.length > 0 ? kept.reduce((s, x) => s + x, 0) / kept.length : NaN;
  const llcStd = kept.length > 1 ? Math.sqrt(kept.reduce((s, x) => s + (x - llcMean) ** 2, 0) / (kept.length - 1)) : NaN;
  const warnings = chains.flatMap((d) => chainWarnings(d, initLoss, numParams));
  if (o.numBurninSteps < o.numDraws) {
    warnings.push(`${o.numBurninSteps} burn-in steps for ${o.numDraws} draws: devinterp warns that fewer burn-in steps than draws tends to underestimate the LLC`);
  }
  return {
    llcMean, llcStd, llcPerChain: chains.map((d) => d.llc), initLoss, nbeta, numParams,
    options: { ...o, nbeta, batchSize: data.batchSize },
    lossTrace, distanceTrace, chains, warnings,
  };
}

function definedOnly(o: LLCOptions): Partial<typeof LLC_DEFAULTS> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(LLC_DEFAULTS) as (keyof typeof LLC_DEFAULTS)[]) if (o[k] !== undefined) out[k] = o[k];
  return out as Partial<typeof LLC_DEFAULTS>;
}
