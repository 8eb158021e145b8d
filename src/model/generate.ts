import { compile, gather, input, Rng, type Program } from '../engine/index.js';
import { forward, type WeightNodes } from './forward.js';
import type { HookedTransformerConfig } from './config.js';
import type { StateDict } from './weights.js';

export interface GenerateOptions {
  maxNewTokens?: number;
  /** 0 is greedy; otherwise logits are divided by it before sampling. */
  temperature?: number;
  /** Sample among the k most likely tokens only. */
  topK?: number;
  seed?: number;
  /** Stop when this token is produced (it is kept). */
  stopAt?: number;
}

/**
 * Autoregressive sampling. The window has a fixed length (prompt + new tokens, at most n_ctx) and is padded at
 * the end: under the causal mask padding never reaches earlier positions, so one compiled graph serves every step.
 */
export async function generateTokens(
  cfg: HookedTransformerConfig, weights: StateDict, weightNodes: () => WeightNodes, prompt: readonly number[],
  opts: GenerateOptions, programs: Map<string, Program>,
): Promise<number[]> {
  const maxNew = opts.maxNewTokens ?? 20;
  const temperature = opts.temperature ?? 1;
  if (!(temperature >= 0)) throw new Error(`generate: temperature must be >= 0, got ${temperature}`);
  if (opts.topK !== undefined && (!Number.isInteger(opts.topK) || opts.topK < 1)) throw new Error(`generate: topK must be a positive integer, got ${opts.topK}`);
  if (prompt.length === 0) throw new Error('generate: the prompt is empty');
  const rng = new Rng(opts.seed ?? 0);
  const T = Math.min(cfg.n_ctx, prompt.length + maxNew);
  const key = `gen|${T}`;
  let p = programs.get(key);
  if (!p) {
    const toks = input('tokens', [1, T], 'int64');
    const at = input('at', [1], 'int64');
    p = compile({ next: gather(forward(cfg, weightNodes(), toks), at, 1) });
    programs.set(key, p);
  }
  const out = [...prompt];
  const V = cfg.d_vocab_out;
  for (let i = 0; i < maxNew; i++) {
    const window = out.slice(-T);
    const data = new BigInt64Array(T);
    window.forEach((t, j) => (data[j] = BigInt(t)));
    const r = await p.run({ ...weights, tokens: { dtype: 'int64', shape: [1, T], data }, at: { dtype: 'int64', shape: [1], data: BigInt64Array.of(BigInt(window.length - 1)) } });
    const logits = r.next!.data as Float32Array;
    const next = sample(logits.subarray(0, V), temperature, opts.topK, rng);
    out.push(next);
    if (next === opts.stopAt) break;
  }
  return out;
}

function sample(logits: Float32Array, temperature: number, topK: number | undefined, rng: Rng): number {
  const idx = Array.from(logits.keys());
  if (temperature === 0) return idx.reduce((best, i) => (logits[i]! > logits[best]! ? i : best), 0);
  let pool = idx;
  if (topK !== undefined && topK < idx.length) pool = idx.sort((a, b) => logits[b]! - logits[a]!).slice(0, topK);
  const max = Math.max(...pool.map((i) => logits[i]!));
  const weights = pool.map((i) => Math.exp((logits[i]! - max) / temperature));
  const total = weights.reduce((s, v) => s + v, 0);
  let u = rng.uniform() * total;
  for (let j = 0; j < pool.length; j++) {
    u -= weights[j]!;
    if (u <= 0) return pool[j]!;
  }
  return pool[pool.length - 1]!;
}
