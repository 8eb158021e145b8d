import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT } from './run.js';

// What a new user hit: extending a finished run, analyze's summary and the sections it skipped, --models A B C.

// On bytes (the preset's BPE would merge this test's short texts into a handful of tokens).
const small = ['--preset', 'attn-only-2l', '--tokenizer', 'bytes', '--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'n_ctx=16', '--batch-size', '4',
  '--warmup', '2', '--eval-every', '0', '--curriculum-steps', '0', '--log-every', '1'];

test('train --resume DIR --steps N extends a finished run and states the schedule', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-extend-'));
  await writeFile(join(dir, 'c.txt'), Array.from({ length: 80 }, (_, i) => `The cat number ${i} sat on the mat.`).join('\n'));
  const out = join(dir, 'run');
  const a = await cli(['train', ...small, '--data', join(dir, 'c.txt'), '--steps', '6', '--out', out]);
  assert.equal(a.code, 0, a.stderr);
  const b = await cli(['train', '--resume', out, '--steps', '10']);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stderr, /extending the run from 6 to 10 steps: the cosine learning-rate schedule now ends at step 10, so at step 6 it is [\d.e+-]+ \(was [\d.e+-]+\)/);
  const steps = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const meta = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { preset: { train: { steps: number } } };
  assert.equal(meta.preset.train.steps, 10);
  const c = await cli(['train', '--resume', out, '--steps', '4']);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /--steps 4: the run in .* is already at step 10/);
});

test('analyze leads with the finding, shows tokens as visible strings, and says what it skipped', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-an-'));
  await writeFile(join(dir, 'short.txt'), 'a few words only');
  await writeFile(join(dir, 'c.txt'), Array.from({ length: 80 }, (_, i) => `The cat number ${i} sat on the mat.`).join('\n'));
  const model = join(dir, 'run');
  const t = await cli(['train', ...small, '--data', join(dir, 'c.txt'), '--steps', '3', '--out', model]);
  assert.equal(t.code, 0, t.stderr);
  const r = await cli(['analyze', model, '--prompt', '', '--text', join(dir, 'short.txt')]);
  assert.equal(r.code, 0, r.stderr);
  const first = r.stdout.split('\n')[0]!;
  assert.match(first, /: (induction head L1H\d \([\d.]+\)(, fed by previous-token head L0H\d \([\d.]+\))?|no induction head \(the strongest induction score is L\dH\d, -?[\d.]+\); strongest previous-token head L\dH\d \([\d.]+\))$/);
  assert.match(r.stdout, /not shown: the logit lens and direct logit attribution: --prompt "" is 1 token with BOS; they need at least 2/);
  assert.match(r.stdout, /not shown: the in-context-learning score: --text .*short\.txt is too short/);
  assert.doesNotMatch(r.stdout, /\ufffd/, 'no replacement characters');
  const p = await cli(['analyze', model, '--prompt', 'the cat\tsat\n', '--text', join(dir, 'short.txt')]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /^prompt: <\|BOS\|> t h e · c a t → s a t ↵$/m, 'whitespace shown visibly');
  assert.doesNotMatch(p.stdout, /to token \d+ /, 'the predicted token is shown as a string, not an id');
});

test('reproduce --models A B C as the help writes it', { timeout: 300_000 }, async () => {
  const f = join(ROOT, 'test/fixtures/attn-only-2l');
  const r = await cli(['reproduce', '--models', f, f, f, '--json']);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const out = JSON.parse(r.stdout) as { claims: unknown[] };
  assert.ok(out.claims.length > 0);
});
