import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inductionTask, parseTask } from '../../../src/analysis/discovery/tasks.js';
import { buildGraph } from '../../../src/analysis/discovery/graph.js';

const cfg = { d_vocab: 50, n_ctx: 16 };

test('a JSON task file: parsed, and every mistake is one line naming the file and field', () => {
  const ok = parseTask({ metric: 'logit_diff', prompts: [{ clean: [1, 2, 3], corrupt: [4, 2, 3], answer: 7, wrong: 8 }] }, 't.json', cfg);
  assert.deepEqual(ok.targets, [{ batch: 0, pos: 2, answer: 7, wrong: 8 }]);
  const bad = (json: unknown, re: RegExp) => assert.throws(() => parseTask(json, 't.json', cfg), (e: unknown) => e instanceof Error && e.name === 'InputError' && re.test(e.message) && !e.message.includes('\n'));
  bad([], /^t\.json: the task must be a JSON object/);
  bad({ prompts: [] }, /^t\.json: prompts must be a non-empty array/);
  bad({ metric: 'acc', prompts: [{}] }, /^t\.json: metric must be one of logit_diff, logprob, prob, kl/);
  bad({ prompts: [{ clean: [1, 2], corrupt: [1], answer: 1, wrong: 2 }] }, /^t\.json: prompts\[0\]\.corrupt has 1 tokens, clean has 2/);
  bad({ prompts: [{ clean: [1, 99], corrupt: [1, 2], answer: 1, wrong: 2 }] }, /^t\.json: prompts\[0\]\.clean\[1\] must be a token id in 0\.\.49/);
  bad({ prompts: [{ clean: [1, 2], corrupt: [1, 2], answer: 1 }] }, /^t\.json: prompts\[0\]\.wrong is required by the logit_diff metric/);
  bad({ prompts: [{ clean: 'hi', corrupt: [1, 2], answer: 1, wrong: 2 }] }, /^t\.json: prompts\[0\]\.clean is text, but the model has no tokenizer/);
});

test('the induction task and the graph: targets on the second copy, edges from every earlier writer', () => {
  const t = inductionTask({ d_vocab: 50, n_ctx: 21, bos_token_id: 49 }, { batch: 2, length: 10 });
  assert.equal(t.clean[0]!.length, 21);
  assert.deepEqual(t.clean[0]!.slice(1, 11), t.clean[0]!.slice(11));
  assert.deepEqual(t.corrupt[0]!.slice(1, 11), t.corrupt[0]!.slice(11));
  assert.equal(t.targets.length, 2 * 9);
  for (const x of t.targets) assert.equal(x.answer, t.clean[x.batch]![x.pos + 1]);
  const g = buildGraph({ n_layers: 2, n_heads: 2, attn_only: false });
  assert.deepEqual(g.writers, ['embed', 'L0H0', 'L0H1', 'mlp0', 'L1H0', 'L1H1', 'mlp1']);
  // layer 0: 6 readers x 1, mlp0: 3, layer 1: 6 x 4, mlp1: 6, logits: 7
  assert.equal(g.edges.length, 6 + 3 + 24 + 6 + 7);
  assert.ok(g.edges.some((e) => e.from === 'L0H1' && e.to === 'L1H0.k'));
  assert.ok(!g.edges.some((e) => e.from === 'L1H0' && e.to === 'L1H1.q'));
});
