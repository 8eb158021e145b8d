import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { copyingScores } from '../../src/analysis/copying.js';


installNodeRuntime();

test('a constructed copying head scores 1, a negating head -1, and the eigenvalues are the circuit\'s', async () => {
  // d_vocab = d_model with W_E = W_U = I: the full OV circuit is W_V W_O. Head 0: W_V W_O = 2 P (P a projection on
  // the first d_head axes, so eigenvalues 2, 2 and zeros); head 1: -3 P'; head 2: a rotation by 90 degrees
  // (eigenvalues ±i: real part 0, so score 0).
  const D = 6;
  const E = 2;
  const m = new HookedTransformer({ n_layers: 1, d_model: D, n_heads: 3, d_head: E, d_vocab: D, n_ctx: 4, attn_only: true, normalization_type: null, seed: 0 });
  const eye = (n: number) => Float32Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? 1 : 0));
  m.weights['embed.W_E'] = { dtype: 'float32', shape: [D, D], data: eye(D) };
  m.weights['unembed.W_U'] = { dtype: 'float32', shape: [D, D], data: eye(D) };
  const WV = new Float32Array(3 * D * E);
  const WO = new Float32Array(3 * E * D);
  const setV = (h: number, i: number, e: number, x: number) => (WV[(h * D + i) * E + e] = x);
  const setO = (h: number, e: number, j: number, x: number) => (WO[(h * E + e) * D + j] = x);
  setV(0, 0, 0, 1); setV(0, 1, 1, 1); setO(0, 0, 0, 2); setO(0, 1, 1, 2);
  setV(1, 2, 0, 1); setV(1, 3, 1, 1); setO(1, 0, 2, -3); setO(1, 1, 3, -3);
  setV(2, 4, 0, 1); setV(2, 5, 1, 1); setO(2, 0, 5, 1); setO(2, 1, 4, -1);
  m.weights['blocks.0.attn.W_V'] = { dtype: 'float32', shape: [3, D, E], data: WV };
  m.weights['blocks.0.attn.W_O'] = { dtype: 'float32', shape: [3, E, D], data: WO };
  const c = await copyingScores(m);
  assert.ok(Math.abs(c.scores[0]![0]! - 1) < 1e-6);
  assert.ok(Math.abs(c.scores[0]![1]! + 1) < 1e-6);
  assert.ok(Math.abs(c.scores[0]![2]!) < 1e-6);
  assert.deepEqual(c.eigenvalues[0]![0]!.re.map((x) => Math.round(x * 1e6) / 1e6).sort(), [2, 2]);
  assert.deepEqual(c.eigenvalues[0]![2]!.im.map((x) => Math.round(Math.abs(x) * 1e6) / 1e6), [1, 1]);
});

test('copying scores agree with the eigenvalues of the dense vocab x vocab circuit on a random model', async () => {
  // The dense circuit's trace and the core's trace must agree: Σλ = tr(W_E W_V W_O W_U).
  const m = new HookedTransformer({ n_layers: 2, d_model: 8, n_heads: 2, d_head: 3, d_vocab: 11, n_ctx: 4, attn_only: true, seed: 3, init_range: 0.5 });
  const c = await copyingScores(m);
  const { d_model: D, d_head: E, d_vocab: V } = m.cfg;
  for (let l = 0; l < 2; l++) for (let h = 0; h < 2; h++) {
    const WE = m.weights['embed.W_E']!.data;
    const WU = m.weights['unembed.W_U']!.data;
    const WV = m.weights[`blocks.${l}.attn.W_V`]!.data;
    const WO = m.weights[`blocks.${l}.attn.W_O`]!.data;
    let trace = 0;
    for (let t = 0; t < V; t++) {
      // (W_E W_V W_O W_U)[t, t]
      for (let e = 0; e < E; e++) {
        let a = 0;
        for (let i = 0; i < D; i++) a += WE[t * D + i]! * WV[(h * D + i) * E + e]!;
        let b = 0;
        for (let j = 0; j < D; j++) b += WO[(h * E + e) * D + j]! * WU[j * V + t]!;
        trace += a * b;
      }
    }
    const sum = c.eigenvalues[l]![h]!.re.reduce((s, x) => s + x, 0);
    assert.ok(Math.abs(sum - trace) < 1e-4 * Math.max(1, Math.abs(trace)), `L${l}H${h}: ${sum} vs ${trace}`);
    assert.ok(c.scores[l]![h]! >= -1 && c.scores[l]![h]! <= 1);
  }
});
