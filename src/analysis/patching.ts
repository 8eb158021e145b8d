import type { Tensor } from '../engine/index.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import type { TokenIds } from '../model/tokens.js';

/** A metric of logits `[batch, pos, d_vocab]` on the host (e.g. a logit difference at the last position). */
export type LogitMetric = (logits: Tensor<'float32'>) => number;

/** The logit of `good` minus that of `bad` at `position` (default last), averaged over the batch. */
export function logitDiff(good: number, bad: number, position = -1): LogitMetric {
  return (logits) => {
    const [B, T, V] = logits.shape as [number, number, number];
    const p = position < 0 ? T + position : position;
    let s = 0;
    for (let b = 0; b < B; b++) s += logits.data[(b * T + p) * V + good]! - logits.data[(b * T + p) * V + bad]!;
    return s / B;
  };
}

export interface PatchingResult {
  /** The hook names patched, one row each (e.g. `blocks.{l}.hook_resid_pre` for every layer). */
  hooks: string[];
  /** Column labels: positions, or heads. */
  over: 'position' | 'head';
  /** metric(patched) for each hook and column. */
  metric: number[][];
  /** (metric(patched) - metric(corrupt)) / (metric(clean) - metric(corrupt)): 1 = fully restores the clean run. */
  normalized: number[][];
  clean: number;
  corrupt: number;
}

/**
 * Activation patching: run the corrupted prompt, patching one activation (at one position, or one head) from the
 * clean run, and measure the metric. `component` picks the hooks: resid_pre, attn_out, mlp_out (per layer, over
 * positions) or z (per layer, over heads, all positions).
 */
export async function activationPatching(
  model: HookedTransformer, clean: TokenIds, corrupt: TokenIds, metric: LogitMetric,
  component: 'resid_pre' | 'attn_out' | 'mlp_out' | 'z' = 'resid_pre',
): Promise<PatchingResult> {
  const ct = model.toTokens(clean);
  const xt = model.toTokens(corrupt);
  if (ct.shape.join() !== xt.shape.join()) throw new Error(`activationPatching: clean [${ct.shape}] and corrupt [${xt.shape}] prompts must have the same shape`);
  const { n_layers: L, n_heads: H } = model.cfg;
  if (component === 'mlp_out' && model.cfg.attn_only) throw new Error('activationPatching: an attention-only model has no mlp_out');
  const hookOf = (l: number) => component === 'z' ? `blocks.${l}.attn.hook_z` : component === 'resid_pre' ? `blocks.${l}.hook_resid_pre` : `blocks.${l}.hook_${component}`;
  const hooks = Array.from({ length: L }, (_, l) => hookOf(l));
  const { logits: cleanLogits, cache } = await model.runWithCache(ct, { names: hooks });
  const cleanM = metric(cleanLogits);
  const corruptM = metric(await model.run(xt));
  const T = ct.shape[1]!;
  const cols = component === 'z' ? H : T;
  const out: number[][] = [];
  for (const hook of hooks) {
    const row: number[] = [];
    for (let c = 0; c < cols; c++) {
      const where = component === 'z' ? { heads: [c] } : { positions: [c] };
      const r = await model.runWithInterventions(xt, [{ hook, kind: 'patch', source: cache.get(hook), ...where }]);
      row.push(metric(r.logits));
    }
    out.push(row);
  }
  const span = cleanM - corruptM;
  return {
    hooks, over: component === 'z' ? 'head' : 'position', metric: out,
    normalized: out.map((r) => r.map((v) => (span === 0 ? 0 : (v - corruptM) / span))), clean: cleanM, corrupt: corruptM,
  };
}
