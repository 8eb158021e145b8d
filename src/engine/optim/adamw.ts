import { input, shapeStr, type Node } from '../graph.js';
import { add, div, mul, sqrt, sub } from '../ops/elementwise.js';
import type { Tensor } from '../tensor.js';

/** AdamW's constants, with torch.optim.AdamW's defaults in ADAMW_DEFAULTS. */
export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAMW_DEFAULTS: Readonly<AdamWConfig> = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

/**
 * The scalars that change from step to step, as graph nodes of shape `[]` in the parameters' dtype. They are fed
 * at run time (see adamwStepInputs and adamwStepFeeds), so one compiled training step serves every step and any
 * learning-rate schedule.
 */
export interface AdamWStepScalars {
  /** The learning rate of this step. */
  lr: Node;
  /** 1 - beta1^t at step t (counting from 1). */
  biasCorrection1: Node;
  /** 1 - beta2^t at step t (counting from 1). */
  biasCorrection2: Node;
}

export interface AdamWHyper extends AdamWStepScalars, Partial<AdamWConfig> {
  /**
   * Per parameter, whether weight decay applies (default: all, as torch does within one parameter group).
   * Biases, LayerNorm weights and embeddings are commonly excluded.
   */
  decayMask?: readonly boolean[];
}

/** The updated state: feed these back as the next step's parameters and moments. */
export interface AdamWUpdate {
  params: Node[];
  m: Node[];
  v: Node[];
}

/**
 * One AdamW step as graph nodes, exactly as torch.optim.AdamW (amsgrad off) computes it at step t:
 *
 *   p ← p (1 - lr λ)                         (decoupled weight decay, where decayMask allows)
 *   m ← β1 m + (1 - β1) g                    (as torch's lerp: m + (1 - β1)(g - m))
 *   v ← β2 v + (1 - β2) g²
 *   p ← p - (lr / bc1) m / (sqrt(v) / sqrt(bc2) + ε),   bc1 = 1 - β1^t,  bc2 = 1 - β2^t
 *
 * `params`, `grads`, `m`, `v` line up index by index; each moment has its parameter's shape and starts at zero.
 */
export function adamw(params: readonly Node[], grads: readonly Node[], m: readonly Node[], v: readonly Node[], hp: AdamWHyper): AdamWUpdate {
  const { beta1, beta2, eps, weightDecay } = { ...ADAMW_DEFAULTS, ...definedOnly(hp) };
  const n = params.length;
  if (grads.length !== n || m.length !== n || v.length !== n || (hp.decayMask && hp.decayMask.length !== n)) {
    throw new Error(`adamw: ${n} params but ${grads.length} grads, ${m.length} m, ${v.length} v` +
      (hp.decayMask ? `, ${hp.decayMask.length} decay flags` : ''));
  }
  for (const [what, s] of [['lr', hp.lr], ['biasCorrection1', hp.biasCorrection1], ['biasCorrection2', hp.biasCorrection2]] as const) {
    if (s.shape.length !== 0) throw new Error(`adamw: ${what} must be a scalar, got ${shapeStr(s.shape)}`);
  }
  // Per-step scalars, computed once for all parameters.
  const stepSize = div(hp.lr, hp.biasCorrection1);
  const sqrtBc2 = sqrt(hp.biasCorrection2);
  const decay = weightDecay !== 0 ? sub(1, mul(hp.lr, weightDecay)) : undefined;

  const out: AdamWUpdate = { params: [], m: [], v: [] };
  for (let i = 0; i < n; i++) {
    const [p, g, mi, vi] = [params[i]!, grads[i]!, m[i]!, v[i]!];
    for (const [what, x] of [['grad', g], ['m', mi], ['v', vi]] as const) {
      if (x.shape.length !== p.shape.length || x.shape.some((d, k) => d !== p.shape[k])) {
        throw new Error(`adamw: parameter ${p.name ?? i} is ${shapeStr(p.shape)} but its ${what} is ${shapeStr(x.shape)}`);
      }
    }
    // The order of operations follows torch's kernels (lerp_, addcmul_, addcdiv_), so float32 results agree to
    // the last bit or so rather than merely in exact arithmetic.
    const w = 1 - beta1;
    const m2 = w < 0.5 ? add(mi, mul(sub(g, mi), w)) : sub(g, mul(sub(g, mi), 1 - w));
    const v2 = add(mul(vi, beta2), mul(mul(g, 1 - beta2), g));
    const denom = add(div(sqrt(v2), sqrtBc2), eps);
    const decayed = decay && (hp.decayMask?.[i] ?? true) ? mul(p, decay) : p;
    out.params.push(sub(decayed, mul(div(m2, denom), stepSize)));
    out.m.push(m2);
    out.v.push(v2);
  }
  return out;
}

function definedOnly(hp: AdamWHyper): Partial<AdamWConfig> {
  const out: Partial<AdamWConfig> = {};
  for (const k of ['beta1', 'beta2', 'eps', 'weightDecay'] as const) if (hp[k] !== undefined) out[k] = hp[k];
  return out;
}

/** Input nodes for the per-step scalars, named `${prefix}.lr`, `${prefix}.bias_correction1`, `${prefix}.bias_correction2`. */
export function adamwStepInputs(dtype: 'float32' | 'float64' = 'float32', prefix = 'adamw'): AdamWStepScalars {
  return {
    lr: input(`${prefix}.lr`, [], dtype),
    biasCorrection1: input(`${prefix}.bias_correction1`, [], dtype),
    biasCorrection2: input(`${prefix}.bias_correction2`, [], dtype),
  };
}

/**
 * The feeds for adamwStepInputs at step `t` (1 for the first update, as torch counts after incrementing):
 * lr, 1 - β1^t and 1 - β2^t, computed in float64 on the host.
 */
export function adamwStepFeeds(
  t: number,
  lr: number,
  betas: Pick<AdamWConfig, 'beta1' | 'beta2'> = ADAMW_DEFAULTS,
  dtype: 'float32' | 'float64' = 'float32',
  prefix = 'adamw',
): Record<string, Tensor> {
  if (!Number.isInteger(t) || t < 1) throw new Error(`adamwStepFeeds: step must be an integer >= 1, got ${t}`);
  const s = (x: number): Tensor => ({ dtype, shape: [], data: dtype === 'float64' ? Float64Array.of(x) : Float32Array.of(x) });
  return {
    [`${prefix}.lr`]: s(lr),
    [`${prefix}.bias_correction1`]: s(1 - betas.beta1 ** t),
    [`${prefix}.bias_correction2`]: s(1 - betas.beta2 ** t),
  };
}

/**
 * Input nodes for the moments of `params` (which must be named inputs), named as torch's optimizer state:
 * `${prefix}.exp_avg.${name}` and `${prefix}.exp_avg_sq.${name}`. Feed zeros at the first step.
 */
export function momentInputs(params: readonly Node[], prefix = 'adamw'): { m: Node[]; v: Node[] } {
  const named = params.map((p, i) => {
    if (p.op !== 'input' || !p.name) throw new Error(`momentInputs: parameter ${i} is not a named input`);
    return p as Node & { name: string };
  });
  return {
    m: named.map((p) => input(`${prefix}.exp_avg.${p.name}`, p.shape, p.dtype)),
    v: named.map((p) => input(`${prefix}.exp_avg_sq.${p.name}`, p.shape, p.dtype)),
  };
}
