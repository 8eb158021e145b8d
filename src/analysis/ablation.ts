import type { Tensor } from '../engine/tensor.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import type { TokenIds } from '../model/tokens.js';

export type AblationKind = 'zero' | 'mean' | 'resample';

export interface HeadAblation {
  kind: AblationKind;
  /** Loss of the clean run. */
  cleanLoss: number;
  /** Loss with each head ablated, `[layer][head]`. */
  loss: number[][];
  /** loss - cleanLoss: how much each head matters for next-token prediction. */
  effect: number[][];
}

/**
 * Ablates each head in turn at its hook_z (so exactly its term is removed or replaced) and reports the change in
 * mean next-token loss. `zero` sets z to 0; `mean` to its mean over the batch (per position); `resample` to the
 * head's z on `resampleFrom` (other inputs of the same shape; by default the batch rotated by one sequence).
 */
export async function headAblationEffects(model: HookedTransformer, tokens: TokenIds, kind: AblationKind, opts: { resampleFrom?: TokenIds } = {}): Promise<HeadAblation> {
  const t = model.toTokens(tokens);
  const { n_layers: L, n_heads: H } = model.cfg;
  const cleanLoss = Number((await model.loss(t)).data[0]);
  let sources: Record<string, Tensor<'float32'>> = {};
  if (kind === 'resample') {
    const from = opts.resampleFrom ? model.toTokens(opts.resampleFrom) : rotateBatch(t);
    if (from.shape.join() !== t.shape.join()) throw new Error(`headAblationEffects: resampleFrom has shape [${from.shape}], tokens [${t.shape}]`);
    const names = Array.from({ length: L }, (_, l) => `blocks.${l}.attn.hook_z`);
    sources = (await model.runWithCache(from, { names })).cache.tensors;
  }
  const loss: number[][] = [];
  for (let l = 0; l < L; l++) {
    loss.push([]);
    for (let h = 0; h < H; h++) {
      const hook = `blocks.${l}.attn.hook_z`;
      const iv = kind === 'resample' ? { hook, kind: 'patch' as const, source: sources[hook]!, heads: [h] } : { hook, kind, heads: [h] };
      loss[l]!.push((await model.runWithInterventions(t, [iv])).loss);
    }
  }
  return { kind, cleanLoss, loss, effect: loss.map((r) => r.map((v) => v - cleanLoss)) };
}

function rotateBatch(t: Tensor<'int64'>): Tensor<'int64'> {
  const [B, T] = t.shape as [number, number];
  if (B < 2) throw new Error('resample ablation needs a batch of at least two sequences, or resampleFrom');
  const data = new BigInt64Array(t.data.length);
  for (let b = 0; b < B; b++) data.set(t.data.subarray(((b + 1) % B) * T, ((b + 1) % B + 1) * T), b * T);
  return { dtype: 'int64', shape: [B, T], data };
}
