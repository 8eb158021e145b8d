import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { modularAdditionDataset, modularAdditionTensor } from '../../src/data/index.js';
import { getPreset } from '../../src/train/presets.js';
import { buildModularRecipe } from '../../src/train/recipes.js';
import { TrainStep } from '../../src/train/trainStep.js';
import { train, type Checkpoint } from '../../src/train/trainer.js';
import { trainRun } from '../../src/io/trainRun.js';
import { listCheckpoints } from '../../src/io/checkpoints.js';
import { loadModel } from '../../src/io/loadModel.js';
import { analyzeRunOverTraining } from '../../src/io/overTrainingRun.js';
import { checkGrokkingClaims } from '../../src/analysis/grokking/claims.js';
import { modularLossAccuracy, modularSplit } from '../../src/analysis/grokking/progressMeasures.js';

installNodeRuntime();

const tiny = { n_layers: 1, d_model: 16, n_heads: 2, d_head: 8, d_mlp: 32, d_vocab: 8, n_ctx: 3, act_fn: 'relu' as const, normalization_type: null, seed: 3 };

test('the training loss counts only the prediction at = (lossFrom 2): it matches the cross-entropy at position 2 by hand', async () => {
  const model = new HookedTransformer(tiny);
  const ds = modularAdditionDataset(7, 0.5, 0);
  const rows = ds.train.slice(0, 6);
  const step = new TrainStep(model, rows.length, 3, { beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 1, maxGradNorm: null }, 2);
  const loss = await step.evalLoss(modularAdditionTensor(rows));
  const logits = await model.run(rows.map((r) => r.slice(0, 3)));
  const V = 8;
  let byHand = 0;
  for (const [i, r] of rows.entries()) {
    const o = (i * 3 + 2) * V;
    const xs = Array.from(logits.data.subarray(o, o + V), Number);
    const max = Math.max(...xs);
    byHand += Math.log(xs.reduce((s, x) => s + Math.exp(x - max), 0)) + max - xs[r[3]!]!;
  }
  assert.ok(Math.abs(loss - byHand / rows.length) < 1e-5, `${loss} vs ${byHand / rows.length}`);
  assert.throws(() => new TrainStep(model, 2, 3, { beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 1, maxGradNorm: null }, 3), /outside the sequence/);
});

test('the grokking presets are the paper\'s setting, and the recipe trains on the whole training split every step', () => {
  const g = getPreset('grokking');
  assert.equal(g.data.task?.kind === 'modular-addition' ? g.data.task.p : null, 113);
  assert.equal(g.train.batchSize, Math.round(0.3 * 113 * 113));
  assert.equal(g.train.weightDecay, 1);
  assert.deepEqual([g.train.beta1, g.train.beta2, g.train.lr, g.train.lossFrom], [0.9, 0.98, 1e-3, 2]);
  assert.deepEqual([g.model['normalization_type'], g.model['act_fn'], g.model['n_layers'], g.model['d_mlp']], [null, 'relu', 1, 512]);
  const p = getPreset('grokking-fast');
  p.data.task = { kind: 'modular-addition', p: 7, trainFraction: 0.5 };
  p.model = { ...p.model, ...tiny };
  p.train.batchSize = 25;
  const r = buildModularRecipe(p);
  const a = r.train.next();
  assert.deepEqual(a.shape, [25, 4]);
  assert.equal(r.train.next(), a);
  assert.equal(r.dataset.train.length + r.dataset.test.length, 49);
  p.train.batchSize = 24;
  assert.throws(() => buildModularRecipe(p), /full batch of modular addition is batchSize 25/);
});

test('a tiny grokking run keeps checkpoints, and the progress measures run at each of them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-grok-'));
  try {
    const preset = getPreset('grokking-fast');
    preset.data.task = { kind: 'modular-addition', p: 7, trainFraction: 0.5 };
    preset.model = { ...preset.model, ...tiny };
    Object.assign(preset.train, { steps: 30, batchSize: 25, lr: 1e-2, logEvery: 10, evalEvery: 10, checkpointEvery: 0, keepCheckpoints: { kind: 'every', interval: 10 } });
    const out = join(dir, 'run');
    const { outcome } = await trainRun({ preset, out, data: 'modular-addition' });
    assert.equal(outcome.status, 'done');
    assert.deepEqual((await listCheckpoints(out)).map((c) => c.step), [0, 10, 20, 30]);
    assert.deepEqual((await readdir(join(out, 'checkpoints', 'step-0000030'))).sort(), ['config.json', 'model.safetensors']);
    // The last kept checkpoint is the run's final model.
    const final = await loadModel(out);
    const last = await loadModel(join(out, 'checkpoints', 'step-0000030'));
    assert.deepEqual(last.weights['embed.W_E']!.data, final.weights['embed.W_E']!.data);
    const r = await analyzeRunOverTraining(out, null);
    assert.deepEqual(r.steps, [0, 10, 20, 30]);
    assert.deepEqual(r.analyses, ['grokking']);
    for (const name of ['train_loss', 'test_loss', 'train_accuracy', 'test_accuracy', 'sum_squared_weights', 'restricted_loss', 'excluded_loss']) {
      assert.equal(r.series[name]?.length, 4, name);
      assert.ok(r.series[name]!.every(Number.isFinite), name);
    }
    assert.ok(r.series['train_loss']![3]! < r.series['train_loss']![0]! - 0.2, `train loss ${r.series['train_loss']}`);
    // At step 0 the model is its seeded initialisation: the measures of a fresh model of the same config.
    const ds = modularAdditionDataset(7, 0.5, 3);
    const fresh = await modularLossAccuracy(new HookedTransformer({ ...tiny, d_vocab_out: 8 }), modularSplit(7, ds.train, ds.test));
    assert.ok(Math.abs(fresh.train_loss - r.series['train_loss']![0]!) < 1e-5);
    assert.ok(r.keyFrequencies && r.keyFrequencies.length > 0 && r.keyFrequencies.every((k) => k >= 1 && k <= 3));
    assert.equal(checkGrokkingClaims(r).length, 5);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('kept checkpoints survive a stop and resume: the same steps, the same weights as an unbroken run', async () => {
  const preset = getPreset('grokking-fast');
  preset.data.task = { kind: 'modular-addition', p: 7, trainFraction: 0.5 };
  preset.model = { ...preset.model, ...tiny };
  Object.assign(preset.train, { steps: 10, batchSize: 25, lr: 1e-2, logEvery: 5, evalEvery: 0, checkpointEvery: 0, keepCheckpoints: { kind: 'every', interval: 4 } });
  const run = async (stopAt?: number) => {
    const r = buildModularRecipe(preset);
    const model = new HookedTransformer(r.config);
    const kept = new Map<number, Float32Array>();
    const ctrl = new AbortController();
    let saved: Checkpoint | undefined;
    const hooks = {
      keepCheckpoint: async (step: number, w: Record<string, { data: Float32Array }>) => { kept.set(step, w['embed.W_E']!.data.slice()); },
      saveCheckpoint: async (c: Checkpoint) => { saved = c; },
      onStep: (s: number) => { if (s === stopAt) ctrl.abort(); },
      signal: ctrl.signal,
    };
    const first = await train(model, r.train, null, preset.train, hooks);
    if (first.status === 'stopped') {
      const r2 = buildModularRecipe(preset);
      const m2 = new HookedTransformer(r2.config);
      await train(m2, r2.train, null, preset.train, { ...hooks, signal: new AbortController().signal }, saved);
    }
    return kept;
  };
  const unbroken = await run();
  const resumed = await run(6);
  assert.deepEqual([...unbroken.keys()], [0, 4, 8, 10]);
  assert.deepEqual([...resumed.keys()].sort((a, b) => a - b), [0, 4, 8, 10]);
  for (const [step, w] of unbroken) assert.deepEqual(resumed.get(step), w, `step ${step}`);
});
