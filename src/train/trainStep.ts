import {
  add, adamw, adamwStepFeeds, adamwStepInputs, compile, concat, div, grad, input, less, mul, reduceSum, reshape, sqrt, where,
  type Node, type Program, type Tensor,
} from '../engine/index.js';

import type { HookedTransformer } from '../model/hookedTransformer.js';
import type { StateDict } from '../model/weights.js';
import { checkVocabulary, trainingLoss } from './trainingLoss.js';

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

/** Parameters updated as one flat vector: the decayed weight matrices, or the rest. */
interface FlatGroup {
  tag: 'decay' | 'no_decay';
  names: string[];
  offsets: number[];
  sizes: number[];
  total: number;
}

/**
 * One training step as one compiled graph: next-token loss, gradients of every weight, global-norm clipping and
 * AdamW, with the learning rate and bias corrections fed per step.
 *
 * AdamW runs on two flat vectors (weights that decay, and the rest), not per parameter: a two-layer model's
 * per-parameter update was ~560 tiny kernels, a third of the step's kernel launches. The parameters and moments
 * live in flat host buffers; `model.weights`, `m` and `v` are views into them (fed to the forward as they are,
 * no copy), and anything assigned to them (a resumed checkpoint) is packed into fresh buffers at the next step.
 */
export class TrainStep {
  private readonly program: Program;
  private evalProgram: Program | null = null;
  private readonly names: string[];
  private readonly groups: FlatGroup[];
  private flatP: Float32Array[] | null = null;
  private flatM!: Float32Array[];
  private flatV!: Float32Array[];
  /** The weight tensors this step last put in model.weights (views of flatP): unchanged means no repacking. */
  private handed: StateDict | null = null;
  private mViews: StateDict | null = null;
  private vViews: StateDict | null = null;
  /** AdamW's step count t (number of updates applied so far). */
  t = 0;

  /**
   * `lossFrom`: the first position whose prediction counts in the loss (0: every position; modular addition's
   * `a b =` counts only the prediction at '=', position 2).
   * `lossVocabulary`: the training loss's softmax runs over these output ids alone (null: all of them). The step
   * computes only their logits (the columns of W_U and entries of b_U gathered), so the other ids get no
   * probability and no gradient, and a step over 257 of 2048 ids costs what a 257-id model's does: a curriculum on
   * a few ids of a large vocabulary trains as a model of those ids would, instead of first spending its steps
   * pushing the rest down (BatchSource.lossVocabulary). Every target must be one of them. The validation loss
   * (`evalLoss`) is always over every id.
   */
  constructor(
    private readonly model: HookedTransformer, readonly batch: number, readonly seqLen: number, private readonly opt: OptimizerConfig,
    private readonly lossFrom = 0, readonly lossVocabulary: readonly number[] | null = null,
  ) {
    if (seqLen > model.cfg.n_ctx) throw new Error(`sequence length ${seqLen} exceeds n_ctx ${model.cfg.n_ctx}`);
    if (!Number.isInteger(lossFrom) || lossFrom < 0 || lossFrom >= seqLen) throw new Error(`loss position ${lossFrom} is outside the sequence (0..${seqLen - 1})`);
    if (lossVocabulary) checkVocabulary(lossVocabulary, model.cfg.d_vocab_out, 'loss vocabulary');
    this.names = Object.keys(model.weights).sort();
    this.groups = (['decay', 'no_decay'] as const).map((tag) => {
      const names = this.names.filter((n) => decays(n) === (tag === 'decay'));
      const sizes = names.map((n) => model.weights[n]!.data.length);
      const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
      return { tag, names, offsets, sizes, total: sizes.reduce((a, b) => a + b, 0) };
    }).filter((g) => g.names.length > 0);
    const w = model.weightNodes();
    // tokens holds seqLen + 1 ids: position i predicts tokens[i + 1].
    const tokens = input('tokens', [batch, seqLen + 1], 'int64');
    const loss = trainingLoss(model.cfg, w, tokens, { lossFrom, vocabulary: lossVocabulary });
    const grads = grad(loss, this.names.map((n) => w[n]!));
    const gradOf = new Map(this.names.map((n, i) => [n, grads[i]!]));
    // Global-norm clipping as torch's clip_grad_norm_ (and clipGradNorm): per-weight squared norms as one vector.
    const squares = concat(grads.map((g) => reshape(reduceSum(mul(g, g)), [1])), 0);
    const totalNorm = sqrt(reduceSum(squares));
    const coef = div(opt.maxGradNorm ?? Infinity, add(totalNorm, 1e-6));
    const scale = opt.maxGradNorm === null ? null : where(less(coef, 1), coef, 1);
    const step = adamwStepInputs();
    const outs: Record<string, Node> = { loss, grad_norm: totalNorm, grad_norms: sqrt(squares) };
    for (const g of this.groups) {
      const flatGrad = concat(g.names.map((n) => reshape(gradOf.get(n)!, [-1])), 0);
      const upd = adamw(
        [input(`train.params.${g.tag}`, [g.total])], [scale ? mul(flatGrad, scale) : flatGrad],
        [input(`adamw.exp_avg.${g.tag}`, [g.total])], [input(`adamw.exp_avg_sq.${g.tag}`, [g.total])],
        { ...step, beta1: opt.beta1, beta2: opt.beta2, eps: opt.eps, weightDecay: opt.weightDecay, decayMask: [g.tag === 'decay'] },
      );
      outs[`p:${g.tag}`] = upd.params[0]!;
      outs[`m:${g.tag}`] = upd.m[0]!;
      outs[`v:${g.tag}`] = upd.v[0]!;
    }
    this.program = compile(outs);
    this.resetOptimizer();
  }

  /** Forgets AdamW's state: both moments zero and the update count 0, as a freshly built optimizer. */
  resetOptimizer(): void {
    this.flatM = this.groups.map((g) => new Float32Array(g.total));
    this.flatV = this.groups.map((g) => new Float32Array(g.total));
    this.mViews = null;
    this.vViews = null;
    this.t = 0;
  }

  /** AdamW's first moments by weight name (views of the step's flat state; assign to replace them). */
  get m(): StateDict {
    return (this.mViews ??= this.viewsOf(this.flatM));
  }

  set m(d: StateDict) {
    this.flatM = this.pack(d, 'm');
    this.mViews = null;
  }

  /** AdamW's second moments by weight name. */
  get v(): StateDict {
    return (this.vViews ??= this.viewsOf(this.flatV));
  }

  set v(d: StateDict) {
    this.flatV = this.pack(d, 'v');
    this.vViews = null;
  }

  private viewsOf(flat: readonly Float32Array[]): StateDict {
    const out: StateDict = {};
    this.groups.forEach((g, gi) => g.names.forEach((n, i) => {
      out[n] = { dtype: 'float32', shape: this.model.weights[n]?.shape ?? [g.sizes[i]!], data: flat[gi]!.subarray(g.offsets[i]!, g.offsets[i]! + g.sizes[i]!) };
    }));
    return out;
  }

  /** Copies per-weight tensors into fresh flat buffers (checking every weight is there with its size). */
  private pack(d: StateDict, what: string): Float32Array[] {
    return this.groups.map((g) => {
      const flat = new Float32Array(g.total);
      g.names.forEach((n, i) => {
        const t = d[n];
        if (!t || t.data.length !== g.sizes[i]) throw new Error(`${what}: ${n} is ${t ? `${t.data.length} values` : 'missing'}, expected ${g.sizes[i]}`);
        flat.set(t.data, g.offsets[i]!);
      });
      return flat;
    });
  }

  /** The flat parameters, repacked from model.weights when anything there is not what the last step left. */
  private params(): Float32Array[] {
    const w = this.model.weights;
    if (!this.flatP || !this.handed || this.names.some((n) => w[n] !== this.handed![n])) {
      this.flatP = this.pack(w, 'weights');
      this.handed = null;
    }
    return this.flatP;
  }

  /** Mean next-token loss of `tokens` ([batch, seqLen + 1]) without updating anything. */
  async evalLoss(tokens: Tensor<'int64'>): Promise<number> {
    if (!this.evalProgram) {
      const toks = input('tokens', [this.batch, this.seqLen + 1], 'int64');
      this.evalProgram = compile({ loss: trainingLoss(this.model.cfg, this.model.weightNodes(), toks, { lossFrom: this.lossFrom }) });
    }
    const out = await this.evalProgram.run({ ...this.model.weights, tokens });
    return Number(out.loss!.data[0]);
  }

  /**
   * Applies one update from `tokens` ([batch, seqLen + 1]: inputs and their next tokens) at learning rate `lr`.
   * When the loss is not finite the update is not applied, and the result says so (loss NaN or Infinity).
   */
  async run(tokens: Tensor<'int64'>, lr: number): Promise<StepResult> {
    const flatP = this.params();
    const feeds: Record<string, Tensor> = { ...this.model.weights, tokens, ...adamwStepFeeds(this.t + 1, lr, this.opt) };
    this.groups.forEach((g, gi) => {
      feeds[`train.params.${g.tag}`] = { dtype: 'float32', shape: [g.total], data: flatP[gi]! };
      feeds[`adamw.exp_avg.${g.tag}`] = { dtype: 'float32', shape: [g.total], data: this.flatM[gi]! };
      feeds[`adamw.exp_avg_sq.${g.tag}`] = { dtype: 'float32', shape: [g.total], data: this.flatV[gi]! };
    });
    const out = await this.program.run(feeds);
    const loss = Number(out.loss!.data[0]);
    const norms = out.grad_norms!.data as Float32Array;
    const gradNorms: Record<string, number> = {};
    this.names.forEach((n, i) => (gradNorms[n] = norms[i]!));
    const result = { loss, gradNorm: Number(out.grad_norm!.data[0]), gradNorms };
    if (!Number.isFinite(loss)) return result;
    const data = (key: string) => out[key]!.data as Float32Array;
    this.flatP = this.groups.map((g) => data(`p:${g.tag}`));
    this.flatM = this.groups.map((g) => data(`m:${g.tag}`));
    this.flatV = this.groups.map((g) => data(`v:${g.tag}`));
    this.mViews = null;
    this.vViews = null;
    const views = this.viewsOf(this.flatP);
    for (const n of this.names) this.model.weights[n] = views[n]!;
    this.handed = views;
    this.t++;
    return result;
  }
}
