import type { Intervention } from '../../model/interventions.js';
import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { headId } from '../../model/heads.js';
import { directLogitAttribution } from '../attribution.js';
import { logitLens } from '../logitLens.js';
import { Rng } from '../../engine/random.js';
import { logSumExp } from '../../model/cache/host.js';
import { promptIds, tokenString, topIndices } from './prompt.js';

/** The Attribution view: the logit lens over the prompt and direct logit attribution for an answer token. */
export interface AttributionView {
  tokens: string[];
  /** `blocks.{l}.hook_resid_pre` ..., then the final resid_post. */
  layers: string[];
  /** The logit lens's top next token read off each layer at each position, `[layer][pos]`. */
  lensTop: string[][];
  /** Log-probability of the actual next token read off each layer, `[layer][pos]` (pos < T - 1). */
  lensLogProb: number[][];
  /** The answer token attributed at the last position (default: the model's top prediction). */
  answer: string;
  answerId: number;
  /** Direct logit attribution of each component (embeddings, heads, biases, MLPs) to the answer's logit. */
  components: { component: string; attribution: number }[];
  /** DLA per head `[layer][head]`. */
  heads: number[][];
}

export async function attributionView(model: HookedTransformer, text: string, answer?: string): Promise<AttributionView> {
  const ids = promptIds(model, text);
  const T = ids.length;
  const lens = await logitLens(model, [ids]);
  let answerId: number;
  if (answer !== undefined && answer !== '') {
    const a = model.tokenizer ? model.tokenizer.encode(answer) : [Number(answer)];
    if (a.length !== 1 || !Number.isInteger(a[0]) || a[0]! < 0 || a[0]! >= model.cfg.d_vocab_out) {
      throw new Error(`answer: "${answer}" is not a single token of this model's vocabulary`);
    }
    answerId = a[0]!;
  } else {
    const logits = await model.run([ids]);
    const V = model.cfg.d_vocab_out;
    answerId = topIndices(logits.data.subarray((T - 1) * V, T * V), 1)[0]!;
  }
  const dla = await directLogitAttribution(model, [ids], { position: T - 1, token: answerId });
  return {
    tokens: ids.map((i) => tokenString(model, i)), layers: lens.layers,
    lensTop: lens.top.map((byBatch) => byBatch[0]!.map((i) => tokenString(model, i))),
    lensLogProb: lens.correctLogProb,
    answer: tokenString(model, answerId), answerId,
    components: dla.components.map((c) => ({ component: c.component, attribution: c.attribution })),
    heads: dla.heads,
  };
}

export type AblationKind = 'zero' | 'mean' | 'resample';

/** One head ablated on the prompt: the loss and the per-position predictions before and after. */
export interface AblationView {
  head: string;
  kind: AblationKind;
  cleanLoss: number;
  ablatedLoss: number;
  /** Per position (pos < T - 1): the next token's log-probability, clean and ablated. */
  cleanLogProb: number[];
  ablatedLogProb: number[];
  /** The top prediction at each position after ablation. */
  ablatedTop: string[];
}

/**
 * Ablates one head at its hook_z on the prompt: `zero`; `mean`, its z averaged over the prompt's positions; or
 * `resample`, its z on the prompt's tokens shuffled (seeded).
 */
export async function ablationView(model: HookedTransformer, text: string, layer: number, head: number, kind: AblationKind): Promise<AblationView> {
  const id = headId(model.cfg, layer, head);
  const ids = promptIds(model, text);
  const T = ids.length;
  const hook = `blocks.${layer}.attn.hook_z`;
  let iv: Intervention;
  if (kind === 'zero') iv = { hook, kind: 'zero', heads: [head] };
  else if (kind === 'mean') {
    const z = (await model.runWithCache([ids], { names: [hook] })).cache.get(hook);
    const per = z.data.length / T;
    const mean = new Float32Array(per);
    for (let p = 0; p < T; p++) for (let i = 0; i < per; i++) mean[i]! += z.data[p * per + i]! / T;
    const means = new Float32Array(z.data.length);
    for (let p = 0; p < T; p++) means.set(mean, p * per);
    iv = { hook, kind: 'mean', heads: [head], means: { dtype: 'float32', shape: z.shape.slice(1), data: means } };
  } else {
    const rng = new Rng(1234);
    const shuffled = [...ids];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const source = (await model.runWithCache([shuffled], { names: [hook] })).cache.get(hook);
    iv = { hook, kind: 'patch', heads: [head], source };
  }
  const clean = await model.run([ids]);
  const ablated = await model.runWithInterventions([ids], [iv]);
  const lp = (logits: Float32Array) => logProbs(logits, ids, model.cfg.d_vocab_out);
  const cleanLogProb = lp(clean.data);
  const ablatedLogProb = lp(ablated.logits.data);
  const V = model.cfg.d_vocab_out;
  const mean = (a: number[]) => -a.reduce((s, x) => s + x, 0) / a.length;
  return {
    head: id.label, kind, cleanLoss: mean(cleanLogProb), ablatedLoss: mean(ablatedLogProb), cleanLogProb, ablatedLogProb,
    ablatedTop: Array.from({ length: T }, (_, p) => tokenString(model, topIndices(ablated.logits.data.subarray(p * V, (p + 1) * V), 1)[0]!)),
  };
}

/** log p(next token) at each position of one sequence's logits `[T, V]`. */
function logProbs(logits: Float32Array, ids: readonly number[], V: number): number[] {
  const out: number[] = [];
  for (let p = 0; p + 1 < ids.length; p++) {
    const row = logits.subarray(p * V, (p + 1) * V);
    out.push(row[ids[p + 1]!]! - logSumExp(row));
  }
  return out;
}
