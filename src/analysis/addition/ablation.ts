import type { Tensor } from '../../engine/tensor.js';
import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { additionPositions } from '../../data/addition.js';
import { additionInputs } from './accuracy.js';

/** How an ablated contribution is replaced: by its mean over the problems, or by zero. */
export type AblationKind = 'mean' | 'zero';

/**
 * Attention edges to ablate in one layer: from the position predicting each answer digit A_i to the operand pair
 * D_{i - offset}, D'_{i - offset} (skipped where that pair does not exist), in the given heads.
 */
export interface PairEdges {
  layer: number;
  /** offset 0: the digit's own pair (base add); 1: the pair below (make carry); 2: two below. */
  offset: number;
  heads: readonly number[];
}

/** The (dest, src) positions of `edges` on `digits`-digit problems. */
export function pairEdgePositions(digits: number, offset: number): { dest: number; src: number[] }[] {
  const pos = additionPositions(digits);
  const out: { dest: number; src: number[] }[] = [];
  for (let i = 0; i <= digits; i++) {
    const j = i - offset;
    if (j >= 0 && j < digits) out.push({ dest: pos.predictor[i]!, src: [pos.a[j]!, pos.b[j]!] });
  }
  return out;
}

/**
 * hook_z `[batch, pos, head, d_head]` with some edges' contributions `pattern[b, h, dest, src] * v[b, src, h]`
 * replaced by their mean over the batch (or removed, `zero`). `meanOver[e][b]`, when given, says which problems
 * edge e's mean is taken over (a reference set, e.g. the problems where the pair makes no carry). Pure: z, pattern
 * `[batch, head, dest, src]` and v `[batch, pos, head, d_head]` from the same run.
 */
export function ablateEdgesInZ(
  z: Tensor<'float32'>, pattern: Tensor<'float32'>, v: Tensor<'float32'>, edges: readonly { dest: number; src: readonly number[] }[], heads: readonly number[], kind: AblationKind,
  meanOver?: readonly (readonly boolean[])[],
): Tensor<'float32'> {
  const [B, P, H, D] = z.shape as [number, number, number, number];
  const Tk = pattern.shape[3]!;
  const out = new Float32Array(z.data);
  const contrib = new Float32Array(B * D);
  for (const h of heads) {
    if (!Number.isInteger(h) || h < 0 || h >= H) throw new Error(`ablateEdges: head ${h} is not one of the layer's ${H} heads`);
    edges.forEach((e, ei) => {
      const use = meanOver?.[ei];
      const n = use ? use.filter(Boolean).length : B;
      if (kind === 'mean' && n === 0) throw new Error(`ablateEdges: no problem to take edge ${ei}'s mean over`);
      for (const s of e.src) {
        const mean = new Float64Array(D);
        for (let b = 0; b < B; b++) {
          const w = pattern.data[((b * H + h) * pattern.shape[2]! + e.dest) * Tk + s]!;
          for (let d = 0; d < D; d++) {
            const c = w * v.data[((b * P + s) * H + h) * D + d]!;
            contrib[b * D + d] = c;
            if (!use || use[b]) mean[d]! += c / n;
          }
        }
        for (let b = 0; b < B; b++) {
          for (let d = 0; d < D; d++) out[((b * P + e.dest) * H + h) * D + d]! += (kind === 'mean' ? mean[d]! : 0) - contrib[b * D + d]!;
        }
      }
    });
  }
  return { dtype: 'float32', shape: z.shape, data: out };
}

/**
 * Logits of the problems with the attention from each answer digit to the pair `offset` below it ablated. `meanOf`
 * `no-carry` takes each edge's mean over the problems whose ablated pair sums to less than 10 (it makes no carry),
 * so the ablation tells the digit "the pair below makes no carry"; `all` (default) over every problem.
 */
export async function ablatePairEdges(
  model: HookedTransformer, rows: readonly (readonly number[])[], digits: number, edges: PairEdges, kind: AblationKind = 'mean', meanOf: 'all' | 'no-carry' = 'all',
): Promise<Tensor<'float32'>> {
  const at = `blocks.${edges.layer}.attn`;
  let pattern: Tensor<'float32'> | null = null;
  let v: Tensor<'float32'> | null = null;
  const where = pairEdgePositions(digits, edges.offset);
  const meanOver = meanOf === 'all' ? undefined : where.map((e) => rows.map((r) => r[e.src[0]!]! + r[e.src[1]!]! < 10));
  return model.runWithHooks(additionInputs(rows), {
    [`${at}.hook_v`]: (x) => { v = x; },
    [`${at}.hook_pattern`]: (x) => { pattern = x; },
    [`${at}.hook_z`]: (z) => ablateEdgesInZ(z, pattern!, v!, where, edges.heads, kind, meanOver),
  });
}

/** hook_z with whole heads replaced by their mean over the batch at each position (or by zero). Pure. */
export function ablateHeadsInZ(z: Tensor<'float32'>, heads: readonly number[], kind: AblationKind): Tensor<'float32'> {
  const [B, P, H, D] = z.shape as [number, number, number, number];
  const out = new Float32Array(z.data);
  for (const h of heads) {
    if (!Number.isInteger(h) || h < 0 || h >= H) throw new Error(`ablateHeads: head ${h} is not one of the layer's ${H} heads`);
    for (let p = 0; p < P; p++) {
      for (let d = 0; d < D; d++) {
        let mean = 0;
        if (kind === 'mean') for (let b = 0; b < B; b++) mean += z.data[((b * P + p) * H + h) * D + d]! / B;
        for (let b = 0; b < B; b++) out[((b * P + p) * H + h) * D + d] = mean;
      }
    }
  }
  return { dtype: 'float32', shape: z.shape, data: out };
}

/** Logits of the problems with whole heads of one layer ablated. */
export async function ablateHeads(model: HookedTransformer, rows: readonly (readonly number[])[], layer: number, heads: readonly number[], kind: AblationKind = 'mean'): Promise<Tensor<'float32'>> {
  return model.runWithHooks(additionInputs(rows), { [`blocks.${layer}.attn.hook_z`]: (z) => ablateHeadsInZ(z, heads, kind) });
}
