// The core on onnxruntime-web's WASM backend, under Node: the same PyTorch fixtures as test/model/reference.test.ts
// (logits, losses, every activation to 1e-4), loaded from bytes by the core's readModelFiles, so the browser's
// engine path is tested without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { ortRuntime, setRuntime, clearSessions, type OrtModule } from '../../src/engine/index.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { readModelFiles, tokenizerFromFiles } from '../../src/model/import/modelFiles.js';
import { TrainStep } from '../../src/train/trainStep.js';
import { diff, fixtureFiles, reference, rows, TL_FIXTURES, GPT2_FIXTURES } from './fixtures.js';

ort.env.wasm.numThreads = 1;
setRuntime(ortRuntime(ort as unknown as OrtModule, { name: 'onnxruntime-web' }));

for (const name of TL_FIXTURES) {
  test(`onnxruntime-web (Node): ${name} logits, loss and every activation match PyTorch to 1e-4`, async () => {
    const files = await fixtureFiles(name);
    const { config, weights } = readModelFiles(files);
    const model = new HookedTransformer(config, weights, tokenizerFromFiles(files, config.tokenizer_name));
    const ref = await reference(name);
    const tokens = rows(ref['tokens']!);
    const { logits, cache } = await model.runWithCache(tokens, { names: () => true });
    assert.ok(diff(logits, ref['logits']!, 'logits') < 1e-4);
    assert.ok(Math.abs(Number((await model.loss(tokens)).data[0]) - Number(ref['loss']!.data[0])) < 1e-4);
    assert.ok(diff(await model.loss(tokens, { perToken: true }), ref['loss_per_token']!, 'loss_per_token') < 1e-4);
    for (const hook of model.hookNames) {
      assert.ok(ref[hook], `the fixture has ${hook}`);
      assert.ok(diff(cache.get(hook), ref[hook]!, hook) < 1e-4, hook);
    }
  });
}

for (const name of GPT2_FIXTURES) {
  test(`onnxruntime-web (Node): ${name} gives the reference logits`, async () => {
    const { config, weights } = readModelFiles(await fixtureFiles(name));
    const model = new HookedTransformer(config, weights, null);
    const ref = await reference(name);
    assert.ok(diff(await model.run(rows(ref['tokens']!)), ref['logits']!, 'logits') < 1e-4);
  });
}

test('onnxruntime-web (Node): a training step gives the same loss and weights as onnxruntime-node', async () => {
  const { config, weights } = readModelFiles(await fixtureFiles('gelu-2l-ln'));
  const B = 2;
  const T = config.n_ctx - 1;
  const data = new BigInt64Array(B * (T + 1)).map((_, i) => BigInt((i * 7 + 3) % config.d_vocab));
  const batch = { dtype: 'int64' as const, shape: [B, T + 1], data };
  const opt = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 };
  const run = async () => {
    const model = new HookedTransformer(config, { ...weights }, null);
    const step = new TrainStep(model, B, T, opt);
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) losses.push((await step.run(batch, 1e-2)).loss);
    return { losses, w: model.weights['blocks.1.mlp.W_in']!.data };
  };
  const web = await run();
  clearSessions();
  const { nodeRuntime } = await import('../../src/io/nodeRuntime.js');
  setRuntime(nodeRuntime());
  const native = await run();
  setRuntime(ortRuntime(ort as unknown as OrtModule, { name: 'onnxruntime-web' }));
  clearSessions();
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(web.losses[i]! - native.losses[i]!) < 1e-5, `step ${i}: ${web.losses[i]} vs ${native.losses[i]}`);
  assert.ok(web.losses[2]! < web.losses[0]!, 'the loss goes down');
  let d = 0;
  for (let i = 0; i < web.w.length; i++) d = Math.max(d, Math.abs(web.w[i]! - native.w[i]!));
  assert.ok(d < 1e-5, `weights after 3 steps differ by ${d}`);
});
