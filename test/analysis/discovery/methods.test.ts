import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import {
  acdc, attributionPatching, edgeAttributionPatching, eapIg, EdgeRunner, edgeKey, inductionTask, pathPatching, rankEdges, rocAuc, faithfulnessCurve,
} from '../../../src/analysis/discovery/index.js';
import { handBuiltInduction, T, TRUE_EDGES, V } from './handBuilt.js';

installNodeRuntime();

const model = handBuiltInduction();
const task = inductionTask({ d_vocab: V, n_ctx: T, bos_token_id: null }, { batch: 4, length: 6, seed: 1 });
const truth = new Set(TRUE_EDGES);

test('the hand-built model does induction, and the masked graph reproduces it', async () => {
  const runner = new EdgeRunner(model, task);
  const { clean, corrupt } = await runner.baselines('logit_diff');
  assert.ok(clean > 2, `clean logit diff ${clean}`);
  assert.ok(corrupt < -2, `corrupt logit diff ${corrupt}`);
  // Every edge kept = the model itself.
  const logits = await model.run(task.clean);
  let want = 0;
  for (const t of task.targets) {
    const row = (t.batch * T + t.pos) * V;
    want += logits.data[row + t.answer]! - logits.data[row + t.wrong!]!;
  }
  assert.ok(Math.abs(clean - want / task.targets.length) < 1e-4);
});

test('EAP, EAP-IG and attribution rank the true edges first (ROC AUC 1)', async () => {
  const runner = new EdgeRunner(model, task);
  for (const [name, edges] of [['eap', await edgeAttributionPatching(runner, 'logit_diff')], ['eap-ig', await eapIg(runner, 'logit_diff', 10)]] as const) {
    const top = rankEdges(edges).slice(0, TRUE_EDGES.length).map(edgeKey).sort();
    assert.deepEqual(top, [...TRUE_EDGES].sort(), name);
    assert.equal(rocAuc(edges, truth), 1, name);
    for (const e of edges) if (!truth.has(edgeKey(e))) assert.ok(Math.abs(e.score) < 1e-5, `${name} ${edgeKey(e)} ${e.score}`);
  }
  const nodes = await attributionPatching(runner, 'logit_diff');
  const byNode = new Map(nodes.map((n) => [n.node, Math.abs(n.score)]));
  for (const dead of ['L0H1', 'L1H1']) assert.ok(byNode.get(dead)! < 1e-5, dead);
  for (const live of ['L0H0', 'L1H0', 'embed']) assert.ok(byNode.get(live)! > 0.01, live);
});

test('attribution patching equals exact patching where the metric is linear in the activation', async () => {
  const runner = new EdgeRunner(model, task);
  const edges = await edgeAttributionPatching(runner, 'logit_diff');
  const { clean } = await runner.baselines('logit_diff');
  // With no LayerNorm, the logit difference is linear in the logits' input: every edge into it is exact.
  for (const e of edges.filter((x) => x.to === 'logits')) {
    const exact = (await pathPatching(runner, [e.from], ['logits'], 'logit_diff')).metric - clean;
    assert.ok(Math.abs(e.score - exact) < 1e-4, `${edgeKey(e)}: ${e.score} vs ${exact}`);
  }
  const nodes = await attributionPatching(runner, 'logit_diff');
  const l1h0 = nodes.find((n) => n.node === 'L1H0')!.score;
  const exact = (await pathPatching(runner, ['L1H0'], ['logits'], 'logit_diff')).metric - clean;
  assert.ok(Math.abs(l1h0 - exact) < 1e-4 && Math.abs(exact) > 1);
});

test('EAP-IG with many steps approaches the exact effect of patching the input', async () => {
  const runner = new EdgeRunner(model, task);
  const { clean, corrupt } = await runner.baselines('logit_diff');
  const exact = corrupt - clean;
  const fromEmbed = async (steps: number) => (await eapIg(runner, 'logit_diff', steps)).filter((e) => e.from === 'embed').reduce((s, e) => s + e.score, 0);
  const err1 = Math.abs((await fromEmbed(1)) - exact);
  const err50 = Math.abs((await fromEmbed(50)) - exact);
  assert.ok(err50 < 0.05 * Math.abs(exact), `50 steps: error ${err50} of ${exact}`);
  assert.ok(err50 < err1 / 5, `error 1 step ${err1}, 50 steps ${err50}`);
});

test('ACDC keeps exactly the true circuit (resample), and the position edges too under zero ablation', async () => {
  const r = await acdc(new EdgeRunner(model, task), { tau: 0.01 });
  assert.deepEqual(r.edges.filter((e) => e.kept).map(edgeKey).sort(), [...TRUE_EDGES].sort());
  const z = await acdc(new EdgeRunner(model, task, 'zero'), { tau: 0.01 });
  assert.deepEqual(z.edges.filter((e) => e.kept).map(edgeKey).sort(), [...TRUE_EDGES, 'embed->L0H0.q', 'embed->L0H0.k'].sort());
});

test('faithfulness: the true edges alone recover the clean behaviour; path patching through K', async () => {
  const runner = new EdgeRunner(model, task);
  const edges = await edgeAttributionPatching(runner, 'logit_diff');
  const curve = await faithfulnessCurve(runner, edges, 'logit_diff', [0, TRUE_EDGES.length, edges.length]);
  assert.ok(Math.abs(curve[0]!.recovered) < 1e-6);
  assert.ok(Math.abs(curve[1]!.recovered - 1) < 1e-4, `top ${TRUE_EDGES.length}: ${curve[1]!.recovered}`);
  assert.ok(Math.abs(curve[2]!.recovered - 1) < 1e-6);
  const k = await pathPatching(runner, ['L0H0'], ['L1H0.k'], 'logit_diff');
  assert.ok(k.normalized > 0.3, `prev-token -> induction K carries ${k.normalized}`);
  const dead = await pathPatching(runner, ['L0H1'], ['L1H0'], 'logit_diff');
  assert.ok(Math.abs(dead.normalized) < 1e-6);
});
