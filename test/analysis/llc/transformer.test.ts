// The transformer wrapper: its loss is the model's own next-token loss, its chains are reproducible from the seed,
// and the model's weights (w0) are left as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/engine/index.js';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../../src/model/hookedTransformer.js';
import { estimateTransformerLLC, restrictVocabulary, tokenWindowBatches, transformerSamplingModel, SgldStep } from '../../../src/analysis/llc/index.js';
import { logSumExp } from '../../../src/model/cache/host.js';

installNodeRuntime();

const cfg = { n_layers: 1, d_model: 16, n_heads: 2, d_head: 8, d_vocab: 11, n_ctx: 8, attn_only: true, seed: 3 };

test('transformerSamplingModel: the loss is the mean next-token loss of the model, from lossFrom on', async () => {
  const model = new HookedTransformer(cfg);
  const rng = new Rng(4);
  const rows = Array.from({ length: 3 }, () => Array.from({ length: 9 }, () => rng.int(11)));
  const tokens = { dtype: 'int64' as const, shape: [3, 9], data: BigInt64Array.from(rows.flat().map(BigInt)) };
  const logits = await model.run(rows.map((r) => r.slice(0, 8)));
  const host = (from: number) => {
    let s = 0;
    for (let b = 0; b < 3; b++) for (let t = from; t < 8; t++) {
      const row = logits.data.subarray((b * 8 + t) * 11, (b * 8 + t + 1) * 11);
      s += logSumExp(row) - row[rows[b]![t + 1]!]!;
    }
    return s / (3 * (8 - from));
  };
  for (const from of [0, 5]) {
    const got = await new SgldStep(transformerSamplingModel(model, 3, 8, from)).loss(model.weights, { tokens });
    assert.ok(Math.abs(got - host(from)) < 1e-5, `lossFrom ${from}: ${got} vs ${host(from)}`);
  }
  // Over a few ids (as a curriculum on them trained): the softmax over those alone, by hand.
  const ids = [0, 2, 3, 5, 8];
  const few = rows.map((r) => r.map((t) => ids[t % ids.length]!));
  const fewTokens = { dtype: 'int64' as const, shape: [3, 9], data: BigInt64Array.from(few.flat().map(BigInt)) };
  const fewLogits = await model.run(few.map((r) => r.slice(0, 8)));
  let want = 0;
  for (let b = 0; b < 3; b++) for (let t = 0; t < 8; t++) {
    const row = fewLogits.data.subarray((b * 8 + t) * 11, (b * 8 + t + 1) * 11);
    want += (logSumExp(Float32Array.from(ids, (i) => row[i]!)) - row[few[b]![t + 1]!]!) / 24;
  }
  const got = await new SgldStep(transformerSamplingModel(model, 3, 8, 0, ids)).loss(model.weights, { tokens: fewTokens });
  assert.ok(Math.abs(got - want) < 1e-5, `over ${ids.length} ids: ${got} vs ${want}`);
  assert.throws(() => transformerSamplingModel(model, 3, 8, 0, [1, 11]), /llc: loss vocabulary: expected ids in 0\.\.10, got \[1, 11\]/);
});

test('estimateTransformerLLC: chains are reproducible from the seed and w0 is untouched', async () => {
  const model = new HookedTransformer(cfg);
  const before = Float32Array.from(model.weights['blocks.0.attn.W_Q']!.data);
  const stream = Int32Array.from({ length: 400 }, (_, i) => (i * 7) % 11);
  const run = (seed: number) => estimateTransformerLLC(model, tokenWindowBatches(stream, { batchSize: 4, length: 9, bosTokenId: null, seed: 1 }), {
    numChains: 2, numDraws: 5, numBurninSteps: 3, epsilon: 1e-4, gamma: 100, seed,
  });
  const [a, b, c] = [await run(0), await run(0), await run(1)];
  assert.deepEqual(a.lossTrace, b.lossTrace);
  assert.notDeepEqual(a.lossTrace, c.lossTrace);
  assert.notDeepEqual(a.lossTrace[0], a.lossTrace[1], 'chains draw different noise');
  assert.equal(a.nbeta, 4 / Math.log(4));
  assert.deepEqual(model.weights['blocks.0.attn.W_Q']!.data, before);
});

test('restrictVocabulary: the model on a few ids has the full model\'s loss over them, and the weights it reads', async () => {
  const model = new HookedTransformer({ ...cfg, bos_token_id: 10 });
  const ids = [0, 2, 3, 5, 8, 10];
  const rng = new Rng(6);
  const rows = Array.from({ length: 3 }, () => [10, ...Array.from({ length: 8 }, () => ids[rng.int(5)]!)]);
  const tokens = { dtype: 'int64' as const, shape: [3, 9], data: BigInt64Array.from(rows.flat().map(BigInt)) };
  const full = await new SgldStep(transformerSamplingModel(model, 3, 8, 0, ids)).loss(model.weights, { tokens });
  const r = restrictVocabulary(model, ids);
  assert.deepEqual([r.model.cfg.d_vocab, r.model.cfg.d_vocab_out, r.model.cfg.bos_token_id], [6, 6, 5]);
  const renumbered = r.renumber(tokens);
  assert.deepEqual(Array.from(renumbered.data.slice(0, 9), Number), rows[0]!.map((t) => ids.indexOf(t)));
  const small = await new SgldStep(transformerSamplingModel(r.model, 3, 8)).loss(r.model.weights, { tokens: renumbered });
  assert.ok(Math.abs(small - full) < 1e-5, `restricted ${small} vs full over the ids ${full}`);
  // 11 - 6 rows of W_E and columns of W_U (16 each) and entries of b_U are left out: the weights the loss never reads.
  const count = (w: Record<string, { data: Float32Array }>) => Object.values(w).reduce((n, t) => n + t.data.length, 0);
  assert.equal(count(model.weights) - count(r.model.weights), 5 * (16 + 16 + 1));
  assert.throws(() => r.renumber({ ...tokens, data: BigInt64Array.of(1n, ...tokens.data.slice(1)) }), /llc: token 1 of a batch is not in the loss vocabulary/);
  // estimateTransformerLLC samples the restricted model: the same chains as sampling it directly.
  const batches = () => ({ batchSize: 3, next: () => tokens });
  const opts = { numChains: 1, numDraws: 4, numBurninSteps: 2, epsilon: 1e-4, gamma: 100, seed: 2 };
  const viaFull = await estimateTransformerLLC(model, batches(), { ...opts, lossVocabulary: ids });
  const direct = await estimateTransformerLLC(r.model, { batchSize: 3, next: () => renumbered }, opts);
  assert.deepEqual(viaFull.lossTrace, direct.lossTrace);
  assert.equal(viaFull.numParams, count(r.model.weights));
});
