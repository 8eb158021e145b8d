import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { compositionScores, compositionFromFactors, rankVirtualHeads } from '../../src/analysis/composition.js';
import { Rng, type Tensor } from '../../src/engine/index.js';
import { processWeights } from '../../src/model/processing.js';

installNodeRuntime();

type M = number[][];
const mm = (a: M, b: M): M => a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const tr = (a: M): M => a[0]!.map((_, j) => a.map((r) => r[j]!));
const fro = (a: M) => Math.sqrt(a.flat().reduce((s, v) => s + v * v, 0));
function head(t: Tensor<'float32'>, h: number): M {
  const [, r, c] = t.shape as [number, number, number];
  return Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => t.data[(h * r + i) * c + j]!));
}

test('composition scores equal the dense definition on every pair of heads', async () => {
  // No LayerNorm: the residual stream is read as written, so the raw weights are the factors.
  const m = new HookedTransformer({ n_layers: 3, d_model: 10, n_heads: 2, d_head: 3, d_vocab: 11, n_ctx: 4, attn_only: true, normalization_type: null, init_range: 0.5, seed: 5 });
  const c = await compositionScores(m, { baselineSamples: 4 });
  const w = (l: number, name: string, h: number) => head(m.weights[`blocks.${l}.attn.${name}`]!, h);
  const H = 2;
  for (let la = 0; la < 3; la++) for (let ha = 0; ha < H; ha++) for (let lb = 0; lb < 3; lb++) for (let hb = 0; hb < H; hb++) {
    const a = la * H + ha;
    const b = lb * H + hb;
    if (la >= lb) {
      assert.equal(c.scores.q[a]![b], 0);
      continue;
    }
    const ov = mm(w(la, 'W_V', ha), w(la, 'W_O', ha));
    const qk = mm(w(lb, 'W_Q', hb), tr(w(lb, 'W_K', hb)));
    const ovB = mm(w(lb, 'W_V', hb), w(lb, 'W_O', hb));
    const want = {
      q: fro(mm(ov, qk)) / (fro(ov) * fro(qk)),
      k: fro(mm(ov, tr(qk))) / (fro(ov) * fro(qk)),
      v: fro(mm(ov, ovB)) / (fro(ov) * fro(ovB)),
    };
    for (const kind of ['q', 'k', 'v'] as const) {
      assert.ok(Math.abs(c.scores[kind][a]![b]! - want[kind]) < 1e-4, `${kind} ${a}->${b}: ${c.scores[kind][a]![b]} vs ${want[kind]}`);
    }
  }
  assert.ok(c.baseline.q > 0 && c.baseline.q < 1);
});

test('a head composing with itself through an aligned rank-1 circuit scores 1', async () => {
  // Rank-1 heads with W_OV^a = u u^T and W_QK^b = u u^T: ||AB|| = ||A|| ||B|| exactly, so the score is 1,
  // while an orthogonal direction gives 0.
  const D = 6;
  const E = 1;
  const u = [1, 2, 0, -1, 0, 1].map((x) => x / Math.sqrt(7));
  const e = [0, 0, 1, 0, 0, 0]; // orthogonal to u
  const t = (rows: number[][], shape: number[]) => ({ dtype: 'float32', shape, data: Float32Array.from(rows.flat()) }) as Tensor<'float32'>;
  // two layers, two heads each: head 0 uses u everywhere, head 1 uses e
  const col = (v: number[]) => v.map((x) => [x]);
  const WQ = t([...col(u), ...col(e), ...col(u), ...col(e)], [4, D, E]);
  const WV = WQ;
  const WK = WQ;
  const WO = t([u, e, u, e], [4, E, D]);
  const s = await compositionFromFactors(WQ, WK, WV, WO, 2, 2);
  for (const kind of ['q', 'k', 'v'] as const) {
    assert.ok(Math.abs(s[kind][0]![2]! - 1) < 1e-5, `${kind} aligned`);
    assert.ok(Math.abs(s[kind][0]![3]!) < 1e-5, `${kind} orthogonal`);
  }
});

test('virtual heads are ranked by V-composition', async () => {
  const m = new HookedTransformer({ n_layers: 2, d_model: 8, n_heads: 2, d_head: 2, d_vocab: 5, n_ctx: 4, attn_only: true, seed: 2 });
  const c = await compositionScores(m, { baselineSamples: 2 });
  const ranked = rankVirtualHeads(c, 4);
  assert.equal(ranked.length, 4);
  for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1]!.score >= ranked[i]!.score);
  assert.deepEqual(ranked[0]!.from[0], 0);
  assert.deepEqual(ranked[0]!.to[0], 1);
});

test('composition reads through LayerNorm: the scores of TransformerLens-processed weights, shortformer included', async () => {
  // LayerNorm with gains far from 1 and writers with a mean over d_model: folding and centring change the factors.
  const cfg = { n_layers: 2, d_model: 12, n_heads: 2, d_head: 3, d_vocab: 7, n_ctx: 5, attn_only: true, normalization_type: 'LN' as const, init_range: 0.5, seed: 9 };
  const m = new HookedTransformer(cfg);
  const rng = new Rng(4);
  for (const [name, t] of Object.entries(m.weights)) {
    if (name.endsWith('.w')) t.data.set(Array.from(rng.normals(t.data.length), (x) => 1 + 0.8 * x));
    if (name.endsWith('W_O')) t.data.set(Array.from(t.data, (x, i) => x + 0.3 * ((i % 12) === 0 ? 4 : 1)));
  }
  const processed = processWeights(m.cfg, m.weights);
  assert.equal(processed.config.normalization_type, 'LNPre');
  const want = await compositionScores(new HookedTransformer(processed.config, processed.weights), { baselineSamples: 0 });
  const raw = await compositionScores(new HookedTransformer(m.cfg, m.weights, null), { baselineSamples: 0 });
  // The same weights with shortformer positions, which processWeights leaves unfolded.
  const sf = new HookedTransformer({ ...cfg, positional_embedding_type: 'shortformer' }, m.weights);
  assert.ok(processWeights(sf.cfg, sf.weights).skipped.some((x) => x.startsWith('foldLn')));
  const short = await compositionScores(sf, { baselineSamples: 0 });
  // The raw-weight definition (no LayerNorm in the way) differs: the test would notice a no-op.
  const dense = await compositionScores(new HookedTransformer({ ...cfg, normalization_type: null }, Object.fromEntries(Object.entries(m.weights).filter(([n]) => !/ln/.test(n)))), { baselineSamples: 0 });
  let moved = 0;
  for (const kind of ['q', 'k', 'v'] as const) {
    for (let a = 0; a < 2; a++) for (let b = 2; b < 4; b++) {
      const w = want.scores[kind][a]![b]!;
      assert.ok(Math.abs(raw.scores[kind][a]![b]! - w) < 1e-4, `${kind} ${a}->${b}: ${raw.scores[kind][a]![b]} vs processed ${w}`);
      assert.ok(Math.abs(short.scores[kind][a]![b]! - w) < 1e-4, `shortformer ${kind} ${a}->${b}: ${short.scores[kind][a]![b]} vs ${w}`);
      moved = Math.max(moved, Math.abs(dense.scores[kind][a]![b]! - w));
    }
  }
  assert.ok(moved > 0.01, `the LayerNorm moved the scores by ${moved}`);
});
