import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { ActivationCache, index, meanAxis, sliceAxis, sumAxis, take, toNested, topK, f32 } from '../../src/model/activationCache.js';
import type { Tensor } from '../../src/engine/tensor.js';

installNodeRuntime();

const cfg = { n_layers: 2, d_model: 16, n_heads: 3, d_head: 4, d_mlp: 20, d_vocab: 23, n_ctx: 8, act_fn: 'gelu' as const, init_range: 0.5, seed: 3 };
const tokens = [[1, 4, 2, 9, 3, 7], [7, 7, 0, 14, 2, 22]];

function sumStack(s: Tensor<'float32'>): Float64Array {
  const n = s.shape[0]!;
  const per = s.data.length / n;
  const out = new Float64Array(per);
  for (let k = 0; k < n; k++) for (let i = 0; i < per; i++) out[i]! += s.data[k * per + i]!;
  return out;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  assert.ok(worst < tol, `${what}: max error ${worst}`);
}

test('decompositions sum back to the residual stream, with TransformerLens labels', async () => {
  const m = new HookedTransformer({ ...cfg, normalization_type: 'LN' });
  const { cache } = await m.runWithCache(tokens);
  const final = cache.get('blocks.1.hook_resid_post').data;
  const d = cache.decomposeResid();
  assert.deepEqual(d.labels, ['embed', 'pos_embed', '0_attn_out', '0_mlp_out', '1_attn_out', '1_mlp_out']);
  close(sumStack(d.stack), final, 1e-4, 'decomposeResid');
  const mid = cache.decomposeResid({ layer: 1, mlpInput: true });
  assert.deepEqual(mid.labels, ['embed', 'pos_embed', '0_attn_out', '0_mlp_out', '1_attn_out']);
  close(sumStack(mid.stack), cache.get('blocks.1.hook_resid_mid').data, 1e-4, 'decomposeResid mlpInput');

  const heads = cache.stackHeadResults({ inclRemainder: true });
  assert.deepEqual(heads.labels, ['L0H0', 'L0H1', 'L0H2', 'L1H0', 'L1H1', 'L1H2', 'remainder']);
  close(sumStack(heads.stack), final, 1e-4, 'stackHeadResults + remainder');
  // Head results from hook_z and W_O are the model's own hook_result.
  const { cache: withResult } = await m.runWithCache(tokens, { names: ['blocks.1.attn.hook_result'] });
  close(heads.stack.data.subarray(3 * 2 * 6 * 16, 4 * 2 * 6 * 16), take(withResult.get('blocks.1.attn.hook_result'), 2, [0]).data, 1e-5, 'L1H0 result');

  for (const expandNeurons of [true, false]) {
    const full = cache.getFullResidDecomposition({ expandNeurons });
    assert.equal(full.labels.length, 6 + (expandNeurons ? 40 : 2) + 3);
    assert.equal(full.labels.at(-1), 'bias');
    assert.ok(full.labels.includes(expandNeurons ? 'L1N19' : '1_mlp_out'));
    close(sumStack(full.stack), final, 1e-4, `getFullResidDecomposition expand=${expandNeurons}`);
    const l1 = cache.getFullResidDecomposition({ layer: 1, expandNeurons });
    close(sumStack(l1.stack), cache.get('blocks.1.hook_resid_pre').data, 1e-4, 'into layer 1');
  }

  const acc = cache.accumulatedResid({ inclMid: true });
  assert.deepEqual(acc.labels, ['0_pre', '0_mid', '1_pre', '1_mid', 'final_post']);
  close(index(acc.stack, 3).data, cache.get('blocks.1.hook_resid_mid').data, 1e-9, '1_mid');
  const at2 = cache.accumulatedResid({ layer: 1, pos: 2 });
  assert.deepEqual(at2.stack.shape, [2, 2, 16]);
  close(at2.stack.data.subarray(32), sliceAxis(cache.get('blocks.1.hook_resid_pre'), 1, 2, 3).data, 1e-9, 'pos slice');
  assert.deepEqual(cache.stackActivation('pattern').shape, [2, 2, 3, 6, 6]);
  assert.deepEqual(cache.stackActivation('scale', { sublayer: 'ln2' }).shape, [2, 2, 6, 1]);
});

test('through ln_final with the cached scale and W_U, the full decomposition sums to the logits', async () => {
  // LNPre: ln_final has no w or b, so TransformerLens's logit_attrs (W_U's column, no ln weights) is exact.
  const m = new HookedTransformer({ ...cfg, normalization_type: 'LNPre' });
  const { logits, cache } = await m.runWithCache(tokens);
  const V = 23;
  const T = 6;
  const full = cache.getFullResidDecomposition();
  const answer = [[4, 2, 9, 3, 7, 5], [7, 0, 14, 2, 22, 1]];
  const wrong = 11;
  const attrs = cache.logitAttrs(full.stack, answer, { incorrect: wrong });
  assert.deepEqual(attrs.shape, [full.labels.length, 2, T]);
  const total = sumStack(attrs);
  const bU = m.weights['unembed.b_U']!.data;
  for (let b = 0; b < 2; b++) for (let p = 0; p < T; p++) {
    const t = answer[b]![p]!;
    const want = logits.data[(b * T + p) * V + t]! - logits.data[(b * T + p) * V + wrong]! - (bU[t]! - bU[wrong]!);
    assert.ok(Math.abs(total[b * T + p]! - want) < 1e-3, `b${b} p${p}: ${total[b * T + p]} vs ${want}`);
  }
  // One position, one token per batch row: the same numbers.
  const last = cache.logitAttrs(cache.getFullResidDecomposition({ pos: -1 }).stack, [5, 1], { pos: -1 });
  assert.deepEqual(last.shape, [full.labels.length, 2]);
  const l0 = cache.logitAttrs(full.stack, 5);
  close([last.data[0]!], [l0.data[T - 1]!], 1e-5, 'pos -1');

  // accumulatedResid with applyLn recomputes ln_final for the final stream: the logit lens's last row is the model.
  const lens = cache.accumulatedResid({ applyLn: true });
  const WU = m.weights['unembed.W_U']!.data;
  const D = 16;
  const final = index(lens.stack, 2);
  for (let r = 0; r < 2 * T; r++) for (const v of [0, 7, 22]) {
    let s = bU[v]!;
    for (let d = 0; d < D; d++) s += final.data[r * D + d]! * WU[d * V + v]!;
    assert.ok(Math.abs(s - logits.data[r * V + v]!) < 1e-4);
  }
  // The cached scale at the final stream divides every component by the same number.
  const cached = cache.applyLnToStack(cache.decomposeResid().stack);
  close(sumStack(cached), final.data, 1e-4, 'cached-scale ln of the decomposition = ln_final(resid)');
});

test('host helpers: index, slice, take, mean and sum over an axis, top-k, nested arrays', () => {
  const t = f32(Float32Array.from([1, 5, 2, 8, 3, 0]), [2, 3]);
  assert.deepEqual(toNested(index(t, 1)), [8, 3, 0]);
  assert.deepEqual(toNested(sliceAxis(t, 1, 1)), [[5, 2], [3, 0]]);
  assert.deepEqual(toNested(take(t, 1, [2, 0])), [[2, 1], [0, 8]]);
  assert.deepEqual(toNested(meanAxis(t, 0)), [4.5, 4, 1]);
  assert.deepEqual(toNested(sumAxis(t, -1, { keepdim: true })), [[8], [11]]);
  const k = topK(t, 2);
  assert.deepEqual(toNested(k.values), [[5, 2], [8, 3]]);
  assert.deepEqual(Array.from(k.indices), [1, 2, 0, 1]);
  assert.throws(() => index(t, 2), /index 2 is out of range/);
});

test('a cache reports the bytes it holds: 4 bytes per float32 element of every activation', async () => {
  const m = new HookedTransformer({ ...cfg, normalization_type: 'LN' });
  const { cache } = await m.runWithCache(tokens);
  // Independent count from TransformerLens's shapes: B=2, T=6, D=16, H=3, E=4, M=20, two layers.
  const [B, T, D, H, E, M] = [2, 6, 16, 3, 4, 20];
  const perLayer = 4 * B * T * D /* resid_pre, attn_out, resid_mid, mlp_out */ + B * T * D /* resid_post */
    + 2 * (B * T + B * T * D) /* ln1, ln2: scale, normalized */ + 4 * B * T * H * E /* q, k, v, z */
    + 2 * B * H * T * T /* attn_scores, pattern */ + 2 * B * T * M /* mlp pre, post */;
  const expected = 4 * (2 * B * T * D /* hook_embed, hook_pos_embed */ + 2 * perLayer + B * T + B * T * D /* ln_final */);
  assert.equal(cache.bytes, expected);
  const by = cache.bytesByName();
  assert.equal(by.length, cache.names.length);
  assert.equal(by.reduce((s, x) => s + x.bytes, 0), expected);
  assert.equal(by[0]!.bytes, 4 * Math.max(B * H * T * T, B * T * M));
  // Two names over one view count once.
  const shared = new ActivationCache({ a: cache.get('hook_embed'), b: cache.get('hook_embed') });
  assert.equal(shared.bytes, 4 * B * T * D);
});
