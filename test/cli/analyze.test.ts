import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT } from './run.js';

const small = ['--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'n_ctx=16', '--batch-size', '4', '--warmup', '2', '--steps', '6'];

test('analyze --json on a TransformerLens-format model gives the versioned report', async () => {
  const r = await cli(['analyze', join(ROOT, 'test/fixtures/attn-only-2l'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(report['schema'], 'circuitscope.analysis/2');
  const det = report['detectors'] as { induction: number[][] };
  assert.equal(det.induction.length, 2);
  assert.equal(det.induction[0]!.length, 2);
  assert.ok(report['copying'] && report['composition'] && report['skipTrigrams']);
});

test('analyze and reproduce on trained runs: a summary, and every claim printed with its number', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-repro-'));
  const text = Array.from({ length: 80 }, (_, i) => `The cat number ${i} sat on the mat and looked at the dog number ${i % 7}.`).join('\n');
  await writeFile(join(dir, 'a.txt'), text);
  for (const l of [0, 1, 2]) {
    const r = await cli(['train', '--preset', `attn-only-${l}l`, ...(l === 2 ? ['--tokenizer', 'bytes'] : []), '--data', dir, '--out', join(dir, `${l}l`), ...small]);
    assert.equal(r.code, 0, r.stderr);
  }
  // The two-layer run reads bytes here and its n_ctx is 16: a prompt of 15 bytes fits, a longer one is refused.
  const long = await cli(['analyze', join(dir, '2l'), '--prompt', 'The cat number 3 sat on the mat']);
  assert.equal(long.code, 2);
  assert.match(long.stderr, /--prompt is 32 tokens with BOS, more than the model's n_ctx \(16\)/);
  const a = await cli(['analyze', join(dir, '2l'), '--prompt', 'The cat sat on', '--text', dir]);
  assert.equal(a.code, 0, a.stderr);
  for (const s of ['induction scores', 'copying scores', 'composition', 'term importance', 'logit lens', 'direct logit attribution']) assert.match(a.stdout, new RegExp(s));
  const r = await cli(['reproduce', '--models', join(dir, '0l'), '--models', join(dir, '1l'), '--models', join(dir, '2l')]);
  // Six steps of training cannot form an induction head: reproduce must say which claims fail and exit 1.
  assert.equal(r.code, 1, r.stderr);
  assert.equal((r.stdout.match(/^(HOLDS|FAILS) /gm) ?? []).length, 10);
  assert.match(r.stdout, /FAILS +the two-layer model has an induction head/);
  assert.match(r.stdout, /measured: L1H\d induction 0\.\d+/);
  assert.match(r.stdout, /claims failed/);
});

test('analyze refuses a missing directory with one line', async () => {
  const r = await cli(['analyze', '/nonexistent/model']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\/nonexistent\/model\/config\.json: no such file/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
