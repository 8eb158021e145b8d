import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { acdc, edgeAttributionPatching, eapIg, EdgeRunner, edgeKey, inductionTask, rankEdges, rocAuc } from '../../../src/analysis/discovery/index.js';
import { handBuiltInduction, T, V } from './handBuilt.js';

installNodeRuntime();

// With the first copy re-drawn (B + A), the induction head's queries (the second copy's tokens) are the same in both
// runs: its Q edge drops out of the circuit, and what remains is the path through the keys and values it reads.
const FIRST_HALF_EDGES = ['embed->L0H0.v', 'L0H0->L1H0.k', 'embed->L1H0.v', 'L1H0->logits'];

test('first-half corruption: B + A, targets on the second copy, log-probability metric', () => {
  const t = inductionTask({ d_vocab: 50, n_ctx: 21, bos_token_id: 49 }, { batch: 3, length: 10, corrupt: 'first-half', seed: 2 });
  assert.equal(t.metric, 'logprob');
  for (let b = 0; b < 3; b++) {
    assert.deepEqual(t.corrupt[b]!.slice(11), t.clean[b]!.slice(11), 'second copies agree');
    assert.ok(t.corrupt[b]!.slice(1, 11).every((x, i) => x !== t.clean[b]![1 + i]), 'first copies differ at every position');
  }
  assert.ok(t.targets.every((x) => x.wrong === undefined && x.pos >= 11));
  assert.throws(() => inductionTask({ d_vocab: 50, n_ctx: 21, bos_token_id: 49 }, { corrupt: 'first-half', metric: 'logit_diff' }), /first-half corruption has no wrong answer/);
});

test('first-half corruption on the hand-built model: EAP, EAP-IG and ACDC find the K-composition path', async () => {
  const model = handBuiltInduction();
  const task = inductionTask({ d_vocab: V, n_ctx: T, bos_token_id: null }, { batch: 4, length: 6, seed: 1, corrupt: 'first-half' });
  const runner = new EdgeRunner(model, task);
  const { clean, corrupt } = await runner.baselines('logprob');
  assert.ok(clean - corrupt > 1, `clean ${clean}, corrupt ${corrupt}`);
  const truth = new Set(FIRST_HALF_EDGES);
  for (const [name, edges] of [['eap', await edgeAttributionPatching(runner, 'logprob')], ['eap-ig', await eapIg(runner, 'logprob', 10)]] as const) {
    assert.deepEqual(rankEdges(edges).slice(0, truth.size).map(edgeKey).sort(), [...truth].sort(), name);
    assert.equal(rocAuc(edges, truth), 1, name);
  }
  const r = await acdc(runner, { tau: 0.01, metric: 'kl' });
  assert.deepEqual(r.edges.filter((e) => e.kept).map(edgeKey).sort(), [...truth].sort());
});
