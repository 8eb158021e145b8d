import { add, compile, concat, crossEntropy, input, matmul, reshape, slice, unsqueeze, type Node, type Tensor } from '../engine/index.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import { layerNorm, NO_HOOKS, unembed } from '../model/components/index.js';
import { posInResid } from '../model/config.js';
import { headAt, headId } from '../model/heads.js';
import type { TokenIds } from '../model/tokens.js';

export interface Term {
  /** `direct`, `L0H3`, `L1H2`, or a virtual head `L1H2<-L0H3` (layer-1 head 2 reading layer-0 head 3's output). */
  name: string;
  kind: 'direct' | 'head' | 'virtual';
  /** Mean next-token loss with this term removed, minus the full model's loss. */
  lossIncrease: number;
}

export interface TermImportance {
  /** Loss of the model (path expansion with frozen attention and LayerNorm scales reproduces it exactly). */
  loss: number;
  /** Loss recomputed from the sum of all terms: equals `loss` up to float error (a check of the expansion). */
  expansionLoss: number;
  terms: Term[];
  /**
   * The rise in loss when every term of one kind is removed at once: the direct path, all single heads, all
   * virtual heads (two layers). The framework compares terms by their order this way (paths through zero, one or
   * two heads); one term's removal (`terms`) can understate a kind whose terms stand in for each other.
   */
  byKind: Partial<Record<Term['kind'], number>>;
  /**
   * The loss with the terms up to each order, as the paper measures term importance (the marginal loss reduction of
   * each order): the direct path alone, then with every single head added, then (two layers) with every virtual
   * head added (`virtual` equals `expansionLoss`). `direct - head` is what the single heads add, `head - virtual`
   * what the virtual heads add on top of them.
   */
  byOrder: { direct: number; head: number; virtual?: number };
}

/**
 * Path-expansion term importance for one- and two-layer attention-only models ("A Mathematical Framework",
 * section on term importance). With attention patterns A and LayerNorm scales frozen at their values on `tokens`,
 * the final residual is exactly a sum of terms: the direct path x0 = embed + pos (embed alone in a shortformer or
 * rotary model; with the b_O biases), each head acting on the direct path, and (two layers) each virtual head
 * A^b A^a (W_OV^a W_OV^b) acting through head a then b. Each term's importance is the rise in loss when it alone is removed.
 */
export async function termImportance(model: HookedTransformer, tokens: TokenIds): Promise<TermImportance> {
  const cfg = model.cfg;
  if (!cfg.attn_only || cfg.n_layers < 1 || cfg.n_layers > 2) {
    throw new Error(`termImportance: needs a one- or two-layer attention-only model (this one has ${cfg.n_layers} layers${cfg.attn_only ? '' : ' and MLPs'})`);
  }
  const t = model.toTokens(tokens);
  const [B, T] = t.shape as [number, number];
  const { n_heads: H, d_model: D, d_head: E, n_layers: L } = cfg;
  const ln = cfg.normalization_type;
  // Shortformer and rotary models keep position out of the residual stream (it reaches only the frozen patterns).
  const withPos = posInResid(cfg);
  const names = ['hook_embed', ...(withPos ? ['hook_pos_embed'] : []), 'blocks.0.attn.hook_pattern'];
  if (L === 2) names.push('blocks.1.attn.hook_pattern');
  if (ln) {
    for (let l = 0; l < L; l++) names.push(`blocks.${l}.ln1.hook_scale`);
    names.push('ln_final.hook_scale');
  }
  const { cache } = await model.runWithCache(t, { names });

  const W = model.weightNodes();
  const w = (k: string) => W[k]!;
  const acts = (k: string) => input(`act:${k}`, cache.get(k).shape, 'float32');
  const feeds: Record<string, Tensor> = { ...model.weights };
  for (const k of names) feeds[`act:${k}`] = cache.get(k);

  // The linear part of layer l's heads on x [..., T, D] (leading axes broadcast), frozen A and scale: [..., H, T, D].
  const heads = (l: number, x: Node): Node => {
    // ln1 with its scale frozen and without its bias (which enters through `constants`): linear in x.
    const xs = ln ? layerNorm(cfg, W, `blocks.${l}.ln1`, x, NO_HOOKS, { scale: scaleFor(acts(`blocks.${l}.ln1.hook_scale`), x.shape.length), bias: false }) : x;
    const v = matmul(unsqueeze(xs, -3), w(`blocks.${l}.attn.W_V`)); // [..., H, T, E]
    const A = patternFor(acts(`blocks.${l}.attn.hook_pattern`), x.shape.length);
    return matmul(matmul(A, v), w(`blocks.${l}.attn.W_O`)); // [..., H, T, D]
  };
  // The constant part of layer l's heads: (ln.b W_V + b_V) W_O per head (attention rows sum to 1): [H, 1, D].
  const constants = (l: number): Node => {
    let bv = w(`blocks.${l}.attn.b_V`); // [H, E]
    if (ln === 'LN') bv = add(bv, reshape(matmul(reshape(w(`blocks.${l}.ln1.b`), [1, 1, D]), w(`blocks.${l}.attn.W_V`)), [H, E]));
    return matmul(reshape(bv, [H, 1, E]), w(`blocks.${l}.attn.W_O`));
  };
  const x0 = withPos ? add(acts('hook_embed'), acts('hook_pos_embed')) : acts('hook_embed'); // [B, T, D]
  const bO = (l: number) => w(`blocks.${l}.attn.b_O`);
  const head0 = add(heads(0, x0), constants(0)); // [B, H, T, D]
  const outs: Record<string, Node> = {};
  let direct = add(x0, bO(0));
  if (L === 1) {
    outs['direct'] = direct;
    outs['heads'] = head0;
  } else {
    // layer-1 heads on the direct path (which includes layer 0's b_O), and on each layer-0 head's output
    const head1 = add(heads(1, add(x0, bO(0))), constants(1)); // [B, H, T, D]
    const virtual = heads(1, head0); // [B, H0, H1, T, D]
    direct = add(direct, bO(1));
    outs['direct'] = direct;
    outs['heads'] = concat([head0, head1], 1);
    outs['virtual'] = virtual;
  }
  const termsOut = await compile(outs).run(feeds);

  // Loss of a residual [B, T, D] through the frozen final LayerNorm and the unembedding.
  const resid = input('resid', [B, T, D]);
  const r = ln ? layerNorm(cfg, W, 'ln_final', resid, NO_HOOKS, { scale: acts('ln_final.hook_scale') }) : resid;
  const logits = unembed(cfg, W, r);
  const lossOf = compile({ loss: crossEntropy(slice(logits, [0], [T - 1], [1]), slice(input('tokens', [B, T], 'int64'), [1], [T], [1])) });
  const run = async (x: Float32Array) => Number((await lossOf.run({ ...feeds, tokens: t, resid: { dtype: 'float32', shape: [B, T, D], data: x } })).loss!.data[0]);

  const pieces: { name: string; kind: Term['kind']; data: Float32Array }[] = [];
  pieces.push({ name: 'direct', kind: 'direct', data: termsOut['direct']!.data as Float32Array });
  const hs = termsOut['heads']!.data as Float32Array; // [B, L*H, T, D] laid out per batch
  const per = T * D;
  const headCount = L * H;
  for (let k = 0; k < headCount; k++) {
    const data = new Float32Array(B * per);
    for (let b = 0; b < B; b++) data.set(hs.subarray((b * headCount + k) * per, (b * headCount + k + 1) * per), b * per);
    pieces.push({ name: headAt(cfg, k).label, kind: 'head', data });
  }
  if (L === 2) {
    const vs = termsOut['virtual']!.data as Float32Array; // [B, H0, H1, T, D]
    for (let a = 0; a < H; a++) for (let c = 0; c < H; c++) {
      const data = new Float32Array(B * per);
      for (let b = 0; b < B; b++) data.set(vs.subarray(((b * H + a) * H + c) * per, ((b * H + a) * H + c + 1) * per), b * per);
      pieces.push({ name: `${headId(cfg, 1, c).label}<-${headId(cfg, 0, a).label}`, kind: 'virtual', data });
    }
  }
  const total = new Float32Array(B * per);
  for (const p of pieces) for (let i = 0; i < total.length; i++) total[i]! += p.data[i]!;
  const expansionLoss = await run(total);
  const loss = Number((await model.loss(t)).data[0]);
  const terms: Term[] = [];
  const without = new Float32Array(total.length);
  for (const p of pieces) {
    for (let i = 0; i < total.length; i++) without[i] = total[i]! - p.data[i]!;
    terms.push({ name: p.name, kind: p.kind, lossIncrease: (await run(without)) - expansionLoss });
  }
  const byKind: TermImportance['byKind'] = {};
  for (const kind of ['direct', 'head', 'virtual'] as const) {
    const group = pieces.filter((p) => p.kind === kind);
    if (group.length === 0) continue;
    without.set(total);
    for (const p of group) for (let i = 0; i < total.length; i++) without[i]! -= p.data[i]!;
    byKind[kind] = (await run(without)) - expansionLoss;
  }
  // By order, from what byKind already ran: with the single heads is everything but the virtual heads (one layer:
  // everything); the direct path alone is everything but the heads in one layer, its own run in two.
  const byOrder: TermImportance['byOrder'] = L === 1
    ? { direct: expansionLoss + byKind.head!, head: expansionLoss }
    : { direct: await run(pieces[0]!.data), head: expansionLoss + byKind.virtual!, virtual: expansionLoss };
  return { loss, expansionLoss, terms, byKind, byOrder };
}

/** A frozen LayerNorm scale [B, T, 1] aligned with an input of the given rank (leading head axes broadcast). */
function scaleFor(s: Node, rank: number): Node {
  return rank === 3 ? s : reshape(s, [s.shape[0]!, ...new Array<number>(rank - 3).fill(1), s.shape[1]!, 1]);
}

/** Patterns [B, H, T, T] aligned for inputs of rank 3 ([B, T, D]) or 4 ([B, H0, T, D] -> [B, H0, H1, T, T]). */
function patternFor(A: Node, rank: number): Node {
  return rank === 3 ? A : unsqueeze(A, 1);
}
