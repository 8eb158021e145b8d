// circuitscope llc on a small run with hand-written checkpoints: the table, the JSON with per-chain traces,
// essential dynamics, and one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../cli/run.js';
import { checkpointDir } from '../../../src/io/checkpoints.js';
import { llcOverTrainingRun } from '../../../src/io/llcRun.js';
import { loadModel } from '../../../src/io/loadModel.js';
import { writeModelDir } from '../../../src/io/modelDir.js';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../../src/model/hookedTransformer.js';
import type { StateDict } from '../../../src/model/weights.js';

installNodeRuntime();

const small = ['--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'n_ctx=16', '--batch-size', '4', '--warmup', '2', '--eval-every', '5', '--curriculum-steps', '5'];

async function smallRun(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cs-llc-'));
  const text = Array.from({ length: 60 }, (_, i) => `The cat number ${i} sat on the mat and looked at the dog number ${i % 7}.`).join('\n');
  await writeFile(join(dir, 'a.txt'), text);
  await writeFile(join(dir, 'b.txt'), text.split('').reverse().join(''));
  const out = join(dir, 'run');
  const r = await cli(['train', '--preset', 'attn-only-2l', '--data', dir, '--out', out, '--steps', '10', ...small]);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

test('llc RUN: a table over checkpoints, JSON with per-chain traces and essential dynamics; errors in one line', async () => {
  const run = await smallRun();
  const noCheckpoints = await cli(['llc', run]);
  assert.equal(noCheckpoints.code, 2);
  assert.match(noCheckpoints.stderr.trim(), /^circuitscope: .*checkpoints/);
  assert.equal(noCheckpoints.stderr.trim().split('\n').length, 1, noCheckpoints.stderr);

  // Checkpoints by hand: the initialisation, the trained weights, and their midpoint.
  const trained = await loadModel(run);
  const init = new HookedTransformer(trained.cfg);
  const mid: StateDict = {};
  for (const [k, t] of Object.entries(trained.weights)) mid[k] = { ...t, data: t.data.map((x, i) => (x + init.weights[k]!.data[i]!) / 2) };
  const tok = await readFile(join(run, 'tokenizer.json'), 'utf8');
  for (const [step, w] of [[0, init.weights], [5, mid], [10, trained.weights]] as const) {
    await writeModelDir(checkpointDir(run, step), trained.cfg, w, { 'tokenizer.json': tok });
  }

  const out = join(run, 'llc.json');
  const r = await cli(['llc', run, '--chains', '2', '--draws', '6', '--burnin', '4', '--batches', '3', '--epsilon', '1e-4', '--essential-dynamics', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  for (const step of [0, 5, 10]) assert.match(r.stdout, new RegExp(`^\\s+${step}\\s+-?\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}`, 'm'), r.stdout);
  assert.match(r.stdout, /essential dynamics/);
  const json = JSON.parse(await readFile(out, 'utf8')) as {
    points: { step: number; llcMean: number; llcPerChain: number[]; lossTrace: number[][] }[];
    options: { numChains: number; nbeta: number; batchSize: number };
    stages: { boundaries: unknown[] };
    essentialDynamics: { steps: number[]; trajectory: number[][] };
  };
  assert.deepEqual(json.points.map((p) => p.step), [0, 5, 10]);
  for (const p of json.points) {
    assert.equal(p.lossTrace.length, 2);
    assert.ok(p.lossTrace.every((t) => t.length === 6 && t.every(Number.isFinite)));
    assert.ok(Math.abs(p.llcMean - (p.llcPerChain[0]! + p.llcPerChain[1]!) / 2) < 1e-9);
  }
  assert.equal(json.options.nbeta, 8 / Math.log(8), "the default batch of 8 sequences, devinterp's nbeta");
  assert.deepEqual(json.essentialDynamics.steps, [0, 5, 10]);
  assert.equal(json.essentialDynamics.trajectory[0]!.length, 2);

  const bad = await cli(['llc', run, '--chains', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--chains expects an integer from 1/);
  const help = await cli(['llc', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--essential-dynamics/);
});

test('llc on an addition run: SGLD on fresh addition problems, essential dynamics on held-out sums', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-llc-add-'));
  const run = join(dir, 'run');
  const t = await cli(['train', '--preset', 'addition', '--out', run, '--steps', '6', '--batch-size', '16', '--eval-every', '3', '--checkpoints', 'every:3',
    '--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'd_mlp=32']);
  assert.equal(t.code, 0, t.stderr);
  const out = join(dir, 'llc.json');
  const r = await cli(['llc', run, '--chains', '2', '--draws', '5', '--burnin', '3', '--batches', '2', '--essential-dynamics', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(await readFile(out, 'utf8')) as { points: { step: number; llcMean: number; initLoss: number }[]; essentialDynamics: { steps: number[] } };
  assert.deepEqual(json.points.map((p) => p.step), [0, 3, 6]);
  for (const p of json.points) assert.ok(Number.isFinite(p.llcMean) && Number.isFinite(p.initLoss), JSON.stringify(p));
  assert.deepEqual(json.essentialDynamics.steps, [0, 3, 6]);
  assert.match(r.stdout, /\(batch 64\)/); // an addition run's default: 64 fresh problems per SGLD batch
});

test('llc on a frequent-id curriculum: replays its ids, and its loss over them as the run trained', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-llc-'));
  await writeFile(join(dir, 'a.txt'), Array.from({ length: 60 }, (_, i) => `The cat number ${i} sat on the mat.`).join('\n'));
  const run = join(dir, 'run');
  const r = await cli(['train', '--preset', 'attn-only-2l', '--tokenizer', 'bytes', '--data', dir, '--out', run, '--steps', '6', ...small, '--curriculum-ids', 'frequent',
    '--curriculum-until', 'none', '--seq-len-warmup', 'none']);
  assert.equal(r.code, 0, r.stderr);
  const trained = await loadModel(run);
  await writeModelDir(checkpointDir(run, 0), trained.cfg, new HookedTransformer(trained.cfg).weights, { 'tokenizer.json': await readFile(join(run, 'tokenizer.json'), 'utf8') });
  let description = '';
  const out = await llcOverTrainingRun(run, {
    data: 'curriculum', batches: 2, llc: { numChains: 1, numDraws: 2, numBurninSteps: 1, epsilon: 1e-5 }, onStart: (_c, _m, d) => { description = d; },
  });
  // The text has fewer than 256 distinct bytes: the curriculum drew all of them, and the replay does too (it used to
  // draw ids 0-255, the curriculum's default).
  const drawn = Number(/random tokens \(the (\d+) most frequent ids\)/.exec(description)?.[1]);
  assert.ok(drawn > 10 && drawn < 60, description);
  // At initialisation the logits are small (std about 0.8 here): the loss is a little above the log of how many ids
  // its softmax runs over, those and the BOS (ln 27 = 3.30 on this text), not of the vocabulary's 257 (5.55).
  const init = out.points[0]!.initLoss;
  assert.ok(init > Math.log(drawn + 1) && init < Math.log(drawn + 1) + 0.6, `initial loss ${init}, ln ${drawn + 1} = ${Math.log(drawn + 1)}`);
});

test('llc on a curriculum inside a sequence-length warm-up with its own rows: SGLD batches of the size asked for', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-llc-'));
  await writeFile(join(dir, 'a.txt'), Array.from({ length: 60 }, (_, i) => `The cat number ${i} sat on the mat.`).join('\n'));
  const run = join(dir, 'run');
  // The warm-up trains 12 rows of 16 tokens a step; the LLC asks for 3 rows of the curriculum, not the warm-up's 12.
  const r = await cli(['train', '--preset', 'attn-only-2l', '--tokenizer', 'bytes', '--data', dir, '--out', run, '--steps', '6', ...small, '--set', 'n_ctx=32',
    '--curriculum-steps', '4', '--curriculum-until', 'none', '--seq-len-warmup', '16:4:12']);
  assert.equal(r.code, 0, r.stderr);
  const trained = await loadModel(run);
  await writeModelDir(checkpointDir(run, 0), trained.cfg, new HookedTransformer(trained.cfg).weights, { 'tokenizer.json': await readFile(join(run, 'tokenizer.json'), 'utf8') });
  let rows = 0;
  let description = '';
  await llcOverTrainingRun(run, {
    data: 'curriculum', batchSize: 3, batches: 2, llc: { numChains: 1, numDraws: 2, numBurninSteps: 1, epsilon: 1e-5 }, onStart: (_c, m, d) => { rows = m; description = d; },
  });
  assert.equal(rows, 3, description);
  assert.match(description, /in sequences of 17/);
});
