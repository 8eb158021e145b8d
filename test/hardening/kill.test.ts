import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../cli/run.js';
import { loadModel } from '../../src/io/loadModel.js';
import { RunDir } from '../../src/io/runDir.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { Rng } from '../../src/engine/random.js';

// SIGKILL at random moments, repeatedly (with a checkpoint every step, kills land in checkpoint writes too):
// the last checkpoint always loads, and --resume ends with the losses of an unbroken run.
// CIRCUITSCOPE_FUZZ=long: more kills of a longer run.

const LONG = process.env['CIRCUITSCOPE_FUZZ'] === 'long';
const STEPS = LONG ? 60 : 24;
const KILLS = LONG ? 15 : 3;
const small = ['--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'n_ctx=16', '--batch-size', '4', '--warmup', '2',
  '--eval-every', '5', '--log-every', '1', '--checkpoint-every', '1', '--curriculum-steps', '6'];

installNodeRuntime();

const losses = async (dir: string) => (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss: number });

test(`SIGKILL ${KILLS} times at random moments: a loadable checkpoint each time, and --resume matches an unbroken run`, { timeout: LONG ? 1_800_000 : 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-kill-'));
  const text = Array.from({ length: 80 }, (_, i) => `The cat number ${i} sat on the mat and looked at the dog number ${i % 7}.`).join('\n');
  await writeFile(join(dir, 'corpus.txt'), text);
  const common = ['--preset', 'attn-only-2l', '--data', join(dir, 'corpus.txt'), '--steps', String(STEPS), ...small];
  const straight = join(dir, 'straight');
  const a = await cli(['train', ...common, '--out', straight]);
  assert.equal(a.code, 0, a.stderr);

  const run = join(dir, 'broken');
  const rng = new Rng(Number(process.env['CIRCUITSCOPE_FUZZ_SEED'] ?? 18));
  let killed = 0;
  let midWrite = 0;
  let args = ['train', ...common, '--out', run, '--json'];
  for (let attempt = 0; attempt < KILLS * 3 && killed < KILLS; attempt++) {
    // Wait for a random number of metrics lines (the first checkpoint follows the first line), then a random delay.
    const after = 2 + Math.floor(rng.uniform() * 4);
    const delay = rng.uniform() * 40;
    let lines = 0;
    let armed = false;
    const r = await cli(args, {
      onStdout: (chunk, kill) => {
        lines += chunk.split('\n').length - 1;
        if (!armed && lines >= after) {
          armed = true;
          setTimeout(() => kill('SIGKILL'), delay);
        }
      },
    });
    if (r.code === 0) break; // finished before the kill landed
    assert.equal(r.code, null, `killed, not failed: ${r.stderr}`);
    killed++;
    if ((await readdir(run)).some((f) => f.endsWith('.tmp'))) midWrite++;
    // The last checkpoint loads as a model and as a checkpoint to resume.
    const model = await loadModel(run);
    assert.ok(model.cfg.n_layers === 2);
    const c = await new RunDir(run).loadCheckpoint();
    assert.ok(c.step >= 1 && c.step <= STEPS, `checkpoint step ${c.step}`);
    args = ['train', '--resume', run, '--json'];
  }
  const last = await cli(['train', '--resume', run]);
  assert.equal(last.code, 0, last.stderr);
  const got = await losses(run);
  assert.ok(got.length === STEPS && got.every((r, i) => r.step === i + 1), 'one metrics line per step, none repeated');
  assert.deepEqual(got.map((r) => r.loss), (await losses(straight)).map((r) => r.loss));
  assert.ok(!(await readdir(run)).some((f) => f.endsWith('.tmp')), 'no temporary file is left behind');
  console.log(`# ${killed} kills, ${midWrite} during a checkpoint write`);
});
