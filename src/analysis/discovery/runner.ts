import { compile, grad, input, matmul, slice, transpose, type Node, type Program, type Tensor } from '../../engine/index.js';
import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { edgeForward } from './edgeForward.js';
import { buildGraph, type CircuitGraph, type ReaderGroup } from './graph.js';
import { higherIsBetter, metricNode, targetFeeds, targetLogProbs, type MetricName } from './metric.js';
import type { DiscoveryTask } from './tasks.js';

/** Zero ablation (a cut edge carries nothing) or resample ablation (it carries the corrupted prompt's output). */
export type Ablation = 'resample' | 'zero';

/**
 * Runs a model's circuit graph on a task: the edge-masked forward (each mask a run of one compiled graph) and the
 * gradient graph (one backward pass gives every edge's attribution). Programs are compiled once per metric.
 */
export class EdgeRunner {
  readonly graph: CircuitGraph & { groups: ReaderGroup[] };
  readonly B: number;
  readonly T: number;
  private feeds: Record<string, Tensor> = {};
  private masked = new Map<MetricName, Program>();
  private grads = new Map<MetricName, Program>();
  private cleanValue = new Map<MetricName, number>();
  private corruptValue = new Map<MetricName, number>();
  /** Corrupted minus clean writer outputs, `[writers, batch*pos*d_model]`. */
  private delta: Tensor<'float32'> | null = null;

  constructor(readonly model: HookedTransformer, readonly task: DiscoveryTask, readonly ablation: Ablation = 'resample') {
    this.graph = buildGraph(model.cfg);
    this.B = task.clean.length;
    this.T = task.clean[0]!.length;
  }

  get nR(): number { return this.graph.readers.length; }
  get nW(): number { return this.graph.writers.length; }

  /** Runs the clean and corrupted prompts once: the writers' outputs (for ablation) and the clean distribution (for KL). */
  async init(): Promise<void> {
    if (this.delta) return;
    const { model, task } = this;
    const clean = model.toTokens(task.clean);
    const corrupt = model.toTokens(task.corrupt);
    const N = this.B * this.T * model.cfg.d_model;
    const writersProgram = compile({ writers: edgeForward(model.cfg, model.weightNodes(), this.graph, this.B, this.T, 'mask').writers });
    const ones = this.fullMask(1);
    const zerosAblate: Tensor<'float32'> = { dtype: 'float32', shape: [this.nW, N], data: new Float32Array(this.nW * N) };
    const run = async (tokens: Tensor<'int64'>) => (await writersProgram.run({ ...model.weights, tokens, mask: ones, ablate: zerosAblate })).writers as Tensor<'float32'>;
    const cw = await run(clean);
    const xw = this.ablation === 'zero' ? zerosAblate : await run(corrupt);
    const d = new Float32Array(cw.data.length);
    for (let i = 0; i < d.length; i++) d[i] = xw.data[i]! - cw.data[i]!;
    this.delta = { dtype: 'float32', shape: [this.nW, N], data: d };
    const logits = await model.run(clean);
    this.feeds = {
      ...model.weights, tokens: clean, corruptTokens: corrupt, ablate: xw,
      ...targetFeeds(task.targets, this.T), cleanLogProbs: targetLogProbs(logits, task.targets),
    };
  }

  /** A `[readers, writers]` mask of one value. */
  fullMask(v: number): Tensor<'float32'> {
    return { dtype: 'float32', shape: [this.nR, this.nW], data: new Float32Array(this.nR * this.nW).fill(v) };
  }

  /** The metric with the edges where `mask` is 0 ablated. */
  async metric(mask: Tensor<'float32'>, name: MetricName): Promise<number> {
    await this.init();
    let p = this.masked.get(name);
    if (!p) {
      const f = edgeForward(this.model.cfg, this.model.weightNodes(), this.graph, this.B, this.T, 'mask');
      p = compile({ metric: metricNode(f.logits, name, this.task.targets.length) });
      this.masked.set(name, p);
    }
    return Number((await p.run({ ...this.feeds, mask })).metric!.data[0]);
  }

  /** The metric of the clean run (every edge kept) and of the fully ablated run. */
  async baselines(name: MetricName): Promise<{ clean: number; corrupt: number }> {
    if (!this.cleanValue.has(name)) {
      this.cleanValue.set(name, await this.metric(this.fullMask(1), name));
      this.corruptValue.set(name, await this.metric(this.fullMask(0), name));
    }
    return { clean: this.cleanValue.get(name)!, corrupt: this.corruptValue.get(name)! };
  }

  /** How far a value is from the clean run's, in the metric's own direction (ACDC's quantity to keep small). */
  async damage(value: number, name: MetricName): Promise<number> {
    if (name === 'kl') return value;
    const { clean } = await this.baselines(name);
    return higherIsBetter(name) ? clean - value : value - clean;
  }

  /**
   * Edge attributions `(corrupt_w - clean_w) . d metric / d input_r`, `[readers, writers]` (0 where no edge), with
   * the gradient taken on the run whose embedding is `corrupt + alpha (clean - corrupt)` (alpha 1: the clean run).
   */
  async edgeGradScores(name: MetricName, alpha: number): Promise<{ scores: Float32Array; value: number }> {
    await this.init();
    let p = this.grads.get(name);
    const { groups } = this.graph;
    if (!p) {
      const cfg = this.model.cfg;
      const f = edgeForward(cfg, this.model.weightNodes(), this.graph, this.B, this.T, 'grad');
      const value = metricNode(f.logits, name, this.task.targets.length);
      const gs = grad(value, f.readerInputs);
      const delta = input('delta', [this.nW, this.B * this.T * cfg.d_model]);
      const outs: Record<string, Node> = { value };
      groups.forEach((g, i) => { outs[`s${i}`] = matmul(gs[i]!, transpose(slice(delta, [0], [g.fanIn], [0]), [1, 0])); });
      p = compile(outs);
      this.grads.set(name, p);
    }
    const out = await p.run({ ...this.feeds, delta: this.delta!, alpha: { dtype: 'float32', shape: [1], data: Float32Array.of(alpha) } });
    const scores = new Float32Array(this.nR * this.nW);
    groups.forEach((g, i) => {
      const s = out[`s${i}`]!.data as Float32Array;
      for (let r = 0; r < g.count; r++) for (let w = 0; w < g.fanIn; w++) scores[(g.start + r) * this.nW + w] = s[r * g.fanIn + w]!;
    });
    return { scores, value: Number(out.value!.data[0]) };
  }
}
