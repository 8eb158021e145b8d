import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { layerCircuits, positionalQK, skipTrigrams } from '../../src/analysis/circuits.js';

installNodeRuntime();

const m = new HookedTransformer({ n_layers: 1, d_model: 8, n_heads: 2, d_head: 3, d_vocab: 7, n_ctx: 5, attn_only: true, init_range: 0.6, seed: 17 });
const { d_model: D, d_head: E, d_vocab: V } = m.cfg;
const W = (name: string) => m.weights[name]!.data;
/** Dense M[i][j] = Σ_e (X Y_h)[i, e] (Z_h)[e, j] by hand. */
function dense(left: (i: number, e: number) => number, right: (e: number, j: number) => number, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => {
    let s = 0;
    for (let e = 0; e < E; e++) s += left(i, e) * right(e, j);

    return s;
  }));
}
const proj = (rowsOf: Float32Array, mat: Float32Array, h: number) => (i: number, e: number) => {
  let s = 0;
  for (let d = 0; d < D; d++) s += rowsOf[i * D + d]! * mat[(h * D + d) * E + e]!;
  return s;
};

test('full QK and OV circuits equal the dense products', async () => {
  const cs = await layerCircuits(m, 0);
  for (const h of [0, 1]) {
    const qk = dense(proj(W('embed.W_E'), W('blocks.0.attn.W_Q'), h), (e, j) => proj(W('embed.W_E'), W('blocks.0.attn.W_K'), h)(j, e), V, V);
    const WO = W('blocks.0.attn.W_O');
    const WU = W('unembed.W_U');
    const ov = dense(proj(W('embed.W_E'), W('blocks.0.attn.W_V'), h), (e, j) => {
      let s = 0;
      for (let d = 0; d < D; d++) s += WO[(h * E + e) * D + d]! * WU[d * V + j]!;
      return s;
    }, V, V);
    for (let i = 0; i < V; i++) for (let j = 0; j < V; j++) {
      assert.ok(Math.abs(cs[h]!.qk.get(i, j) - qk[i]![j]!) < 1e-5);
      assert.ok(Math.abs(cs[h]!.ov.get(i, j) - ov[i]![j]!) < 1e-5);
    }
  }
});

test('the positional QK circuit is W_pos W_QK W_pos^T with the future masked', async () => {
  const P = await positionalQK(m, 0, 1);
  const T = 5;
  const pq = dense(proj(W('pos_embed.W_pos'), W('blocks.0.attn.W_Q'), 1), (e, j) => proj(W('pos_embed.W_pos'), W('blocks.0.attn.W_K'), 1)(j, e), T, T);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) {
    if (j > i) assert.equal(P.data[i * T + j], -Infinity);
    else assert.ok(Math.abs(P.data[i * T + j]! - pq[i]![j]!) < 1e-5);
  }
});

test('skip-trigrams, searched exhaustively, are the top products of QK and OV entries', async () => {
  const [c] = await layerCircuits(m, 0);
  const got = skipTrigrams(c!, { k: 10, candidates: V * V, destsPerSource: V });
  const all: number[] = [];
  for (let src = 0; src < V; src++) for (let dest = 0; dest < V; dest++) for (let out = 0; out < V; out++) {
    const qk = c!.qk.get(dest, src);
    if (qk > 0) all.push(qk * c!.ov.get(src, out));
  }
  all.sort((a, b) => b - a);
  assert.deepEqual(got.map((t) => Math.round(t.score * 1e6)), all.slice(0, 10).map((s) => Math.round(s * 1e6)));
  for (const t of got) assert.ok(Math.abs(t.score - c!.qk.get(t.dest, t.src) * c!.ov.get(t.src, t.out)) < 1e-9);
});
