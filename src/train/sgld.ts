import { add, compile, grad, input, mul, reduceSum, sub, type Node, type Program, type Tensor } from '../engine/index.js';

/** Host parameters by name (float32), as a model's weights are. */
export type ParamTensors = Record<string, Tensor<'float32'>>;

/**
 * A model for sampling: its parameters (the point w0 to sample around) and a builder of its mean loss over one
 * batch. The builder receives the parameters as graph nodes and declares the batch's inputs itself (`input(...)`),
 * whose tensors are then fed by name at every step.
 */
export interface SamplingModel {
  params: ParamTensors;
  buildLoss(params: Readonly<Record<string, Node>>): Node;
}

/** SGLD's constants, devinterp's names in the comments. */
export interface SgldHyper {
  /** Step size ε (devinterp: lr). */
  epsilon: number;
  /** Inverse temperature nβ (devinterp: nbeta), multiplying the gradient of the batch's mean loss. */
  nbeta: number;
  /** Localization strength γ (devinterp: localization), pulling w back to w0. */
  gamma: number;
  /** Noise scale σ (devinterp: noise_level, 1 for posterior sampling). */
  sigma: number;
}

/** One step's outcome: the batch loss at the weights before the update (what devinterp records), and the new weights. */
export interface SgldStepResult {
  loss: number;
  /** ‖w - w0‖², before the update. */
  distance: number;
  params: ParamTensors;
}

/**
 * One SGLD step as one compiled graph, as devinterp's SGLD optimizer computes it (Lau et al. 2023):
 *
 *   w ← w - (ε/2) (nβ ∇L_batch(w) + γ (w - w0)) + √ε σ ξ,   ξ ~ N(0, I)
 *
 * where L_batch is the batch's mean loss. The loss, its gradient and the update are one program; ε, nβ, γ and
 * √ε σ are fed as scalars, so one compiled graph serves any hyperparameters. The engine has no in-graph random
 * op, so the standard normals ξ are inputs, drawn on the host by the caller from the seeded Rng: a run is
 * reproducible from its seed.
 */
export class SgldStep {
  readonly names: string[];
  private readonly program: Program;
  private evalProgram: Program | null = null;

  constructor(private readonly model: SamplingModel) {
    this.names = Object.keys(model.params).sort();
    if (this.names.length === 0) throw new Error('sgld: the model has no parameters');
    const params: Record<string, Node> = {};
    for (const n of this.names) params[n] = input(n, model.params[n]!.shape, 'float32');
    const loss = model.buildLoss(params);
    if (loss.shape.length !== 0) throw new Error(`sgld: the loss must be a scalar, got shape [${loss.shape.join(', ')}]`);
    const grads = grad(loss, this.names.map((n) => params[n]!));
    const halfEps = mul(input('sgld.epsilon', [], 'float32'), 0.5);
    const nbeta = input('sgld.nbeta', [], 'float32');
    const gamma = input('sgld.gamma', [], 'float32');
    const noiseScale = input('sgld.noise_scale', [], 'float32');
    const outs: Record<string, Node> = { loss };
    let distance: Node | null = null;
    this.names.forEach((n, i) => {
      const p = params[n]!;
      const diff = sub(p, input(`sgld.w0.${n}`, p.shape, 'float32'));
      const drift = add(mul(grads[i]!, nbeta), mul(diff, gamma));
      const noise = input(`sgld.noise.${n}`, p.shape, 'float32');
      outs[`p:${n}`] = add(sub(p, mul(drift, halfEps)), mul(noise, noiseScale));
      const sq = reduceSum(mul(diff, diff));
      distance = distance ? add(distance, sq) : sq;
    });
    outs.distance = distance!;
    this.program = compile(outs);
  }

  /** The number of parameters. */
  get size(): number {
    return this.names.reduce((s, n) => s + this.model.params[n]!.data.length, 0);
  }

  /**
   * One update of `params` from `batch` (the loss's inputs by name), with standard normals `noise` (by parameter
   * name, each of its parameter's size).
   */
  async step(params: ParamTensors, w0: ParamTensors, noise: ParamTensors, batch: Readonly<Record<string, Tensor>>, h: SgldHyper): Promise<SgldStepResult> {
    const s = (x: number): Tensor<'float32'> => ({ dtype: 'float32', shape: [], data: Float32Array.of(x) });
    const feeds: Record<string, Tensor> = {
      ...batch, 'sgld.epsilon': s(h.epsilon), 'sgld.nbeta': s(h.nbeta), 'sgld.gamma': s(h.gamma), 'sgld.noise_scale': s(Math.sqrt(h.epsilon) * h.sigma),
    };
    for (const n of this.names) {
      feeds[n] = params[n]!;
      feeds[`sgld.w0.${n}`] = w0[n]!;
      feeds[`sgld.noise.${n}`] = noise[n]!;
    }
    const out = await this.program.run(feeds);
    const next: ParamTensors = {};
    for (const n of this.names) next[n] = out[`p:${n}`] as Tensor<'float32'>;
    return { loss: Number(out.loss!.data[0]), distance: Number(out.distance!.data[0]), params: next };
  }

  /** The batch's mean loss at `params`, with no update. */
  async loss(params: ParamTensors, batch: Readonly<Record<string, Tensor>>): Promise<number> {
    if (!this.evalProgram) {
      const nodes: Record<string, Node> = {};
      for (const n of this.names) nodes[n] = input(n, this.model.params[n]!.shape, 'float32');
      this.evalProgram = compile({ loss: this.model.buildLoss(nodes) });
    }
    const out = await this.evalProgram.run({ ...batch, ...params });
    return Number(out.loss!.data[0]);
  }
}
