// reproduce --suite addition's function: one-line errors for a bad --models, and the claims of a given run printed
// with the number behind each (a hand-built model, so nothing is trained here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { additionSuite } from '../../src/cli/additionSuite.js';
import { UsageError } from '../../src/cli/errors.js';
import { InputError } from '../../src/engine/errors.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { writeModelDir } from '../../src/io/modelDir.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { handBuiltAddition } from '../analysis/addition/handBuilt.js';

installNodeRuntime();

test('additionSuite --models: a missing folder, a file, two runs, a model of another task: one-line errors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-addition-'));
  const file = join(dir, 'notes.txt');
  await writeFile(file, 'x');
  await assert.rejects(additionSuite([join(dir, 'nope')], undefined, false), (e: Error) => e instanceof UsageError && e.message === `reproduce: --models ${join(dir, 'nope')}: no such run folder`);
  await assert.rejects(additionSuite([file], undefined, false), /^UsageError: reproduce: --models .*notes\.txt: no such run folder$/);
  await assert.rejects(additionSuite([dir, dir], undefined, false), /--suite addition --models takes one addition run \(got 2\)/);
  const other = join(dir, 'text');
  const m = new HookedTransformer({ n_layers: 1, d_model: 8, n_heads: 1, d_head: 8, d_vocab: 20, n_ctx: 12, attn_only: true });
  await writeModelDir(other, m.cfg, m.weights);
  await assert.rejects(additionSuite([other], undefined, false), (e: Error) => e instanceof InputError && !e.message.includes('\n')
    && e.message === `reproduce: --suite addition: ${other} has a vocabulary of 20 tokens, not the addition task's 13 (train --preset addition)`);
});

test('additionSuite --models on a hand-built model: every claim printed with its number; exit 1 as some fail', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-addition-'));
  const m = handBuiltAddition(3);
  await writeModelDir(dir, m.cfg, m.weights);
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  let code: number;
  try {
    code = await additionSuite([dir], undefined, false);
  } finally {
    console.log = log;
  }
  const out = lines.join('\n');
  assert.equal(code, 1, out);
  // It attends as built (base add and make carry hold) but its logits are no sum: accuracy fails.
  assert.match(out, /FAILS {2}a 1-layer model learns 3-digit addition/);
  assert.match(out, /HOLDS {2}each answer digit A_i reads its own pair D_i, D'_i \(base add\).*\n {8}measured: A0: H0 1\.000, A1: H0 1\.000, A2: H0 1\.000/);
  assert.match(out, /HOLDS {2}and the pair below.*\n {8}measured: A1: H1 1\.000, A2: H1 1\.000, A3: H1 1\.000/);
  // H1 at A0 has no pair below to read and attends uniformly (half of it on operands, a third of that in A0's
  // window): no stream there.
  assert.match(out, /FAILS {2}the sum splits into digit-specific streams.*\n {8}measured: lowest share 0\.333 \(A0, H1, which puts 0\.500 of its attention on operands\); per head, the pair offsets i - j read: H0 \[0,0,0,null\], H1 \[null,1,1,1\]/);
  assert.match(out, /claims failed/);
});
