import { InputError } from '../../engine/errors.js';
import { Rng } from '../../engine/random.js';
import type { HookedTransformerConfig } from '../../model/config.js';
import type { MetricName, Target } from './metric.js';

/** Clean and corrupted prompts of one shape, the predictions to score, and the metric. */
export interface DiscoveryTask {
  name: string;
  clean: number[][];
  corrupt: number[][];
  targets: Target[];
  metric: MetricName;
}

/**
 * How the induction task corrupts `[BOS] + A + A`: `resample` draws `B + B`, `second-half` gives `A + B`, and
 * `first-half` gives `B + A` (the copy the induction head reads from is gone; queries are unchanged).
 */
export type InductionCorruption = 'resample' | 'second-half' | 'first-half';
export const INDUCTION_CORRUPTIONS: readonly InductionCorruption[] = ['resample', 'second-half', 'first-half'];

const METRICS: readonly MetricName[] = ['logit_diff', 'logprob', 'prob', 'kl'];

/**
 * Induction: repeated random tokens ([BOS] + A + A), scored on every position of the second copy (the answer is
 * the clean next token, the wrong answer the corrupted prompt's). `corrupt: 'resample'` (default) draws another
 * repeated sequence (B + B), as ACDC's induction task does; `'second-half'` keeps A and re-draws the second half
 * (A + B). With the second half re-drawn, the keys and values the induction head reads (in the first copy) are
 * the same in both runs, so no patching method can see the previous-token -> induction K edge: only the query
 * changes.
 */
export function inductionTask(cfg: Pick<HookedTransformerConfig, 'd_vocab' | 'n_ctx' | 'bos_token_id'>, opts: { batch?: number; length?: number; seed?: number; corrupt?: InductionCorruption; metric?: MetricName } = {}): DiscoveryTask {
  const bos = cfg.bos_token_id;
  const off = bos === null ? 0 : 1;
  const N = Math.min(opts.length ?? 20, Math.floor((cfg.n_ctx - off) / 2));
  const vocab = Array.from({ length: cfg.d_vocab }, (_, i) => i).filter((t) => t !== bos);
  if (N < 2 || vocab.length < 2) throw new InputError(`induction task: the model (n_ctx ${cfg.n_ctx}, d_vocab ${cfg.d_vocab}) is too small`);
  const rng = new Rng(opts.seed ?? 0);
  const draw = (): number[] => {
    // Distinct tokens when the vocabulary allows, so each token's earlier occurrence is unique.
    const pool = [...vocab];
    return Array.from({ length: N }, () => (pool.length > 0 && vocab.length >= N ? pool.splice(rng.int(pool.length), 1)[0]! : vocab[rng.int(vocab.length)]!));
  };
  const pre = bos === null ? [] : [bos];
  const clean: number[][] = [];
  const corrupt: number[][] = [];
  const targets: Target[] = [];
  const B = opts.batch ?? 8;
  for (let b = 0; b < B; b++) {
    const a = draw();
    let other = draw();
    for (let tries = 0; tries < 10 && other.some((t, i) => t === a[i]); tries++) other = draw();
    clean.push([...pre, ...a, ...a]);
    const mode = opts.corrupt ?? 'resample';
    corrupt.push(mode === 'second-half' ? [...pre, ...a, ...other] : mode === 'first-half' ? [...pre, ...other, ...a] : [...pre, ...other, ...other]);
    // With the first copy re-drawn the corrupted run predicts the same tokens with no copy to read them from:
    // there is no wrong answer to compare, so the default metric is the answer's log-probability.
    for (let p = off + N; p < off + 2 * N - 1; p++) {
      targets.push({ batch: b, pos: p, answer: clean[b]![p + 1]!, ...(mode === 'first-half' ? {} : { wrong: corrupt[b]![p + 1]! }) });
    }
  }
  const metric = opts.metric ?? (opts.corrupt === 'first-half' ? 'logprob' : 'logit_diff');
  if (metric === 'logit_diff' && opts.corrupt === 'first-half') throw new InputError('induction task: the first-half corruption has no wrong answer; use the logprob, prob or kl metric');
  return { name: 'induction', clean, corrupt, targets, metric };
}

/**
 * A task from a JSON file's parsed contents:
 * `{ "metric": "logit_diff", "prompts": [{ "clean": [ids], "corrupt": [ids], "answer": id, "wrong": id, "position": -1 }] }`
 * (`clean`/`corrupt` may be strings and `answer`/`wrong` single-token strings when `tokenize` is given; `position`
 * defaults to the last). Every mistake is one line naming the file and the field.
 */
export function parseTask(json: unknown, file: string, cfg: Pick<HookedTransformerConfig, 'd_vocab' | 'n_ctx'>, tokenize?: (text: string) => number[]): DiscoveryTask {
  const fail = (field: string, what: string): never => { throw new InputError(`${file}: ${field} ${what}`); };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('the task', 'must be a JSON object with "prompts" and "metric"');
  const o = json as Record<string, unknown>;
  const metric = (o['metric'] ?? 'logit_diff') as MetricName;
  if (!METRICS.includes(metric)) fail('metric', `must be one of ${METRICS.join(', ')} (got ${JSON.stringify(o['metric'])})`);
  const prompts = o['prompts'];
  if (!Array.isArray(prompts) || prompts.length === 0) fail('prompts', 'must be a non-empty array');
  const ids = (v: unknown, field: string): number[] => {
    if (typeof v === 'string') {
      if (!tokenize) fail(field, 'is text, but the model has no tokenizer: give token ids');
      const t = tokenize!(v);
      if (t.length === 0) fail(field, 'is empty text: give at least one token');
      return t;
    }
    if (!Array.isArray(v) || v.length === 0) fail(field, 'must be a non-empty array of token ids or a string');
    (v as unknown[]).forEach((t, i) => { if (!Number.isInteger(t) || (t as number) < 0 || (t as number) >= cfg.d_vocab) fail(`${field}[${i}]`, `must be a token id in 0..${cfg.d_vocab - 1}`); });
    return v as number[];
  };
  const one = (v: unknown, field: string): number => {
    if (typeof v === 'string' && tokenize) {
      const t = tokenize(v);
      if (t.length !== 1) fail(field, `must be a single token (${JSON.stringify(v)} is ${t.length})`);
      return t[0]!;
    }
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= cfg.d_vocab) fail(field, `must be a token id in 0..${cfg.d_vocab - 1}`);
    return v as number;
  };
  const clean: number[][] = [];
  const corrupt: number[][] = [];
  const targets: Target[] = [];
  (prompts as unknown[]).forEach((p, b) => {
    const f = `prompts[${b}]`;
    if (typeof p !== 'object' || p === null) fail(f, 'must be an object with clean, corrupt, answer');
    const r = p as Record<string, unknown>;
    const c = ids(r['clean'], `${f}.clean`);
    const x = ids(r['corrupt'], `${f}.corrupt`);
    if (c.length !== x.length) fail(`${f}.corrupt`, `has ${x.length} tokens, clean has ${c.length}: they must match`);
    if (b > 0 && c.length !== clean[0]!.length) fail(`${f}.clean`, `has ${c.length} tokens, prompts[0] has ${clean[0]!.length}: all prompts must have one length`);
    if (c.length > cfg.n_ctx) fail(`${f}.clean`, `has ${c.length} tokens, more than the model's n_ctx ${cfg.n_ctx}`);
    const pos = r['position'] === undefined ? -1 : r['position'];
    if (!Number.isInteger(pos) || (pos as number) >= c.length || (pos as number) < -c.length) fail(`${f}.position`, `must be an integer in -${c.length}..${c.length - 1}`);
    const answer = one(r['answer'], `${f}.answer`);
    const wrong = r['wrong'] === undefined ? undefined : one(r['wrong'], `${f}.wrong`);
    if (metric === 'logit_diff' && wrong === undefined) fail(`${f}.wrong`, 'is required by the logit_diff metric');
    clean.push(c);
    corrupt.push(x);
    targets.push({ batch: b, pos: (pos as number) < 0 ? c.length + (pos as number) : (pos as number), answer, ...(wrong === undefined ? {} : { wrong }) });
  });
  return { name: file, clean, corrupt, targets, metric };
}
