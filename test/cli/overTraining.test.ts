import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run.js';

const tiny = ['--modulus', '7', '--train-fraction', '0.5', '--set', 'd_model=16', '--set', 'd_head=8', '--set', 'n_heads=2', '--set', 'd_mlp=32'];

test('train --checkpoints keeps models; analyze --over-training measures each; reproduce --suite grokking checks the claims', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-over-'));
  try {
    const run = join(dir, 'g');
    const t = await cli(['train', '--preset', 'grokking-fast', '--out', run, '--steps', '12', '--checkpoints', 'log:4', '--log-every', '6', '--eval-every', '6', '--json', ...tiny]);
    assert.equal(t.code, 0, t.stderr);
    assert.deepEqual(await readdir(join(run, 'checkpoints')), ['step-0000000', 'step-0000001', 'step-0000005', 'step-0000012']);
    const meta = JSON.parse(await readFile(join(run, 'run.json'), 'utf8'));
    assert.deepEqual(meta.preset.train.keepCheckpoints, { kind: 'log', count: 4 });
    const lines = t.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(typeof lines.at(-1).test_accuracy === 'number' && typeof lines.at(-1).train_loss === 'number');

    const out = join(dir, 'over.json');
    const a = await cli(['analyze', run, '--over-training', '--out', out]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /4 checkpoints, steps 0 \.\. 12 \(grokking\)/);
    const r = JSON.parse(await readFile(out, 'utf8'));
    assert.deepEqual(r.steps, [0, 1, 5, 12]);
    assert.equal(r.series.restricted_loss.length, 4);

    const g = await cli(['reproduce', '--suite', 'grokking', '--models', run, '--json']);
    assert.equal(g.code, 1, 'a 12-step run has not grokked: the claims fail, exit 1');
    const claims = JSON.parse(g.stdout).claims;
    assert.equal(claims.length, 5);
    assert.ok(claims.every((c: { measured: string }) => c.measured.length > 0));

    for (const [args, msg] of [
      [['analyze', run, '--over-training', '--analyses', 'heads,nope'], /--analyses heads,nope: expected a comma-separated list of heads, loss, grokking/],
      [['analyze', run, '--over-training', '--analyses', 'loss'], /--analyses loss: .* has no text run.json/],
      [['analyze', dir, '--over-training'], /no checkpoints\/ folder/],
      [['train', '--preset', 'grokking-fast', '--out', join(dir, 'x'), '--checkpoints', 'log:1'], /--checkpoints: log:1: N must be from 2/],
      [['train', '--preset', 'attn-only-1l', '--out', join(dir, 'y'), '--modulus', '7'], /--modulus and --train-fraction apply to the grokking presets/],
      [['reproduce', '--suite', 'nope'], /--suite nope: expected framework, grokking or addition/],
    ] as const) {
      const r2 = await cli([...args]);
      assert.equal(r2.code, 2, `${args.join(' ')}: ${r2.stderr}`);
      assert.match(r2.stderr, msg);
      assert.doesNotMatch(r2.stderr, /at .*\.ts:\d+/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
