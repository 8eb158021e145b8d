import {
  compile, crossEntropy, grad, input, slice, StagedProgram, type Cut, type Node, type Program, type Tensor,
} from '../engine/index.js';
import { ActivationCache } from './activationCache.js';
import { validateConfig, type ConfigInput, type HookedTransformerConfig } from './config.js';
import { forward, type HookHandler, type WeightNodes } from './forward.js';
import { hookNames } from './hookPoints.js';
import { applyInterventions, interventionSignature, type Intervention } from './interventions.js';
import { toTokenTensor, withBos, type TokenIds, type TokenizerLike } from './tokens.js';
import { checkWeights, initWeights, type StateDict } from './weights.js';
import { generateTokens, type GenerateOptions } from './generate.js';
import { ovFactors, qkFactors, stackLayers } from './weightViews.js';
import { headId } from './heads.js';
import { FactoredMatrix } from '../linalg/factored.js';

/** Which activations to cache: a list of hook names or a predicate over them. */
export type NameFilter = readonly string[] | ((name: string) => boolean);

/**
 * A JavaScript hook: reads the activation at its hook point and may return a replacement of the same shape
 * (returning nothing leaves it as it was).
 */
export type HookFn = (activation: Tensor<'float32'>, ctx: { name: string }) => Tensor<'float32'> | void | Promise<Tensor<'float32'> | void>;

/** A metric of the logits for gradients: built from engine ops, it must return a scalar node. */
export type Metric = (logits: Node, tokens: Node) => Node;

/**
 * TransformerLens's HookedTransformer on circuitscope's engine: TransformerLens's config, weight names and shapes,
 * hook names and activation shapes. Weights are host tensors fed to compiled graphs (never baked in), so the
 * same compiled graph serves any weights of the same config.
 */
export class HookedTransformer {
  readonly cfg: HookedTransformerConfig;
  weights: StateDict;
  tokenizer: TokenizerLike | null;
  private programs = new Map<string, Program | StagedProgram>();
  private genPrograms = new Map<string, Program>();

  constructor(cfg: ConfigInput | HookedTransformerConfig, weights?: StateDict, tokenizer: TokenizerLike | null = null) {
    this.cfg = validateConfig(cfg as ConfigInput);
    this.weights = weights ?? initWeights(this.cfg);
    checkWeights(this.cfg, this.weights);
    this.tokenizer = tokenizer;
  }

  /** Every hook point of this model, in forward order. */
  get hookNames(): string[] {
    return hookNames(this.cfg);
  }

  /** The weights as graph inputs named by their TransformerLens names. */
  weightNodes(): Record<string, Node> {
    const w: Record<string, Node> = {};
    for (const [k, t] of Object.entries(this.weights)) w[k] = input(k, t.shape, 'float32');
    return w;
  }

  private cached<P extends Program | StagedProgram>(key: string, make: () => P): P {
    let p = this.programs.get(key);
    if (!p) {
      p = make();
      this.programs.set(key, p);
      if (this.programs.size > 64) this.programs.delete(this.programs.keys().next().value as string);
    }
    return p as P;
  }

  /** Token ids as an int64 [batch, pos] tensor; strings are tokenised with the model's tokenizer (BOS prepended by default). */
  toTokens(input: TokenIds | string | readonly string[], opts: { prependBos?: boolean } = {}): Tensor<'int64'> {
    if (typeof input === 'string' || (Array.isArray(input) && typeof input[0] === 'string')) {
      const tok = this.tokenizer;
      if (!tok) throw new Error('this model has no tokenizer: pass token ids');
      const texts = typeof input === 'string' ? [input] : (input as readonly string[]);
      const rows = texts.map((t) => withBos(tok, tok.encode(t), { text: true, prepend: opts.prependBos, defaultPrepend: this.cfg.default_prepend_bos }));
      return toTokenTensor(rows, this.cfg.d_vocab, 'prompt');
    }
    return toTokenTensor(input as TokenIds, this.cfg.d_vocab);
  }

  private feeds(tokens: Tensor<'int64'>): Record<string, Tensor> {
    return { ...this.weights, tokens };
  }

  /** Logits `[batch, pos, d_vocab_out]` for a batch of token ids. */
  async run(tokens: TokenIds | string | readonly string[]): Promise<Tensor<'float32'>> {
    const t = this.toTokens(tokens);
    const p = this.cached(`run|${t.shape}`, () => {
      const toks = input('tokens', t.shape, 'int64');
      return compile({ logits: forward(this.cfg, this.weightNodes(), toks) });
    });
    return (await p.run(this.feeds(t))).logits as Tensor<'float32'>;
  }

  /**
   * Next-token cross-entropy: the mean over all positions, or per token (`[batch, pos - 1]`) with
   * `{ perToken: true }`.
   */
  async loss(tokens: TokenIds | string | readonly string[], opts: { perToken?: boolean } = {}): Promise<Tensor<'float32'>> {
    const t = this.toTokens(tokens);
    const per = opts.perToken ?? false;
    const p = this.cached(`loss|${per}|${t.shape}`, () => {
      const toks = input('tokens', t.shape, 'int64');
      return compile({ loss: nextTokenLoss(forward(this.cfg, this.weightNodes(), toks), toks, per ? 'none' : 'mean') });
    });
    return (await p.run(this.feeds(t))).loss as Tensor<'float32'>;
  }

  /** Logits and the chosen activations (all but `hook_result` when `names` is omitted). */
  async runWithCache(tokens: TokenIds | string | readonly string[], opts: { names?: NameFilter } = {}): Promise<{ logits: Tensor<'float32'>; cache: ActivationCache }> {
    const t = this.toTokens(tokens);
    const names = this.selectNames(opts.names);
    const p = this.cached(`cache|${t.shape}|${names.join(',')}`, () => {
      const toks = input('tokens', t.shape, 'int64');
      const captured: Record<string, Node> = {};
      const want = new Set(names);
      const hooks: HookHandler = {
        wants: (n) => want.has(n),
        at: (n, x) => {
          if (want.has(n)) captured[`act:${n}`] = x;
          return x;
        },
      };
      return compile({ logits: forward(this.cfg, this.weightNodes(), toks, hooks), ...captured });
    });
    // On onnxruntime-node, Program.run has every activation written straight into fresh host buffers (no copy).
    const out: Record<string, Tensor> = await p.run(this.feeds(t));
    const acts: Record<string, Tensor<'float32'>> = {};
    for (const n of names) acts[n] = out[`act:${n}`] as Tensor<'float32'>;
    return { logits: out['logits'] as Tensor<'float32'>, cache: new ActivationCache(acts, this) };
  }

  /**
   * Runs with JavaScript hooks: each reads its activation and may return a replacement. The graph is cut at the
   * hooked points (compiled once per set of hook points and shape, then cached).
   */
  async runWithHooks(tokens: TokenIds | string | readonly string[], hooks: Readonly<Record<string, HookFn>>): Promise<Tensor<'float32'>> {
    const t = this.toTokens(tokens);
    const names = Object.keys(hooks);
    this.checkNames(names);
    const p = this.cached(`hooks|${t.shape}|${names.sort().join(',')}`, () => {
      const toks = input('tokens', t.shape, 'int64');
      const cuts: Cut[] = [];
      const handler: HookHandler = {
        wants: (n) => n in hooks,
        at: (n, x) => {
          if (!(n in hooks)) return x;
          const placeholder = input(`hook:${n}`, x.shape, x.dtype);
          cuts.push({ name: n, value: x, placeholder });
          return placeholder;
        },
      };
      const logits = forward(this.cfg, this.weightNodes(), toks, handler);
      return new StagedProgram({ logits }, cuts);
    });
    const out = await p.run(this.feeds(t), async (name, value) => {
      const v = value as Tensor<'float32'>;
      const r = await hooks[name]!(v, { name });
      if (!r) return v;
      if (r.dtype !== 'float32' || r.shape.length !== v.shape.length || r.shape.some((d, i) => d !== v.shape[i])) {
        throw new Error(`hook ${name} returned ${r.dtype} [${r.shape.join(', ')}], expected float32 [${v.shape.join(', ')}]`);
      }
      return r;
    });
    return out.logits as Tensor<'float32'>;
  }

  /**
   * Runs with declarative interventions (ablations, patching) compiled into the graph. Returns the logits, and the
   * loss (mean next-token cross-entropy) of the intervened run.
   */
  async runWithInterventions(tokens: TokenIds | string | readonly string[], interventions: readonly Intervention[]): Promise<{ logits: Tensor<'float32'>; loss: number }> {
    const t = this.toTokens(tokens);
    this.checkNames(interventions.map((i) => i.hook));
    const feeds = this.feeds(t);
    const byHook = groupByHook(interventions);
    const toks = input('tokens', t.shape, 'int64');
    const hooks: HookHandler = {
      wants: (n) => byHook.has(n),
      at: (n, x) => (byHook.has(n) ? applyInterventions(x, byHook.get(n)!, feeds, n) : x),
    };
    // Building the graph also fills the feeds (masks, sources); lowering and compiling happen once per structure.
    const logits = forward(this.cfg, this.weightNodes(), toks, hooks);
    const p = this.cached(`iv|${t.shape}|${interventionSignature(interventions)}`, () => compile({ logits, loss: nextTokenLoss(logits, toks, 'mean') }));
    const out = await p.run(feeds);
    return { logits: out.logits as Tensor<'float32'>, loss: Number(out.loss!.data[0]) };
  }

  /**
   * Gradients of a scalar metric of the logits (default: the mean next-token loss) with respect to the chosen
   * activations, for attribution patching and circuit discovery.
   */
  async gradients(tokens: TokenIds | string | readonly string[], names: NameFilter, metric?: Metric): Promise<{ value: number; grads: ActivationCache; cache: ActivationCache }> {
    const t = this.toTokens(tokens);
    const chosen = this.selectNames(names);
    const toks = input('tokens', t.shape, 'int64');
    const captured: Node[] = [];
    const want = new Set(chosen);
    const hooks: HookHandler = {
      wants: (n) => want.has(n),
      at: (n, x) => {
        if (want.has(n)) captured.push(x);
        return x;
      },
    };
    const logits = forward(this.cfg, this.weightNodes(), toks, hooks);
    const value = metric ? metric(logits, toks) : nextTokenLoss(logits, toks, 'mean');
    const gs = grad(value, captured);
    const outs: Record<string, Node> = { value };
    chosen.forEach((n, i) => {
      outs[`grad:${n}`] = gs[i]!;
      outs[`act:${n}`] = captured[i]!;
    });
    const program = compile(outs);
    const p = this.cached(`grad|${program.graph.key}`, () => program);
    const out = await p.run(this.feeds(t));
    const g: Record<string, Tensor<'float32'>> = {};
    const a: Record<string, Tensor<'float32'>> = {};
    for (const n of chosen) {
      g[n] = out[`grad:${n}`] as Tensor<'float32'>;
      a[n] = out[`act:${n}`] as Tensor<'float32'>;
    }
    return { value: Number(out['value']!.data[0]), grads: new ActivationCache(g), cache: new ActivationCache(a) };
  }

  private selectNames(filter?: NameFilter): string[] {
    const all = this.hookNames;
    // As in TransformerLens (use_attn_result off), the default cache leaves out hook_result: it costs n_heads
    // times attn_out's memory. Name it, or pass a predicate that matches it, to get it.
    if (!filter) return all.filter((n) => !n.endsWith('.hook_result'));
    if (typeof filter === 'function') return all.filter(filter);
    this.checkNames(filter);
    return all.filter((n) => filter.includes(n));
  }

  private checkNames(names: readonly string[]): void {
    const all = new Set(this.hookNames);
    for (const n of names) if (!all.has(n)) throw new Error(`unknown hook point ${n} (see model.hookNames)`);
  }

  /**
   * Samples a continuation of a prompt (a string, tokenised with BOS by default, or token ids). Returns the ids,
   * prompt included, and the text when the model has a tokenizer.
   */
  async generate(prompt: string | readonly number[], opts: GenerateOptions & { prependBos?: boolean } = {}): Promise<{ tokens: number[]; text: string | null }> {
    const ids = typeof prompt === 'string' ? Array.from(this.toTokens(prompt, opts).data, Number) : [...prompt];
    this.toTokens([ids]);
    const tokens = await generateTokens(this.cfg, this.weights, () => this.weightNodes(), ids, opts, this.genPrograms);
    return { tokens, text: this.tokenizer ? this.tokenizer.decode(tokens) : null };
  }

  /** The string of each token (TransformerLens's to_str_tokens): strings get BOS prepended by default, ids are used as given. */
  toStrTokens(input: string | readonly number[], opts: { prependBos?: boolean } = {}): string[] {
    const tok = this.tokenizer;
    if (!tok) throw new Error('this model has no tokenizer');
    const ids = typeof input === 'string' ? Array.from(this.toTokens(input, opts).data, Number) : input;
    return ids.map((id) => tok.decode([id]));
  }

  /** W_Q of every layer, `[n_layers, n_heads, d_model, d_head]`. */
  get W_Q(): Tensor<'float32'> { return stackLayers(this.cfg, this.weights, 'attn.W_Q'); }
  /** W_K of every layer, `[n_layers, n_heads, d_model, d_head]`. */
  get W_K(): Tensor<'float32'> { return stackLayers(this.cfg, this.weights, 'attn.W_K'); }
  /** W_V of every layer, `[n_layers, n_heads, d_model, d_head]`. */
  get W_V(): Tensor<'float32'> { return stackLayers(this.cfg, this.weights, 'attn.W_V'); }
  /** W_O of every layer, `[n_layers, n_heads, d_head, d_model]`. */
  get W_O(): Tensor<'float32'> { return stackLayers(this.cfg, this.weights, 'attn.W_O'); }
  /** `[d_vocab, d_model]` */
  get W_E(): Tensor<'float32'> { return this.weights['embed.W_E']!; }
  /** `[d_model, d_vocab_out]` */
  get W_U(): Tensor<'float32'> { return this.weights['unembed.W_U']!; }
  /** `[n_ctx, d_model]` */
  get W_pos(): Tensor<'float32'> { return this.weights['pos_embed.W_pos']!; }

  /**
   * The QK circuit W_Q W_K^T (`[d_model, d_model]`, rank <= d_head) of one head, or of every head of a layer, as a
   * FactoredMatrix with factors W_Q and W_K^T (TransformerLens's `model.QK[l, h]`).
   */
  QK(layer: number): FactoredMatrix[];
  QK(layer: number, head: number): FactoredMatrix;
  QK(layer: number, head?: number): FactoredMatrix | FactoredMatrix[] {
    const one = (h: number) => { const f = qkFactors(this.cfg, this.weights, layer, h); return new FactoredMatrix(f.A, f.B); };
    return head === undefined ? this.layerHeads(layer).map(one) : one(head);
  }

  /**
   * The OV circuit W_V W_O (`[d_model, d_model]`, rank <= d_head) of one head, or of every head of a layer, as a
   * FactoredMatrix with factors W_V and W_O (TransformerLens's `model.OV[l, h]`).
   */
  OV(layer: number): FactoredMatrix[];
  OV(layer: number, head: number): FactoredMatrix;
  OV(layer: number, head?: number): FactoredMatrix | FactoredMatrix[] {
    const one = (h: number) => { const f = ovFactors(this.cfg, this.weights, layer, h); return new FactoredMatrix(f.A, f.B); };
    return head === undefined ? this.layerHeads(layer).map(one) : one(head);
  }

  private layerHeads(layer: number): number[] {
    headId(this.cfg, layer, 0);
    return Array.from({ length: this.cfg.n_heads }, (_, h) => h);
  }

  /** Drops compiled graphs (e.g. after changing the config's shapes in place, which is not otherwise supported). */
  clearCompiled(): void {
    this.programs.clear();
    this.genPrograms.clear();
  }
}

/** Mean (or per-token) cross-entropy of predicting token i+1 from position i. */
export function nextTokenLoss(logits: Node, tokens: Node, reduction: 'mean' | 'none'): Node {
  const T = tokens.shape[1]!;
  if (T < 2) throw new Error('loss: needs at least two positions');
  return crossEntropy(slice(logits, [0], [T - 1], [1]), slice(tokens, [1], [T], [1]), reduction);
}

function groupByHook(list: readonly Intervention[]): Map<string, Intervention[]> {
  const m = new Map<string, Intervention[]>();
  for (const iv of list) m.set(iv.hook, [...(m.get(iv.hook) ?? []), iv]);
  return m;
}

export type { WeightNodes };
