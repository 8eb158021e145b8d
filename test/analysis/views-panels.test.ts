// The view data of the Patching, Neurons, Zero-layer and Framework views, against independent computations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { ByteTokenizer } from '../../src/tokenize/index.js';
import { ANALYSIS_SCHEMA, type AnalysisReport } from '../../src/analysis/analyzeModel.js';
import { checkClaims } from '../../src/analysis/claims.js';
import { compareBigrams } from '../../src/analysis/bigram.js';
import {
  bigramsView, claimSection, corpusWindows, defaultPatchingPrompts, frameworkSection, neuronsView, patchingView, singleToken, tokenString,
} from '../../src/analysis/views/index.js';

installNodeRuntime();

const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const logSoftmax = (row: ArrayLike<number>) => {
  const xs = Array.from(row);
  const m = Math.max(...xs);
  const lse = m + Math.log(xs.reduce((s, v) => s + Math.exp(v - m), 0));
  return xs.map((v) => v - lse);
};
function corr(x: number[], y: number[]): number {
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let a = 0; let b = 0; let c = 0;
  x.forEach((v, i) => { a += (v - mx) * (y[i]! - my); b += (v - mx) ** 2; c += (y[i]! - my) ** 2; });
  return a / Math.sqrt(b * c);
}

test('patchingView: resid_pre at layer 0 restores the clean run exactly where the prompts differ, nothing elsewhere', async () => {
  const m = new HookedTransformer({ n_layers: 2, d_model: 16, n_heads: 2, d_head: 8, d_vocab: 20, n_ctx: 16, attn_only: true, normalization_type: 'LN', seed: 11 });
  const v = await patchingView(m);
  const d = defaultPatchingPrompts(m);
  assert.equal(v.clean, d.clean);
  assert.deepEqual(v.differ, [6]);
  // The default answer is the clean run's top prediction at the last position.
  const ids = d.clean.split(' ').map(Number);
  const logits = await m.run([ids]);
  const last = Array.from(logits.data.subarray((ids.length - 1) * 20, ids.length * 20));
  assert.equal(v.answer, `#${last.indexOf(Math.max(...last))}`);
  assert.ok(close(v.cleanValue, last[Number(v.answer.slice(1))]! - last[Number(v.wrong.slice(1))]!));
  v.byPosition[0]!.forEach((x, p) => assert.ok(close(x, p === 6 ? 1 : 0, 1e-3), `layer 0 position ${p}: ${x}`));
  // One head's z patched by hand.
  const kIds = d.corrupt.split(' ').map(Number);
  const { cache } = await m.runWithCache([ids], { names: ['blocks.1.attn.hook_z'] });
  const r = await m.runWithInterventions([kIds], [{ hook: 'blocks.1.attn.hook_z', kind: 'patch', source: cache.get('blocks.1.attn.hook_z'), heads: [0] }]);
  const T = ids.length;
  const patched = r.logits.data[(T - 1) * 20 + Number(v.answer.slice(1))]! - r.logits.data[(T - 1) * 20 + Number(v.wrong.slice(1))]!;
  assert.ok(close(v.byHead[1]![0]!, (patched - v.corruptValue) / (v.cleanValue - v.corruptValue), 1e-3));
  await assert.rejects(patchingView(m, { clean: '1 2 3', corrupt: '1 2' }), /clean prompt has 3 tokens and the corrupted one 2/);
  await assert.rejects(patchingView(m, { answer: '99' }), /answer: "99" is not a single token/);
});

test('defaultPatchingPrompts: sentences differing in one name, of equal length within n_ctx', () => {
  const tok = new ByteTokenizer();
  const m = new HookedTransformer({ n_layers: 1, d_model: 8, n_heads: 1, d_head: 8, d_vocab: tok.vocabSize, n_ctx: 48, attn_only: true, bos_token_id: tok.bosTokenId, seed: 1 }, undefined, tok);
  const d = defaultPatchingPrompts(m);
  const a = m.toTokens(d.clean).data;
  const b = m.toTokens(d.corrupt).data;
  assert.equal(a.length, b.length);
  assert.ok(a.length <= 48);
  assert.ok(d.clean.includes('John') && d.corrupt.includes('Mary'));
  // Every token's label reads back as that token, including bytes that decode to U+FFFD alone.
  for (const id of [66, 200, 240]) assert.equal(singleToken(m, tokenString(m, id), 'answer'), id);
  assert.equal(tokenString(m, 200), '\uFFFD#200');
});

test('neuronsView: hook_post equals relu(LN(resid_mid) W_in + b_in); top tokens and samples are the largest', async () => {
  const m = new HookedTransformer({ n_layers: 2, d_model: 8, n_heads: 2, d_head: 4, d_mlp: 6, act_fn: 'relu', d_vocab: 15, n_ctx: 12, normalization_type: 'LN', seed: 4 });
  const text = '3 1 4 1 5 9 2 6 5 3';
  const ids = text.split(' ').map(Number);
  const rows = [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 1], [2, 2, 4, 4, 6, 6, 8, 8]];
  const v = await neuronsView(m, text, 1, 3, { rows, name: 'three rows' }, { k: 10, context: 2 });
  const mid = (await m.runWithCache([ids], { names: ['blocks.1.hook_resid_mid'] })).cache.get('blocks.1.hook_resid_mid').data;
  const D = 8;
  const w = m.weights['blocks.1.ln2.w']!.data; const b = m.weights['blocks.1.ln2.b']!.data;
  const Win = m.weights['blocks.1.mlp.W_in']!.data; const bin = m.weights['blocks.1.mlp.b_in']!.data;
  const act = (x: ArrayLike<number>) => {
    const mean = Array.from(x).reduce((s, y) => s + y, 0) / D;
    const c = Array.from(x, (y) => y - mean);
    const scale = Math.sqrt(c.reduce((s, y) => s + y * y, 0) / D + m.cfg.eps);
    let s = bin[3]!;
    for (let d = 0; d < D; d++) s += ((c[d]! / scale) * w[d]! + b[d]!) * Win[d * 6 + 3]!;
    return Math.max(0, s);
  };
  ids.forEach((_, t) => assert.ok(close(v.activations[t]!, act(mid.subarray(t * D, (t + 1) * D))), `position ${t}`));
  // Over the rows: every occurrence by hand (no BOS in this model).
  const all: { tok: number; v: number }[] = [];
  for (const r of rows) {
    const c = (await m.runWithCache([r], { names: ['blocks.1.hook_resid_mid'] })).cache.get('blocks.1.hook_resid_mid').data;
    r.forEach((tok, t) => all.push({ tok, v: act(c.subarray(t * D, (t + 1) * D)) }));
  }
  const best = Math.max(...all.map((o) => o.v));
  assert.ok(close(v.samples[0]!.max, best));
  assert.ok(close(v.topTokens[0]!.max, best));
  assert.equal(v.corpusTokens, 24);
  assert.equal(v.samples[0]!.values[v.samples[0]!.at], v.samples[0]!.max);
  assert.equal(v.topTokens.length + v.bottomTokens.length, 15, 'top 10 and the 5 other token types of the rows');
  assert.ok(v.bottomTokens.every((b) => !v.topTokens.some((t) => t.token === b.token)));
  const tok2 = all.filter((o) => o.tok === 2);
  const row2 = v.topTokens.find((t) => t.token === '#2') ?? v.bottomTokens.find((t) => t.token === '#2');
  if (row2) { assert.equal(row2.count, tok2.length); assert.ok(close(row2.mean, tok2.reduce((s, o) => s + o.v, 0) / tok2.length)); }
  await assert.rejects(neuronsView(m, text, 1, 6, null), /neuron 6 is not in 0..5/);
  const attn = new HookedTransformer({ n_layers: 1, d_model: 8, n_heads: 2, d_head: 4, d_vocab: 15, n_ctx: 12, attn_only: true, seed: 4 });
  await assert.rejects(neuronsView(attn, text, 0, 0, null), /attention-only; it has no MLP neurons/);
});

test('corpusWindows: BOS first, spread over the stream or consecutive', () => {
  const s = Array.from({ length: 100 }, (_, i) => i);
  assert.deepEqual(corpusWindows(s, 4, 3, 99), [[99, 0, 1, 2], [99, 33, 34, 35], [99, 66, 67, 68]]);
  assert.deepEqual(corpusWindows(s, 3, 2, null, false), [[0, 1, 2], [3, 4, 5]]);
});

const stream = (() => {
  // A token stream with strong bigrams: after t mostly (t * 3 + 1) % 12.
  let x = 1; const out: number[] = [];
  let seed = 5;
  for (let i = 0; i < 3000; i++) { seed = (seed * 1103515245 + 12345) % 2147483648; x = seed % 5 === 0 ? seed % 12 : (x * 3 + 1) % 12; out.push(x); }
  return out;
})();

test('bigramsView on a zero-layer model: its own log-probabilities, the counted corpus table and compareBigrams\'s Pearson', async () => {
  const m = new HookedTransformer({ n_layers: 0, d_model: 16, n_heads: 1, d_head: 16, d_vocab: 12, n_ctx: 8, attn_only: true, normalization_type: 'LN', positional_embedding_type: 'shortformer', seed: 2 });
  const v = await bigramsView(m, { stream, name: 'synthetic' }, { k: 6 });
  assert.equal(v.source, 'model');
  const freq = new Map<number, number>();
  stream.slice(0, -1).forEach((t) => freq.set(t, (freq.get(t) ?? 0) + 1));
  assert.deepEqual(v.ids, [...freq.keys()].sort((a, b) => freq.get(b)! - freq.get(a)! || a - b).slice(0, 6));
  for (const [i, t] of v.ids.entries()) {
    const lp = logSoftmax((await m.run([[t]])).data);
    v.ids.forEach((j, c) => assert.ok(close(v.model[i]![c]!, lp[j]!), `model ${t} -> ${j}`));
    v.ids.forEach((j, c) => {
      let n = 0;
      for (let p = 0; p + 1 < stream.length; p++) if (stream[p] === t && stream[p + 1] === j) n++;
      if (n === 0) assert.ok(Number.isNaN(v.corpus![i]![c]!));
      else assert.ok(close(v.corpus![i]![c]!, Math.log(n / freq.get(t)!)));
    });
  }
  assert.equal(v.pearson, (await compareBigrams(m, stream)).pearson);
  const none = await bigramsView(m, null, { k: 4 });
  assert.deepEqual(none.tokens, ['#0', '#1', '#2', '#3']);
  assert.equal(none.corpus, null);
});

test('bigramsView with layers: the direct path equals a zero-layer model with the same embedding, ln_final and unembedding', async () => {
  const cfg = { n_layers: 2, d_model: 16, n_heads: 2, d_head: 8, d_vocab: 12, n_ctx: 8, attn_only: true, normalization_type: 'LN' as const, seed: 9 };
  const m = new HookedTransformer(cfg);
  const z = new HookedTransformer({ ...cfg, n_layers: 0, positional_embedding_type: 'shortformer' });
  for (const k of ['embed.W_E', 'ln_final.w', 'ln_final.b', 'unembed.W_U', 'unembed.b_U']) z.weights[k] = m.weights[k]!;
  const v = await bigramsView(m, { stream, name: 'synthetic' }, { k: 5, minCount: 3 });
  assert.equal(v.source, 'direct path');
  const model: number[] = []; const emp: number[] = [];
  const counts = new Map<string, number>();
  for (let p = 0; p + 1 < stream.length; p++) counts.set(`${stream[p]},${stream[p + 1]}`, (counts.get(`${stream[p]},${stream[p + 1]}`) ?? 0) + 1);
  for (let t = 0; t < 12; t++) {
    const lp = logSoftmax((await z.run([[t]])).data);
    const r = v.ids.indexOf(t);
    if (r >= 0) v.ids.forEach((j, c) => assert.ok(close(v.model[r]![c]!, lp[j]!), `direct path ${t} -> ${j}`));
    const total = stream.slice(0, -1).filter((x) => x === t).length;
    for (let j = 0; j < 12; j++) {
      const n = counts.get(`${t},${j}`) ?? 0;
      if (n >= 3) { model.push(lp[j]!); emp.push(Math.log((n + 0.1) / (total + 1.2))); }
    }
  }
  assert.equal(v.pairs, model.length);
  assert.ok(close(v.pearson!, corr(model, emp), 1e-6), `${v.pearson} vs ${corr(model, emp)}`);
});

test('framework: every claim of checkClaims belongs to one section; a section on the wrong model says so', async () => {
  const m0 = new HookedTransformer({ n_layers: 0, d_model: 16, n_heads: 1, d_head: 16, d_vocab: 12, n_ctx: 8, attn_only: true, normalization_type: 'LN', seed: 2 });
  const empty = (): AnalysisReport => ({ schema: ANALYSIS_SCHEMA, model: { name: 'x', n_layers: 2, n_heads: 0, d_model: 8, d_vocab: 12, n_ctx: 8, attn_only: true } });
  const claims = checkClaims(empty(), empty(), empty());
  const by = (s: string) => claims.filter((c) => claimSection(c.claim) === s).length;
  assert.deepEqual([by('zero'), by('one'), by('two'), by('terms')], [1, 2, claims.length - 4, 1]);
  const z = await frameworkSection(m0, 'zero', stream, 'synthetic');
  assert.equal(z.claims.length, 1);
  const c = await compareBigrams(m0, stream);
  assert.ok(z.claims[0]!.measured.includes(`Pearson ${c.pearson.toFixed(3)}`), z.claims[0]!.measured);
  assert.equal(z.claims[0]!.holds, c.pearson >= 0.5);
  await assert.rejects(frameworkSection(m0, 'two', stream), /the two section needs a 2-layer model \(this one has 0\)/);
  const m2 = new HookedTransformer({ n_layers: 2, d_model: 16, n_heads: 2, d_head: 8, d_vocab: 12, n_ctx: 8, attn_only: true, normalization_type: 'LN', seed: 3 });
  const two = await frameworkSection(m2, 'two', stream, 'synthetic');
  assert.equal(two.claims.length, by('two'));
  const ih = two.two!.induction[1]!.indexOf(Math.max(...two.two!.induction[1]!));
  assert.ok(two.claims[0]!.measured.startsWith(`L1H${ih} induction ${two.two!.induction[1]![ih]!.toFixed(3)}`), two.claims[0]!.measured);
  const terms = await frameworkSection(m2, 'terms', stream, 'synthetic');
  assert.ok(Math.abs(terms.terms!.loss - terms.terms!.expansionLoss) < 1e-3);
  assert.ok(terms.claims[0]!.claim.startsWith('term importance'));
});
