// TransformerLens's weight processing on the Hugging Face architectures: every step that applies leaves the
// log-probabilities of the reference tokens unchanged (to 1e-4 of the unprocessed model's), RMSNorm folds to
// RMSPre with its gain in the reading matrices (W_gate included), grouped-query value biases fold into b_O, and
// the steps that do not apply are skipped with TransformerLens's reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { loadModel } from '../../src/io/loadModel.js';
import { processWeights } from '../../src/model/processing.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { rows } from '../browser/fixtures.js';
import { archDir, archReference } from './archFixtures.js';

installNodeRuntime();

const EXPECT: Record<string, { norm: string; skipped: RegExp[] }> = {
  llama: { norm: 'RMSPre', skipped: [/^centreWritingWeights: RMSNorm does not centre/] },
  qwen2: { norm: 'RMSPre', skipped: [/^centreWritingWeights: RMSNorm does not centre/] },
  gemma: { norm: 'RMSPre', skipped: [/^centreWritingWeights: RMSNorm does not centre/] },
  gemma2: { norm: 'RMS', skipped: [/^foldLn: ln1_post and ln2_post/, /^centreWritingWeights: RMSNorm/, /^centreUnembed: the logits are soft-capped/] },
  gpt_neox: { norm: 'LNPre', skipped: [] },
  gpt_neo: { norm: 'LNPre', skipped: [] },
};

for (const [name, want] of Object.entries(EXPECT)) {
  test(`${name}: processWeights keeps the log-probabilities and skips what TransformerLens skips`, async () => {
    const model = await loadModel(archDir(name));
    const tokens = rows((await archReference(name))['tokens']!);
    const p = processWeights(model.cfg, model.weights);
    assert.equal(p.config.normalization_type, want.norm);
    assert.equal(p.skipped.length, want.skipped.length, p.skipped.join('\n'));
    want.skipped.forEach((re, i) => assert.match(p.skipped[i]!, re));
    if (want.norm === 'RMSPre') assert.ok(!Object.keys(p.weights).some((k) => /ln(1|2|_final)\.w$/.test(k)), 'the gains are gone');
    const kv = model.cfg.n_key_value_heads !== null ? '_' : '';
    assert.ok(p.weights[`blocks.0.attn.${kv}b_V`]!.data.every((x) => x === 0), 'value biases folded');
    const processed = new HookedTransformer(p.config, p.weights);
    const a = (await model.loss(tokens, { perToken: true })).data;
    const b = (await processed.loss(tokens, { perToken: true })).data;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    assert.ok(worst < 1e-4, `worst per-token loss difference ${worst}`);
  });
}

test('qwen2 has value biases to fold (the test above is not vacuous there)', async () => {
  const model = await loadModel(archDir('qwen2'));
  assert.ok(model.weights['blocks.0.attn._b_V']!.data.some((x) => x !== 0));
  assert.ok(model.weights['blocks.0.ln1.w']!.data.some((x) => Math.abs(x - 1) > 0.05), 'RMS gains are not ones');
});
