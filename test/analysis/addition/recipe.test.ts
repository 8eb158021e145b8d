import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { getPreset } from '../../../src/train/presets.js';
import { buildAdditionRecipe } from '../../../src/train/recipes.js';
import { train } from '../../../src/train/trainer.js';
import { HookedTransformer } from '../../../src/model/hookedTransformer.js';
import { additionLayout, additionOperands, isHeldOut } from '../../../src/data/addition.js';
import { tokenRows } from '../../../src/data/metrics.js';
import { additionProbe, measureAddition } from '../../../src/analysis/addition/accuracy.js';

installNodeRuntime();

test('the addition preset: one layer with an MLP, loss on the answer digits only, a task the recipe reads', () => {
  const p = getPreset('addition');
  const task = p.data.task;
  assert.ok(task?.kind === 'addition');
  const L = additionLayout(task.digits);
  assert.deepEqual([p.model['n_layers'], p.model['attn_only'] ?? false, p.train.seqLen, p.train.lossFrom], [1, false, L.length - 1, L.answer.start - 1]);
  assert.ok((p.model['d_model'] as number) <= 128);
  const r = buildAdditionRecipe(p);
  assert.equal(r.config.d_vocab, 13);
  assert.equal(r.heldOut.length, task.heldOut);
});

test('a tiny addition run trains: fresh problems, never a held-out one, resumable batches, loss falls', async () => {
  const p = getPreset('addition');
  p.data.task = { kind: 'addition', digits: 2, heldOut: 64 };
  Object.assign(p.model, { d_model: 32, n_heads: 2, d_head: 16, d_mlp: 64, n_ctx: 9 });
  Object.assign(p.train, { steps: 40, batchSize: 64, seqLen: 9, lossFrom: 6, warmup: 5, lr: 1e-2, logEvery: 10, evalEvery: 20, evalBatches: 1 });
  const r = buildAdditionRecipe(p);
  assert.throws(() => buildAdditionRecipe({ ...p, train: { ...p.train, lossFrom: 0 } }), /2-digit addition trains on seqLen 9 with lossFrom 6 \(got 9 and 0\)/);
  for (const row of r.heldOut) {
    const { a, b } = additionOperands(row, 2);
    assert.ok(isHeldOut(a, b));
  }
  const first = tokenRows(r.train.next());
  const state = r.train.state();
  const second = tokenRows(r.train.next());
  r.train.restore(state);
  assert.deepEqual(tokenRows(r.train.next()), second);
  assert.notDeepEqual(first, second);
  for (const row of [...first, ...second]) {
    const { a, b } = additionOperands(row, 2);
    assert.ok(!isHeldOut(a, b), `${a} + ${b} is held out`);
    assert.equal(row[7]! * 100 + row[8]! * 10 + row[9]!, a + b);
  }
  r.train.restore(0);
  const model = new HookedTransformer(r.config);
  const before = await measureAddition(model, r.heldOut, 2);
  const losses: number[] = [];
  const out = await train(model, r.train, r.validation, p.train, { onMetrics: (m) => { losses.push(m.loss); } });
  assert.equal(out.status, 'done');
  const after = await measureAddition(model, r.heldOut, 2);
  // Three answer digits over 13 tokens start near ln 13 = 2.56 nats; 40 steps learn at least the digits' shape.
  assert.ok(before.loss > 2 && after.loss < before.loss - 0.5, `held-out loss ${before.loss} -> ${after.loss}; training ${losses.join(', ')}`);
  const probe = await additionProbe(model, r.heldOut, 2);
  assert.deepEqual(Object.keys(probe), ['test_accuracy', 'test_loss', 'accuracy_no_carry', 'accuracy_simple_carry', 'accuracy_cascade']);
  assert.ok(Math.abs(probe['test_loss']! - after.loss) < 1e-9);
});
