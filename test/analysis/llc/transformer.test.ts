// The transformer wrapper: its loss is the model's own next-token loss, its chains are reproducible from the seed,
// and the model's weights (w0) are left as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/engine/index.js';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../../src/model/hookedTransformer.js';
import { estimateTransformerLLC, tokenWindowBatches, transformerSamplingModel, SgldStep } from '../../../src/analysis/llc/index.js';
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
