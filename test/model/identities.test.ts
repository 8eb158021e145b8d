// The framework's identities, checked numerically on the real forward pass:
// heads are independent and additive, and one head is the tensor product (A ⊗ W_OV) x.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import type { Tensor } from '../../src/engine/index.js';

installNodeRuntime();

const cfg = { n_layers: 2, d_model: 12, n_heads: 3, d_head: 4, d_vocab: 23, n_ctx: 8, attn_only: true, normalization_type: null, init_range: 0.4, seed: 3 } as const;
const tokens = [[1, 7, 3, 9, 2, 7], [4, 4, 0, 22, 5, 1]];

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Random non-zero biases, so no identity holds by accident of zeros. */
function withBiases(m: HookedTransformer): HookedTransformer {
  let s = 1;
  for (const [k, t] of Object.entries(m.weights)) {
    if (k.includes('.b_')) for (let i = 0; i < t.data.length; i++) t.data[i] = Math.sin(s++) * 0.3;
  }
  return m;
}

test('sum of hook_result over heads plus b_O equals hook_attn_out', async () => {
  const m = withBiases(new HookedTransformer(cfg));
  const { cache } = await m.runWithCache(tokens, { names: (n) => n.endsWith('hook_result') || n.endsWith('hook_attn_out') });
  for (let l = 0; l < cfg.n_layers; l++) {
    const result = cache.get(`blocks.${l}.attn.hook_result`); // [b, pos, head, d_model]
    const out = cache.get(`blocks.${l}.hook_attn_out`);
    const bO = m.weights[`blocks.${l}.attn.b_O`]!.data;
    const [B, T, H, D] = result.shape as [number, number, number, number];
    const summed = new Float64Array(B * T * D);
    for (let p = 0; p < B * T; p++) for (let d = 0; d < D; d++) {
      let s = bO[d]!;
      for (let h = 0; h < H; h++) s += result.data[(p * H + h) * D + d]!;
      summed[p * D + d] = s;
    }
    assert.ok(maxDiff(summed, out.data) < 1e-5, `layer ${l}`);
  }
});

test('concatenate-and-multiply equals the sum of independent heads (z W_O per head)', async () => {
  const m = withBiases(new HookedTransformer(cfg));
  const { cache } = await m.runWithCache(tokens, { names: ['blocks.0.attn.hook_z', 'blocks.0.hook_attn_out'] });
  const z = cache.get('blocks.0.attn.hook_z'); // [b, pos, head, d_head]
  const WO = m.weights['blocks.0.attn.W_O']!; // [head, d_head, d_model]
  const bO = m.weights['blocks.0.attn.b_O']!.data;
  const { d_head: E, n_heads: H, d_model: D } = cfg;
  const positions = z.shape[0]! * z.shape[1]!;
  const bySum = new Float64Array(positions * D);
  for (let p = 0; p < positions; p++) for (let d = 0; d < D; d++) {
    let s = bO[d]!;
    for (let h = 0; h < H; h++) {
      let headOut = 0; // each head's own z[h] W_O[h]
      for (let e = 0; e < E; e++) headOut += z.data[(p * H + h) * E + e]! * WO.data[(h * E + e) * D + d]!;
      s += headOut;
    }
    bySum[p * D + d] = s;
  }
  assert.ok(maxDiff(bySum, cache.get('blocks.0.hook_attn_out').data) < 1e-5);
});

test('one head equals (A ⊗ W_OV) x with an explicit Kronecker product', async () => {
  // Without biases and LayerNorm, head h of layer 0 maps the flattened residual x [T*D] to A^h ⊗ W_OV^h applied to it.
  const m = new HookedTransformer({ ...cfg, seed: 11 });
  const one = [[3, 1, 4, 1, 5]];
  const { cache } = await m.runWithCache(one, { names: ['blocks.0.hook_resid_pre', 'blocks.0.attn.hook_pattern', 'blocks.0.attn.hook_result'] });
  const x = cache.get('blocks.0.hook_resid_pre').data; // [1, T, D]
  const A = cache.get('blocks.0.attn.hook_pattern'); // [1, H, T, T]
  const result = cache.get('blocks.0.attn.hook_result'); // [1, T, H, D]
  const T = 5;
  const { d_model: D, d_head: E, n_heads: H } = cfg;
  const WV = m.weights['blocks.0.attn.W_V']!.data;
  const WO = m.weights['blocks.0.attn.W_O']!.data;
  for (let h = 0; h < H; h++) {
    // W_OV = W_V W_O as d_model x d_model, acting on row vectors: out = x W_OV.
    const WOV = new Float64Array(D * D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += WV[(h * D + i) * E + e]! * WO[(h * E + e) * D + j]!;
      WOV[i * D + j] = s;
    }
    // K = A ⊗ W_OV^T as a (T*D) x (T*D) matrix on column vectors: K[(t,j),(s,i)] = A[t,s] W_OV[i,j].
    const K = new Float64Array(T * D * T * D);
    for (let t = 0; t < T; t++) for (let s = 0; s < T; s++) for (let j = 0; j < D; j++) for (let i = 0; i < D; i++) {
      K[(t * D + j) * T * D + s * D + i] = A.data[(h * T + t) * T + s]! * WOV[i * D + j]!;
    }
    const y = new Float64Array(T * D);
    for (let r = 0; r < T * D; r++) {
      let s = 0;
      for (let c = 0; c < T * D; c++) s += K[r * T * D + c]! * x[c]!;
      y[r] = s;
    }
    const head = new Float64Array(T * D);
    for (let t = 0; t < T; t++) for (let j = 0; j < D; j++) head[t * D + j] = result.data[(t * H + h) * D + j]!;
    assert.ok(maxDiff(y, head) < 1e-5, `head ${h}`);
  }
});

test('a JavaScript hook that returns its input leaves the logits unchanged', async () => {
  const m = withBiases(new HookedTransformer(cfg));
  const plain = await m.run(tokens);
  const seen: string[] = [];
  const hooked = await m.runWithHooks(tokens, {
    'blocks.0.attn.hook_pattern': (a, { name }) => { seen.push(name); return a; },
    'blocks.1.hook_resid_pre': (a, { name }) => { seen.push(name); return a; },
    'blocks.1.attn.hook_z': (_a, { name }) => { seen.push(name); },
  });
  assert.deepEqual(seen, ['blocks.0.attn.hook_pattern', 'blocks.1.hook_resid_pre', 'blocks.1.attn.hook_z']);
  assert.ok(maxDiff(plain.data, hooked.data) < 1e-6);
});

test('a JavaScript hook that changes an activation changes what follows', async () => {
  const m = withBiases(new HookedTransformer(cfg));
  const plain = await m.run(tokens);
  const doubled = await m.runWithHooks(tokens, {
    'blocks.1.hook_resid_pre': (a) => ({ ...a, data: a.data.map((v) => 2 * v) }),
  });
  assert.ok(maxDiff(plain.data, doubled.data) > 1e-2);
});

test('zero-ablating a head (declarative or by a JS hook) equals removing its term by hand', async () => {
  const m = withBiases(new HookedTransformer(cfg));
  const L = 1;
  const H = 2;
  const declarative = await m.runWithInterventions(tokens, [{ hook: `blocks.${L}.attn.hook_z`, kind: 'zero', heads: [H] }]);
  const js = await m.runWithHooks(tokens, {
    [`blocks.${L}.attn.hook_z`]: (z) => {
      const out = z.data.slice();
      const E = cfg.d_head;
      for (let i = 0; i < out.length; i++) if (Math.floor(i / E) % cfg.n_heads === H) out[i] = 0;
      return { ...z, data: out };
    },
  });
  // By hand: the final residual minus that head's hook_result, then unembed (no ln_final in this model).
  const { logits, cache } = await m.runWithCache(tokens, { names: [`blocks.${L}.attn.hook_result`] });
  const result = cache.get(`blocks.${L}.attn.hook_result`);
  const WU = m.weights['unembed.W_U']!;
  const [B, T, , D] = result.shape as [number, number, number, number];
  const V = WU.shape[1]!;
  const byHand = Float64Array.from(logits.data);
  for (let p = 0; p < B * T; p++) for (let v = 0; v < V; v++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += result.data[(p * cfg.n_heads + H) * D + d]! * WU.data[d * V + v]!;
    byHand[p * V + v]! -= s;
  }
  assert.ok(maxDiff(declarative.logits.data, byHand) < 1e-4);
  assert.ok(maxDiff(js.data, byHand) < 1e-4);
  assert.ok(maxDiff(logits.data, byHand) > 1e-3, 'the head matters, so removing it must change the logits');
});

test('patching an activation from another run reproduces that run downstream', async () => {
  const m = withBiases(new HookedTransformer(cfg));
  const clean = [[1, 2, 3, 4, 5, 6]];
  const corrupt = [[6, 5, 4, 3, 2, 1]];
  const { logits: cleanLogits, cache } = await m.runWithCache(clean, { names: ['blocks.1.hook_resid_pre'] });
  const patched = await m.runWithInterventions(corrupt, [{ hook: 'blocks.1.hook_resid_pre', kind: 'patch', source: cache.get('blocks.1.hook_resid_pre') }]);
  // Layer 1 reads only the residual stream, so patching all of it makes the corrupt run the clean one.
  assert.ok(maxDiff(patched.logits.data, cleanLogits.data) < 1e-5);
  const partial = await m.runWithInterventions(corrupt, [{ hook: 'blocks.1.hook_resid_pre', kind: 'patch', source: cache.get('blocks.1.hook_resid_pre'), positions: [5] }]);
  const V = cfg.d_vocab;
  const corruptLogits = await m.run(corrupt);
  // Causal attention: patching the last position leaves every earlier position's logits as they were.
  assert.ok(maxDiff(partial.logits.data.slice(0, 5 * V), corruptLogits.data.slice(0, 5 * V)) < 1e-5);
  assert.ok(maxDiff(partial.logits.data.slice(5 * V), corruptLogits.data.slice(5 * V)) > 1e-3);
});

test('gradients with respect to activations match finite differences through a hook', async () => {
  const m = withBiases(new HookedTransformer(cfg));
  const name = 'blocks.1.hook_resid_pre';
  const { value, grads, cache } = await m.gradients(tokens, [name]);
  const g = grads.get(name);
  const act = cache.get(name);
  const lossWith = async (x: Tensor<'float32'>) => {
    const r = await m.runWithInterventions(tokens, [{ hook: name, kind: 'patch', source: x }]);
    return r.loss;
  };
  assert.ok(Math.abs((await lossWith(act)) - value) < 1e-5);
  for (const i of [0, 17, 40, act.data.length - 1]) {
    const h = 1e-2;
    const up = { ...act, data: act.data.slice() };
    const down = { ...act, data: act.data.slice() };
    up.data[i]! += h;
    down.data[i]! -= h;
    const fd = ((await lossWith(up)) - (await lossWith(down))) / (2 * h);
    assert.ok(Math.abs(fd - g.data[i]!) < 2e-3 + 0.02 * Math.abs(fd), `element ${i}: fd ${fd} vs grad ${g.data[i]}`);
  }
});
