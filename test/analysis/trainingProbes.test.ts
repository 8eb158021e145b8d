// The probes a run logs while it trains, and the head analysis over its checkpoints, read only the positions the
// model has trained on: during a sequence-length warm-up the rows of W_pos past it have had no gradient, so a probe
// that reaches them measures noise, not the heads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { trainingProbes } from '../../src/analysis/trainingProbes.js';
import { analyzeOverTraining } from '../../src/analysis/overTraining.js';
import { inContextLearningScore } from '../../src/analysis/detectors.js';
import { rowsToTensor } from '../../src/data/batches.js';
import { handBuiltInduction, T, V } from './discovery/handBuilt.js';

installNodeRuntime();

/** The hand-built induction model with W_pos rows from `from` on poisoned (NaN): positions it never trained. */
function untrainedPast(from: number) {
  const model = handBuiltInduction();
  const pos = model.weights['pos_embed.W_pos']!;
  const d = pos.shape[1]!;
  const data = Float32Array.from(pos.data);
  data.fill(Number.NaN, from * d);
  model.weights = { ...model.weights, 'pos_embed.W_pos': { ...pos, data } };
  return model;
}

const icl = rowsToTensor(Array.from({ length: 3 }, (_, b) => Array.from({ length: T }, (_, i) => (b * 7 + i * 3) % V)));

test('with the trained context the probes read no position past it and still find the induction head', async () => {
  const context = 8;
  const model = untrainedPast(context);
  const r = await trainingProbes(model, icl, context);
  const induction = r['induction_scores'] as number[][];
  const prev = r['previous_token_scores'] as number[][];
  // A repeat of 3 tokens fits in 8 positions (2 x 3, no BOS); L1H0 attends to the token after the earlier copy.
  assert.ok(induction[1]![0]! > 0.5, `L1H0 induction ${induction[1]![0]}`);
  assert.ok(prev[0]![0]! > 0.9, `L0H0 previous-token ${prev[0]![0]}`);
  for (const v of [...induction.flat(), ...prev.flat(), r['icl_score'] as number]) assert.ok(Number.isFinite(v), `${v}`);
  assert.equal(r['probe_context'], context, 'the record says how many positions the probes read');
  // The in-context-learning score is the one of the batch's first 8 tokens, by the definition.
  const first = [0, 1, 2].map((b) => Array.from(icl.data.subarray(b * T, b * T + context), Number));
  const per = await handBuiltInduction().loss(first, { perToken: true });
  assert.ok(Math.abs((r['icl_score'] as number) - inContextLearningScore(per)) < 1e-6);
});

test('without it the probes reach the untrained positions', async () => {
  const r = await trainingProbes(untrainedPast(8), icl);
  assert.ok(Number.isNaN(r['icl_score'] as number));
  assert.ok(Number.isNaN(r['max_induction_score'] as number));
  assert.equal(r['probe_context'], undefined);
});

test('analyze --over-training reads a warm-up checkpoint\'s heads on the positions it had trained', async () => {
  const model = untrainedPast(8);
  const checkpoints = [{ step: 5, load: async () => model }];
  const r = await analyzeOverTraining(checkpoints, { analyses: ['heads'], trainedContext: (step) => (step <= 10 ? 8 : T) });
  assert.ok(r.series['induction L1H0']![0]! > 0.5, `L1H0 induction ${r.series['induction L1H0']![0]}`);
  for (const [name, v] of Object.entries(r.series)) assert.ok(Number.isFinite(v[0]), `${name} ${v[0]}`);
  const blind = await analyzeOverTraining(checkpoints, { analyses: ['heads'] });
  assert.ok(Number.isNaN(blind.series['induction L1H0']![0]));
});
