import type { Tensor } from '../engine/tensor.js';
import {
  accumulatedResid, applyLnToStack, computeHeadResults, decomposeResid, getFullResidDecomposition, logitAttrs,
  stackActivation, stackHeadResults, stackNeuronResults, type CacheModel, type Decomposition, type PosSlice, type TokenSpec,
} from './cache/decompose.js';

export * from './cache/host.js';
export {
  accumulatedBias, actName, applyPos, type CacheModel, type CacheReader, type Decomposition, type PosSlice, type TokenSpec,
} from './cache/decompose.js';

/**
 * Activations by hook name, as TransformerLens's ActivationCache: `cache.get('blocks.1.attn.hook_pattern')` is a
 * `[batch, head, dest, src]` tensor. A cache from `model.runWithCache` knows its model, and offers
 * TransformerLens's residual-stream decompositions (each returns the stack and TransformerLens's labels); the
 * host helpers (`index`, `sliceAxis`, `meanAxis`, `topK`, `toNested`, ...) are exported beside it.
 */
export class ActivationCache {
  readonly tensors: Readonly<Record<string, Tensor<'float32'>>>;
  private readonly store: Record<string, Tensor<'float32'>>;

  constructor(tensors: Readonly<Record<string, Tensor<'float32'>>>, readonly model: CacheModel | null = null) {
    this.store = { ...tensors };
    this.tensors = this.store;
  }

  get names(): string[] {
    return Object.keys(this.store);
  }

  has(name: string): boolean {
    return name in this.store;
  }

  /**
   * The bytes this cache holds: the activations' data, a view shared by two names counted once.
   * GPT-2 small's default cache of 4 x 256 tokens holds about 1.1 GB.
   */
  get bytes(): number {
    const seen = new Map<ArrayBufferLike, Set<string>>();
    let total = 0;
    for (const { data } of Object.values(this.store)) {
      const views = seen.get(data.buffer) ?? new Set<string>();
      seen.set(data.buffer, views);
      const key = `${data.byteOffset}:${data.byteLength}`;
      if (views.has(key)) continue;
      views.add(key);
      total += data.byteLength;
    }
    return total;
  }

  /** Bytes per activation (its own elements, shared buffers not discounted), largest first. */
  bytesByName(): { name: string; bytes: number }[] {
    return Object.entries(this.store).map(([name, t]) => ({ name, bytes: t.data.byteLength })).sort((a, b) => b.bytes - a.bytes);
  }

  /** The activation at `name`; a name that was not cached throws, listing a few that were. */
  get(name: string): Tensor<'float32'> {
    const t = this.store[name];
    if (!t) {
      const some = this.names.slice(0, 6).join(', ');
      throw new Error(`activation ${name} is not in the cache (it holds ${this.names.length}: ${some}${this.names.length > 6 ? ', ...' : ''})`);
    }
    return t;
  }

  private m(what: string): CacheModel {
    if (!this.model) throw new Error(`${what} needs the model: use a cache from model.runWithCache, or new ActivationCache(tensors, model)`);
    return this.model;
  }

  /** `compute_head_results`: adds `blocks.{l}.attn.hook_result` (`z W_O`, no `b_O`) for every layer that lacks it. */
  computeHeadResults(): void {
    Object.assign(this.store, computeHeadResults(this, this.m('computeHeadResults')));
  }

  /** `accumulated_resid` (labels `{l}_pre`, `{l}_mid`, `final_post`). */
  accumulatedResid(opts: Parameters<typeof accumulatedResid>[2] = {}): Decomposition {
    return accumulatedResid(this, this.m('accumulatedResid'), opts);
  }

  /** `decompose_resid` (labels `embed`, `pos_embed`, `{l}_attn_out`, `{l}_mlp_out`). */
  decomposeResid(opts: Parameters<typeof decomposeResid>[2] = {}): Decomposition {
    return decomposeResid(this, this.m('decomposeResid'), opts);
  }

  /** `stack_head_results` (labels `L{l}H{h}`, `remainder`); computes head results from `hook_z` when needed. */
  stackHeadResults(opts: Parameters<typeof stackHeadResults>[2] = {}): Decomposition {
    this.ensureResults();
    return stackHeadResults(this, this.m('stackHeadResults'), opts);
  }

  /** `stack_neuron_results` (labels `L{l}N{n}`, `remainder`). */
  stackNeuronResults(opts: Parameters<typeof stackNeuronResults>[2] = {}): Decomposition {
    return stackNeuronResults(this, this.m('stackNeuronResults'), opts);
  }

  /** `get_full_resid_decomposition`: heads, neurons (or MLPs), `embed`, `pos_embed`, `bias`. */
  getFullResidDecomposition(opts: Parameters<typeof getFullResidDecomposition>[2] = {}): Decomposition {
    this.ensureResults();
    return getFullResidDecomposition(this, this.m('getFullResidDecomposition'), opts);
  }

  /** `apply_ln_to_stack`: the cached scale (default) or, for the final stream, `ln_final` recomputed per component. */
  applyLnToStack(stack: Tensor<'float32'>, opts: { layer?: number; mlpInput?: boolean; pos?: PosSlice; recomputeLn?: boolean } = {}): Tensor<'float32'> {
    return applyLnToStack(this, this.m('applyLnToStack'), stack, opts);
  }

  /** `logit_attrs`: `[components, batch, pos]` contributions to the logit of `tokens` (minus `incorrect`'s). */
  logitAttrs(stack: Tensor<'float32'>, tokens: TokenSpec, opts: { incorrect?: TokenSpec; pos?: PosSlice } = {}): Tensor<'float32'> {
    return logitAttrs(this, this.m('logitAttrs'), stack, tokens, opts);
  }

  /** `stack_activation`: `name` (a hook name's tail like `attn.hook_pattern`, or a short name like `pattern`) of every layer before `layer`. */
  stackActivation(name: string, opts: { layer?: number; sublayer?: string } = {}): Tensor<'float32'> {
    return stackActivation(this, this.m('stackActivation'), name, opts);
  }

  private ensureResults(): void {
    const L = this.model?.cfg.n_layers ?? 0;
    for (let l = 0; l < L; l++) {
      if (!this.has(`blocks.${l}.attn.hook_result`)) {
        this.computeHeadResults();
        return;
      }
    }
  }
}
