import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { headAblationEffects } from '../../src/analysis/ablation.js';
import { activationPatching, logitDiff } from '../../src/analysis/patching.js';

installNodeRuntime();

const model = () => new HookedTransformer({ n_layers: 2, d_model: 16, n_heads: 2, d_head: 8, d_vocab: 19, n_ctx: 8, attn_only: true, init_range: 0.6, seed: 12 });

test('zero ablation effects match a by-hand JS hook run; mean and resample of identical sequences change nothing', async () => {
  const m = model();
  const tokens = [[1, 2, 3, 4, 5, 6], [6, 1, 3, 3, 0, 2]];
  const zero = await headAblationEffects(m, tokens, 'zero');
  const hook = await m.runWithHooks(tokens, {
    'blocks.1.attn.hook_z': (z) => ({ ...z, data: z.data.map((v, i) => (Math.floor(i / 8) % 2 === 0 ? 0 : v)) }),
  });
  // loss of the hooked logits, by hand
  const V = 19;
  const T = 6;
  let s = 0;
  for (let b = 0; b < 2; b++) for (let p = 0; p < T - 1; p++) {
    const row = hook.data.subarray((b * T + p) * V, (b * T + p + 1) * V);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
    s += lse - row[tokens[b]![p + 1]!]!;
  }
  assert.ok(Math.abs(zero.loss[1]![0]! - s / (2 * (T - 1))) < 1e-4);
  assert.ok(zero.effect.flat().some((e) => Math.abs(e) > 1e-3));

  const same = [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]];
  for (const kind of ['mean', 'resample'] as const) {
    const r = await headAblationEffects(m, same, kind);
    for (const e of r.effect.flat()) assert.ok(Math.abs(e) < 1e-5, `${kind}: ${e}`);
  }
});

test('patching the residual where two prompts differ restores the clean run; elsewhere it does nothing', async () => {
  const m = model();
  const clean = [[3, 1, 4, 1, 5, 9]];
  const corrupt = [[3, 1, 7, 1, 5, 9]];
  const r = await activationPatching(m, clean, corrupt, logitDiff(2, 6), 'resid_pre');
  assert.equal(r.over, 'position');
  assert.ok(Math.abs(r.clean - r.corrupt) > 1e-3, 'the prompts must differ in metric for the test to mean anything');
  // layer 0: only position 2 differs between the runs
  r.normalized[0]!.forEach((v, p) => assert.ok(Math.abs(v - (p === 2 ? 1 : 0)) < 1e-4, `layer 0 position ${p}: ${v}`));
  // positions before the difference hold the same residual in both runs at every layer
  for (const row of r.normalized) for (const p of [0, 1]) assert.ok(Math.abs(row[p]!) < 1e-4);
  const z = await activationPatching(m, clean, corrupt, logitDiff(2, 6), 'z');
  assert.equal(z.metric[0]!.length, 2);
});
