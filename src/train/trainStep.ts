import {
  adamw, adamwStepFeeds, adamwStepInputs, clipGradNorm, compile, crossEntropy, grad, input, momentInputs, slice, type Node, type Program, type Tensor,
} from '../engine/index.js';

import { forward } from '../model/forward.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import type { StateDict } from '../model/weights.js';

export interface OptimizerConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Clip the global gradient norm to this (null: no clipping). */
  maxGradNorm: number | null;
}

export interface StepResult {
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Gradient norm of each weight before clipping (DESIGN.md: a stuck W_Q/W_K shows up here as ~1e-10). */
  gradNorms: Record<string, number>;
}

/** Weight decay applies to weight matrices (W_*), not to biases or LayerNorm weights. */
export function decays(name: string): boolean {
  return name.slice(name.lastIndexOf('.') + 1).startsWith('W_');
}

/**
 * One training step as one compiled graph: next-token loss, gradients of every weight, global-norm clipping and
 * AdamW, with the learning rate and bias corrections fed per step. Parameters and AdamW moments are host tensors
 * fed in and read back, so a checkpoint is just those tensors.
 */
export class TrainStep {
  private readonly program: Program;
  private evalProgram: Program | null = null;
  private readonly names: string[];
  m: StateDict;
  v: StateDict;
  /** AdamW's step count t (number of updates applied so far). */
  t = 0;

  /**
   * `lossFrom`: the first position whose prediction counts in the loss (0: every position; modular addition's
   * `a b =` counts only the prediction at '=', position 2).
   */
  constructor(
    private readonly model: HookedTransformer, readonly batch: number, readonly seqLen: number, private readonly opt: OptimizerConfig,
    private readonly lossFrom = 0,
  ) {
    if (seqLen > model.cfg.n_ctx) throw new Error(`sequence length ${seqLen} exceeds n_ctx ${model.cfg.n_ctx}`);
    if (!Number.isInteger(lossFrom) || lossFrom < 0 || lossFrom >= seqLen) throw new Error(`loss position ${lossFrom} is outside the sequence (0..${seqLen - 1})`);
    this.names = Object.keys(model.weights).sort();
    const w = model.weightNodes();
    const params = this.names.map((n) => w[n]!);
    const tokens = input('tokens', [batch, seqLen + 1], 'int64');
    const inputs = slice(tokens, [0], [seqLen], [1]);
    const logits = forward(model.cfg, w, inputs);
    // tokens holds seqLen + 1 ids: position i predicts tokens[i + 1].
    const loss = this.lossOf(logits, tokens);
    const grads = grad(loss, params);
    const clipped = clipGradNorm(grads, opt.maxGradNorm ?? Infinity);
    const { m, v } = momentInputs(params);
    const upd = adamw(params, opt.maxGradNorm === null ? grads : clipped.grads, m, v, {
      ...adamwStepInputs(), beta1: opt.beta1, beta2: opt.beta2, eps: opt.eps, weightDecay: opt.weightDecay,
      decayMask: this.names.map(decays),
    });
    const outs: Record<string, Node> = { loss, grad_norm: clipped.totalNorm };
    this.names.forEach((n, i) => {
      outs[`p:${n}`] = upd.params[i]!;
      outs[`m:${n}`] = upd.m[i]!;
      outs[`v:${n}`] = upd.v[i]!;
      outs[`g:${n}`] = clipped.norms[i]!;
    });
    this.program = compile(outs);
    this.m = zerosLike(model.weights);
    this.v = zerosLike(model.weights);
  }

  /** Mean cross-entropy of the predictions at positions lossFrom..seqLen-1 against the tokens after them. */
  private lossOf(logits: Node, tokens: Node): Node {
    const from = this.lossFrom;
    const predicted = from === 0 ? logits : slice(logits, [from], [this.seqLen], [1]);
    return crossEntropy(predicted, slice(tokens, [from + 1], [this.seqLen + 1], [1]), 'mean');
  }

  /** Mean next-token loss of `tokens` ([batch, seqLen + 1]) without updating anything. */
  async evalLoss(tokens: Tensor<'int64'>): Promise<number> {
    if (!this.evalProgram) {
      const toks = input('tokens', [this.batch, this.seqLen + 1], 'int64');
      const logits = forward(this.model.cfg, this.model.weightNodes(), slice(toks, [0], [this.seqLen], [1]));
      this.evalProgram = compile({ loss: this.lossOf(logits, toks) });
    }
    const out = await this.evalProgram.run({ ...this.model.weights, tokens });
    return Number(out.loss!.data[0]);
  }

  /**
   * Applies one update from `tokens` ([batch, seqLen + 1]: inputs and their next tokens) at learning rate `lr`.
   * When the loss is not finite the update is not applied, and the result says so (loss NaN or Infinity).
   */
  async run(tokens: Tensor<'int64'>, lr: number): Promise<StepResult> {
    const feeds: Record<string, Tensor> = { ...this.model.weights, tokens, ...adamwStepFeeds(this.t + 1, lr, this.opt) };
    for (const n of this.names) {
      feeds[`adamw.exp_avg.${n}`] = this.m[n]!;
      feeds[`adamw.exp_avg_sq.${n}`] = this.v[n]!;
    }
    const out = await this.program.run(feeds);
    const loss = Number(out.loss!.data[0]);
    const gradNorms: Record<string, number> = {};
    for (const n of this.names) gradNorms[n] = Number(out[`g:${n}`]!.data[0]);
    const result = { loss, gradNorm: Number(out.grad_norm!.data[0]), gradNorms };
    if (!Number.isFinite(loss)) return result;
    for (const n of this.names) {
      this.model.weights[n] = out[`p:${n}`] as Tensor<'float32'>;
      this.m[n] = out[`m:${n}`] as Tensor<'float32'>;
      this.v[n] = out[`v:${n}`] as Tensor<'float32'>;
    }
    this.t++;
    return result;
  }
}

function zerosLike(w: StateDict): StateDict {
  const out: StateDict = {};
  for (const [k, t] of Object.entries(w)) out[k] = { dtype: 'float32', shape: t.shape, data: new Float32Array(t.data.length) };
  return out;
}
