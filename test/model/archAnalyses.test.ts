// The analyses on a real architecture (a Hugging Face Llama: RMSNorm, rotary, gated MLP, grouped-query attention),
// checked against the independent PyTorch reference of scripts/fixtures/make_arch_fixtures.py: the logit lens's
// first and last readings, the previous-token detector from the reference's attention patterns, direct logit
// attribution summing to the reference's logit difference; and the one-line refusal where an analysis's
// assumption does not hold (DLA on Gemma 2's post-normalised layers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSafetensors } from '../../src/model/safetensors.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { loadModel } from '../../src/io/loadModel.js';
import { logitLens } from '../../src/analysis/logitLens.js';
import { detectHeads } from '../../src/analysis/detectors.js';
import { directLogitAttribution } from '../../src/analysis/attribution.js';
import { discoverCircuit } from '../../src/analysis/discovery/discover.js';
import { inductionTask } from '../../src/analysis/discovery/tasks.js';
import { FIXTURES, rows } from '../browser/fixtures.js';
import { archReference } from './archFixtures.js';

installNodeRuntime();

function logSoftmaxRow(x: ArrayLike<number>, off: number, V: number): number[] {
  let m = -Infinity;
  for (let v = 0; v < V; v++) m = Math.max(m, x[off + v]!);
  let s = 0;
  for (let v = 0; v < V; v++) s += Math.exp(x[off + v]! - m);
  return Array.from({ length: V }, (_, v) => x[off + v]! - m - Math.log(s));
}

test('llama: the logit lens reads the reference\'s final and embedding-level predictions', async () => {
  const model = await loadModel(join(FIXTURES, 'arch', 'llama'));
  const ref = await archReference('llama');
  const tokens = rows(ref['tokens']!);
  const [B, T] = [tokens.length, tokens[0]!.length];
  const { d_model: D, d_vocab: V, eps } = model.cfg;
  const lens = await logitLens(model, tokens);
  assert.equal(lens.layers.length, model.cfg.n_layers + 1);
  // The last reading is the model itself: the reference's log-probabilities of the next tokens.
  const W = model.weights['unembed.W_U']!.data;
  const g = model.weights['ln_final.w']!.data;
  const h0 = ref['hidden_states.0']!.data as Float32Array;
  const logits = ref['logits']!.data as Float32Array;
  for (let p = 0; p < T - 1; p++) {
    let last = 0;
    let first = 0;
    for (let b = 0; b < B; b++) {
      const next = tokens[b]![p + 1]!;
      last += logSoftmaxRow(logits, (b * T + p) * V, V)[next]! / B;
      // The first reading by hand: RMSNorm(embedding) * w, then W_U, in float64.
      const off = (b * T + p) * D;
      let ms = 0;
      for (let d = 0; d < D; d++) ms += h0[off + d]! ** 2 / D;
      const r = 1 / Math.sqrt(ms + eps);
      const row = Array.from({ length: V }, (_, v) => { let s = 0; for (let d = 0; d < D; d++) s += h0[off + d]! * r * g[d]! * W[d * V + v]!; return s; });
      first += logSoftmaxRow(row, 0, V)[next]! / B;
    }
    assert.ok(Math.abs(lens.correctLogProb.at(-1)![p]! - last) < 1e-4, `last reading, position ${p}`);
    assert.ok(Math.abs(lens.correctLogProb[0]![p]! - first) < 1e-4, `first reading, position ${p}`);
  }
});

test('llama: the previous-token detector equals the reference attention patterns\' mean', async () => {
  const model = await loadModel(join(FIXTURES, 'arch', 'llama'));
  const ref = await archReference('llama');
  const tokens = rows(ref['tokens']!);
  assert.notEqual(tokens[0]![0], model.cfg.bos_token_id, 'no BOS in this probe');
  const [B, T] = [tokens.length, tokens[0]!.length];
  const H = model.cfg.n_heads;
  const got = await detectHeads(model, { tokens });
  for (let l = 0; l < model.cfg.n_layers; l++) {
    const a = ref[`attentions.${l}`]!.data as Float32Array;
    for (let h = 0; h < H; h++) {
      let s = 0;
      for (let b = 0; b < B; b++) for (let d = 1; d < T; d++) s += a[((b * H + h) * T + d) * T + d - 1]!;
      assert.ok(Math.abs(got.previousToken[l]![h]! - s / (B * (T - 1))) < 1e-5, `L${l}H${h}`);
    }
  }
});

test('llama: direct logit attribution sums to the reference logit difference; Gemma 2 says why it cannot', async () => {
  const model = await loadModel(join(FIXTURES, 'arch', 'llama'));
  const ref = await archReference('llama');
  const tokens = rows(ref['tokens']!);
  const [T, V] = [tokens[0]!.length, model.cfg.d_vocab];
  const pos = 5;
  const dla = await directLogitAttribution(model, tokens, { position: pos, token: 3, against: 9 });
  assert.ok(!dla.components.some((c) => c.component === 'pos_embed'), 'a rotary model has no positional term');
  const logits = ref['logits']!.data as Float32Array;
  const want = logits[pos * V + 3]! - logits[pos * V + 9]!;
  assert.ok(Math.abs(dla.total - want) < 1e-4, `${dla.total} vs ${want}`);
  assert.ok(T > pos);
  const gemma2 = await loadModel(join(FIXTURES, 'arch', 'gemma2'));
  await assert.rejects(directLogitAttribution(gemma2, tokens, { position: pos, token: 3 }), /directLogitAttribution: this model normalises each attention and MLP output \(ln1_post, ln2_post/);
});

test('grouped-query attention: W_K and W_V per query head are the Hugging Face key-value head that serves it', async () => {
  const model = await loadModel(join(FIXTURES, 'arch', 'llama'));
  const { n_heads: H, d_model: D, d_head: E, n_layers: L } = model.cfg;
  const K = model.cfg.n_key_value_heads!;
  assert.equal(K, 2);
  const shards = await Promise.all(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'].map(async (f) =>
    parseSafetensors(new Uint8Array(await readFile(join(FIXTURES, 'arch', 'llama', f))), f).tensors));
  const hf = Object.assign({}, ...shards) as Record<string, { data: Float32Array }>;
  for (const [leaf, stacked] of [['k', model.W_K], ['v', model.W_V]] as const) {
    assert.deepEqual(stacked.shape, [L, H, D, E]);
    for (let l = 0; l < L; l++) {
      const w = hf[`model.layers.${l}.self_attn.${leaf}_proj.weight`]!.data; // [K E, D]
      for (let h = 0; h < H; h++) {
        const kv = Math.floor(h / (H / K));
        for (let d = 0; d < D; d += 5) for (let e = 0; e < E; e += 3) {
          assert.equal(stacked.data[((l * H + h) * D + d) * E + e], w[(kv * E + e) * D + d], `${leaf} L${l}H${h}`);
        }
      }
    }
  }
  assert.equal(model.QK(1, 3).shape[0], D, 'QK circuits read the shared key head');
});

test('circuit discovery says in one line that it does not cover these architectures', async () => {
  const model = await loadModel(join(FIXTURES, 'arch', 'gpt_neox'));
  await assert.rejects(discoverCircuit(model, inductionTask(model.cfg, { batch: 2, length: 4 }), { method: 'eap' }),
    /^InputError: circuit discovery: edge-level patching supports GPT-2-style models only, not rotary embeddings, parallel attention and MLP$/);
});

test('llama: the cache decompositions sum to the reference residual, and the final recomputed norm is HF\'s last hidden state', async () => {
  const model = await loadModel(join(FIXTURES, 'arch', 'llama'));
  const ref = await archReference('llama');
  const tokens = rows(ref['tokens']!);
  const L = model.cfg.n_layers;
  const { cache } = await model.runWithCache(tokens, { names: () => true });
  const dec = cache.decomposeResid();
  assert.ok(!dec.labels.includes('pos_embed'), 'no positional component in a rotary model');
  const n = (ref['resid_final']!.data as Float32Array).length;
  const want = ref['resid_final']!.data as Float32Array;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < dec.labels.length; c++) sum += dec.stack.data[c * n + i]!;
    assert.ok(Math.abs(sum - want[i]!) < 1e-4, `component sum at ${i}`);
  }
  const acc = cache.accumulatedResid({ applyLn: true });
  const last = ref[`hidden_states.${L}`]!.data as Float32Array;
  const off = (acc.labels.length - 1) * n;
  for (let i = 0; i < n; i++) assert.ok(Math.abs(acc.stack.data[off + i]! - last[i]!) < 1e-4, `final normalised stream at ${i}`);
});

test('analyze on a rotary model runs every analysis and says in one caveat what the weight-only QK analyses leave out', async () => {
  const { analyzeModel } = await import('../../src/analysis/analyzeModel.js');
  const llama = await analyzeModel(await loadModel(join(FIXTURES, 'arch', 'llama')));
  assert.equal(llama.caveats?.length, 1);
  assert.match(llama.caveats![0]!, /^a rotary model: the QK circuits, Q and K composition .* without the rotation/);
  assert.ok(llama.detectors && llama.composition && llama.inductionAblation, 'the analyses that apply still run');
  const gpt2 = await analyzeModel(await loadModel(join(FIXTURES, 'gpt2-hf')));
  assert.equal(gpt2.caveats, undefined);
});
