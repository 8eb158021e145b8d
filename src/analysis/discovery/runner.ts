import {
  add, compile, grad, input, matmul, mul, reduceMean, reduceSum, slice, sub, transpose, type Node, type Program, type Tensor,
} from '../../engine/index.js';
import { InputError } from '../../engine/errors.js';
import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { edgeForward, type EdgeForward } from './edgeForward.js';
import { buildGraph, type CircuitGraph, type ReaderGroup } from './graph.js';
import { higherIsBetter, metricNode, targetFeeds, targetLogProbs, type MetricName } from './metric.js';
import type { DiscoveryTask } from './tasks.js';

/** Zero ablation (a cut edge carries nothing) or resample ablation (it carries the corrupted prompt's output). */
export type Ablation = 'resample' | 'zero';

/** Compiled programs by model and by what they compute (task shape, metric, mode): new runners reuse them. */
const programCache = new WeakMap<HookedTransformer, Map<string, Program>>();

function cached(model: HookedTransformer, key: string, build: () => Program): Program {
  let m = programCache.get(model);
  if (!m) programCache.set(model, (m = new Map()));
  let p = m.get(key);
  if (!p) m.set(key, (p = build()));
  return p;
}

/**
 * Runs a model's circuit graph on a task: the edge-masked forward (each mask a run of one compiled graph) and the
 * gradient graph (one backward pass gives every edge's attribution). Programs are compiled once per model, task
 * shape and metric, and shared by every runner on that model.
 */
export class EdgeRunner {
  readonly graph: CircuitGraph & { groups: ReaderGroup[] };
  readonly B: number;
  readonly T: number;
  private feeds: Record<string, Tensor> = {};
  private cleanValue = new Map<MetricName, number>();
  private corruptValue = new Map<MetricName, number>();
  /** The writers' outputs that replace a cut edge's, `[writers, batch*pos*d_model]` (corrupted, or zeros). */
  private ablate: Tensor<'float32'> | null = null;
  /** Ablated minus clean writer outputs (EAP-IG's steps; EAP computes it in its own graph). */
  private delta: Tensor<'float32'> | null = null;

  constructor(readonly model: HookedTransformer, readonly task: DiscoveryTask, readonly ablation: Ablation = 'resample') {
    const c = model.cfg;
    // The edge-level forward rebuilds attention from each head's inputs for GPT-2-style blocks only.
    const missing = [
      c.positional_embedding_type === 'rotary' && 'rotary embeddings', c.n_key_value_heads !== null && 'grouped-query attention',
      c.parallel_attn_mlp && 'parallel attention and MLP', c.use_local_attn && 'local attention', c.gated_mlp && 'gated MLPs',
      c.use_normalization_before_and_after && 'post-norms', (c.normalization_type === 'RMS' || c.normalization_type === 'RMSPre') && 'RMSNorm',
      c.attn_scores_soft_cap > 0 && 'soft-capped scores', c.output_logits_soft_cap > 0 && 'soft-capped logits', c.attn_scale !== Math.sqrt(c.d_head) && 'a non-default attention scale',
    ].filter((x): x is string => typeof x === 'string');
    if (missing.length > 0) throw new InputError(`circuit discovery: edge-level patching supports GPT-2-style models only, not ${missing.join(', ')}`);
    this.graph = buildGraph(model.cfg);
    this.B = task.clean.length;
    this.T = task.clean[0]!.length;
  }

  get nR(): number { return this.graph.readers.length; }
  get nW(): number { return this.graph.writers.length; }
  private get K(): number { return this.task.targets.length; }
  private get N(): number { return this.B * this.T * this.model.cfg.d_model; }

  /** The writers' outputs on some prompts: one plain forward pass, no logits. */
  private async writersOf(tokens: Tensor<'int64'>): Promise<Tensor<'float32'>> {
    const { model, B, T } = this;
    const p = cached(model, `writers:${B}x${T}`, () => compile({ writers: edgeForward(model.cfg, model.weightNodes(), this.graph, B, T, 'forward').writers }));
    return (await p.run({ ...model.weights, tokens })).writers as Tensor<'float32'>;
  }

  /** Runs the corrupted prompts once (the writers' outputs that resample ablation patches in). */
  async init(): Promise<void> {
    if (this.ablate) return;
    const { model, task } = this;
    const clean = model.toTokens(task.clean);
    const corrupt = model.toTokens(task.corrupt);
    this.ablate = this.ablation === 'zero'
      ? { dtype: 'float32', shape: [this.nW, this.N], data: new Float32Array(this.nW * this.N) }
      : await this.writersOf(corrupt);
    this.feeds = {
      ...model.weights, tokens: clean, corruptTokens: corrupt, ablate: this.ablate, ...targetFeeds(task.targets, this.T),
      ...unembedDirections(model, task.targets),
    };
  }

  /** KL's reference: the clean run's log-probabilities at the targets (one plain run, only when KL is asked for). */
  private async metricFeeds(name: MetricName): Promise<Record<string, Tensor>> {
    await this.init();
    if (name === 'kl' && !this.feeds.cleanLogProbs) {
      this.feeds.cleanLogProbs = targetLogProbs(await this.model.run(this.feeds.tokens as Tensor<'int64'>), this.task.targets);
    }
    return this.feeds;
  }

  /** A `[readers, writers]` mask of one value. */
  fullMask(v: number): Tensor<'float32'> {
    return { dtype: 'float32', shape: [this.nR, this.nW], data: new Float32Array(this.nR * this.nW).fill(v) };
  }

  /** The metric with the edges where `mask` is 0 ablated. */
  async metric(mask: Tensor<'float32'>, name: MetricName): Promise<number> {
    const feeds = await this.metricFeeds(name);
    const { model, B, T, K } = this;
    const p = cached(model, `mask:${name}:${B}x${T}:${K}`, () => {
      const f = edgeForward(model.cfg, model.weightNodes(), this.graph, B, T, 'mask');
      return compile({ metric: metricNode(f.logits, name, K) });
    });
    return Number((await p.run({ ...feeds, mask })).metric!.data[0]);
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
   * Edge attributions `(ablated_w - clean_w) . d metric / d input_r`, `[readers, writers]` (0 where no edge), with
   * the gradient taken on the run whose embedding is `corrupt + alpha (clean - corrupt)` (alpha 1: the clean run).
   * One forward and one backward pass; each reader group's scores are one matmul of its input gradients
   * `[count, batch*pos*d_model]` with the writers' differences. At alpha 1 the clean writers come from the same
   * run; otherwise they are computed once (one more forward pass) and fed.
   */
  async edgeGradScores(name: MetricName, alpha: number): Promise<{ scores: Float32Array; value: number }> {
    const feeds = await this.metricFeeds(name);
    const { model, B, T, K, N } = this;
    const { groups } = this.graph;
    const inGraph = alpha === 1;
    if (!inGraph && !this.delta) {
      const cw = await this.writersOf(feeds.tokens as Tensor<'int64'>);
      const d = new Float32Array(cw.data.length);
      for (let i = 0; i < d.length; i++) d[i] = this.ablate!.data[i]! - cw.data[i]!;
      this.delta = { dtype: 'float32', shape: [this.nW, N], data: d };
    }
    const p = cached(model, `grad:${name}:${B}x${T}:${K}:${inGraph}`, () => {
      const f = edgeForward(model.cfg, model.weightNodes(), this.graph, B, T, 'grad', K);
      const value = metricOnRows(f, name, K, model.cfg.d_model);
      const gs = f.readerGrads(grad(value, f.wrt));
      const delta = inGraph ? sub(input('ablate', [this.nW, N]), f.writers) : input('delta', [this.nW, N]);
      const outs: Record<string, Node> = { value };
      // Each group's writers are a prefix of delta; a slice is a copy, so an MLP (one reader) shares the next
      // group's slice (one writer wider: its own output, whose column is dropped) and the full width is not sliced.
      const prefixes = new Map<number, Node>([[this.nW, delta]]);
      groups.forEach((_, i) => {
        const width = scoreWidth(groups, i);
        if (!prefixes.has(width)) prefixes.set(width, slice(delta, [0], [width], [0]));
        outs[`s${i}`] = matmul(gs[i]!, transpose(prefixes.get(width)!, [1, 0]));
      });
      return compile(outs);
    });
    const rows = feeds.targetRows!;
    const out = await p.run({
      ...feeds, ...(this.delta && !inGraph ? { delta: this.delta } : {}),
      rows, targetRows: { dtype: 'int64', shape: [K], data: BigInt64Array.from({ length: K }, (_, i) => BigInt(i)) },
      alpha: { dtype: 'float32', shape: [1], data: Float32Array.of(alpha) },
    });
    const scores = new Float32Array(this.nR * this.nW);
    groups.forEach((g, i) => {
      const s = out[`s${i}`]!.data as Float32Array;
      const width = scoreWidth(groups, i);
      for (let r = 0; r < g.count; r++) scores.set(s.subarray(r * width, r * width + g.fanIn), (g.start + r) * this.nW);
    });
    return { scores, value: Number(out.value!.data[0]) };
  }
}

/** How many writers a group's score matmul reads: its fan-in, or for an MLP the next group's (a shared slice). */
function scoreWidth(groups: readonly ReaderGroup[], i: number): number {
  const g = groups[i]!;
  return g.kind === 'mlp' && groups[i + 1] ? groups[i + 1]!.fanIn : g.fanIn;
}

/**
 * The metric on the grad forward's target rows (`targetRows` fed as 0..K-1). The logit difference needs only two
 * columns of the unembedding per target: `final . (W_U[:, answer] - W_U[:, wrong]) + b_U[answer] - b_U[wrong]`,
 * the same number as the logits' difference without computing K x d_vocab logits (the columns are picked on the
 * host: `unembedDir` `[K, d_model]`, `unembedBias` `[K]`).
 */
function metricOnRows(f: EdgeForward, name: MetricName, K: number, D: number): Node {
  if (name !== 'logit_diff' || !f.final) return metricNode(f.logits, name, K);
  return reduceMean(add(reduceSum(mul(f.final, input('unembedDir', [K, D])), -1), input('unembedBias', [K])));
}

/** `W_U[:, answer] - W_U[:, wrong]` per target, `[K, d_model]`, and the same of `b_U`, `[K]`. */
function unembedDirections(model: HookedTransformer, targets: DiscoveryTask['targets']): Record<string, Tensor> {
  const { d_model: D, d_vocab_out: V } = model.cfg;
  const WU = model.weights['unembed.W_U']!.data;
  const bU = model.weights['unembed.b_U']!.data;
  const K = targets.length;
  const dir = new Float32Array(K * D);
  const bias = new Float32Array(K);
  targets.forEach((t, k) => {
    const wrong = t.wrong ?? t.answer;
    for (let d = 0; d < D; d++) dir[k * D + d] = WU[d * V + t.answer]! - WU[d * V + wrong]!;
    bias[k] = bU[t.answer]! - bU[wrong]!;
  });
  return { unembedDir: { dtype: 'float32', shape: [K, D], data: dir }, unembedBias: { dtype: 'float32', shape: [K], data: bias } };
}
