// reproduce --seeds: the argument errors, each claim printed once over seeds with how many it held on, and the
// two-layer run's LLC-stage claims on a small run with checkpoints (no real preset is trained here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run.js';
import { claimsOverSeeds, frameworkRunDir, presetRunDir, printClaimsOverSeeds, REPRODUCE_LLC } from '../../src/cli/frameworkRuns.js';
import { LLC_RISES_CLAIM, LLC_STAGE_CLAIM } from '../../src/analysis/llc/index.js';
import { getPreset } from '../../src/train/presets.js';

test('reproduce --seeds: one-line errors for a bad count and for --models beside it', async () => {
  for (const [args, message] of [
    [['reproduce', '--seeds', '0'], /^circuitscope: reproduce: --seeds expects an integer from 1 to 100, got 0$/],
    [['reproduce', '--seeds', 'three'], /^circuitscope: reproduce: --seeds expects a non-negative integer, got three$/],
    [['reproduce', '--seeds', '2', '--models', 'a', 'b', 'c'], /^circuitscope: reproduce: --seeds trains the models on each seed; --models analyses given ones, so the two do not go together$/],
    [['reproduce', '--seeds', '2', '--suite', 'grokking', '--models', 'a'], /^circuitscope: reproduce: --seeds trains the models on each seed; --models analyses given ones, so the two do not go together$/],
    [['reproduce', '--suite', 'arithmetic'], /^circuitscope: reproduce: --suite arithmetic: expected framework, grokking or addition$/],
    [['reproduce', '--suite', 'addition', '--models', 'a', 'b'], /^circuitscope: reproduce: --suite addition --models takes one addition run \(got 2\)$/],
    [['reproduce', '--suite', 'addition', '--models', 'no-such-run'], /^circuitscope: reproduce: --models no-such-run: no such run folder$/],
  ] as const) {
    const r = await cli([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim().replace(/ \(see circuitscope reproduce --help\)$/, ''), message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('frameworkRunDir: seed 0 keeps the layout runs had before seeds, others go to seed-K', () => {
  assert.equal(frameworkRunDir('runs/reproduce', 0, 2), join('runs/reproduce', '2l'));
  assert.equal(frameworkRunDir('runs/reproduce', 2, 0), join('runs/reproduce', 'seed-2', '0l'));
});

/** Captures console.log while `f` runs. */
function printed(f: () => void): string {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    f();
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

test('claimsOverSeeds: each claim once, its number on every seed, held on how many; printed that way', () => {
  const perSeed = [
    { seed: 0, claims: [{ claim: 'A', measured: '0.9', holds: true }, { claim: 'B', measured: '0.1', holds: false }] },
    { seed: 1, claims: [{ claim: 'A', measured: '0.8', holds: true }, { claim: 'B', measured: '0.7', holds: true }, { claim: 'C', measured: 'x', holds: true }] },
    { seed: 2, claims: [{ claim: 'B', measured: '0.6', holds: true }, { claim: 'A', measured: '0.2', holds: false }] },
  ];
  const c = claimsOverSeeds(perSeed);
  assert.deepEqual(c.map((x) => [x.claim, x.heldOn, x.holds]), [['A', 2, false], ['B', 2, false], ['C', 1, false]]);
  assert.deepEqual(c[0]!.seeds, [{ seed: 0, measured: '0.9', holds: true }, { seed: 1, measured: '0.8', holds: true }, { seed: 2, measured: '0.2', holds: false }]);
  assert.equal(c[0]!.measured, 'seed 0: 0.9 | seed 1: 0.8 | seed 2: 0.2');
  assert.equal(c[2]!.seeds[0]!.measured, 'not checked on this seed');
  const out = printed(() => printClaimsOverSeeds(c, ['attn-only-0l: brown']));
  assert.match(out, /^data the models saw:\n {2}attn-only-0l: brown\n/);
  assert.equal((out.match(/^(HOLDS|FAILS) on \d of 3 seeds {2}/gm) ?? []).length, 3, out);
  assert.match(out, /^FAILS on 2 of 3 seeds {2}A\n {8}seed 0: 0\.9\n {8}seed 1: 0\.8\n {8}seed 2: \(fails\) 0\.2$/m);
  assert.match(out, /3 of 3 claims failed on some seed: A \(held on 2 of 3\); B \(held on 2 of 3\); C \(held on 1 of 3\)$/);

  const all = claimsOverSeeds(perSeed.map((s) => ({ ...s, claims: s.claims.map((x) => ({ ...x, holds: true })) })));
  assert.ok(all.slice(0, 2).every((x) => x.holds && x.heldOn === 3));
  // One seed prints as reproduce always did: HOLDS/FAILS, the claim, its measured line.
  const one = claimsOverSeeds([perSeed[0]!]);
  assert.deepEqual(one.map((x) => [x.claim, x.measured, x.holds, x.heldOn]), [['A', '0.9', true, 1], ['B', '0.1', false, 0]]);
  assert.match(printed(() => printClaimsOverSeeds(one, [])), /^HOLDS {2}A\n {8}measured: 0\.9\nFAILS {2}B\n {8}measured: 0\.1\n\n1 of 2 claims failed: B$/);
});

test('reproduce --models with a two-layer run that kept checkpoints: the LLC-stage claims with their numbers', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-repro-llc-'));
  const text = Array.from({ length: 60 }, (_, i) => `The cat number ${i} sat on the mat and looked at the dog number ${i % 7}.`).join('\n');
  await writeFile(join(dir, 'a.txt'), text);
  const run = join(dir, '2l');
  const small = ['--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'n_ctx=16', '--batch-size', '4', '--warmup', '2'];
  const t = await cli(['train', '--preset', 'attn-only-2l', '--data', dir, '--out', run, '--steps', '12', '--eval-every', '2', '--log-every', '1', '--curriculum-steps', '6', '--checkpoints', 'every:1', ...small]);
  assert.equal(t.code, 0, t.stderr);
  const r = await cli(['reproduce', '--models', run, run, run, '--json'], { timeoutMs: 280_000 });
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const out = JSON.parse(r.stdout) as {
    claims: { claim: string; measured: string; holds: boolean }[];
    llc: { window: { data: string; from: number; to: number }; points: { step: number; llcMean: number }[]; report: { rise: { start: number; end: number } } };
  };
  const llc = out.claims.filter((c) => c.claim === LLC_RISES_CLAIM || c.claim === LLC_STAGE_CLAIM);
  assert.equal(llc.length, 2, JSON.stringify(out.claims.map((c) => c.claim)));
  // At most REPRODUCE_LLC.maxCheckpoints of the 13, all within the window the score rose in (on past the rise by
  // its own length); the measured line names them.
  const steps = out.llc.points.map((p) => p.step);
  assert.ok(steps.length >= 3 && steps.length <= REPRODUCE_LLC.maxCheckpoints, steps.join(' '));
  assert.ok(steps.every((s) => s >= out.llc.window.from && s <= out.llc.window.to), `${steps.join(' ')} in ${JSON.stringify(out.llc.window)}`);
  assert.ok(out.llc.points.every((p) => Number.isFinite(p.llcMean)));
  const { start, end } = out.llc.report.rise;
  assert.match(llc[1]!.measured, new RegExp(`the induction score rises -?\\d\\.\\d\\d -> \\d\\.\\d\\d over steps ${start}-${end}`));
  assert.match(r.stderr, /LLC of .* at \d+ checkpoints, 2 chains x 60 SGLD steps/);
});

test('reproduce --seeds 2 reuses finished runs in DIR/{0l,1l,2l} and DIR/seed-1/, and prints each claim over both seeds', { timeout: 300_000 }, async () => {
  // One small trained run, copied to the six places reproduce looks; a last metrics line past every preset's
  // steps marks each as finished, so nothing is trained.
  const dir = await mkdtemp(join(tmpdir(), 'cs-repro-seeds-'));
  const text = Array.from({ length: 60 }, (_, i) => `The cat number ${i} sat on the mat and looked at the dog number ${i % 7}.`).join('\n');
  await writeFile(join(dir, 'a.txt'), text);
  const run = join(dir, 'small');
  const small = ['--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'n_ctx=16', '--batch-size', '4', '--warmup', '2'];
  const t = await cli(['train', '--preset', 'attn-only-2l', '--data', dir, '--out', run, '--steps', '4', '--log-every', '1', '--eval-every', '2', ...small]);
  assert.equal(t.code, 0, t.stderr);
  const out = join(dir, 'out');
  for (const seed of [0, 1]) {
    for (const l of [0, 1, 2]) {
      const d = frameworkRunDir(out, seed, l);
      await cp(run, d, { recursive: true });
      await appendFile(join(d, 'metrics.jsonl'), `${JSON.stringify({ step: 1_000_000 })}\n`);
    }
  }
  const r = await cli(['reproduce', '--seeds', '2', '--out', out, '--json'], { timeoutMs: 280_000 });
  assert.equal(r.code, 1, r.stderr);
  for (const d of ['0l', '1l', '2l', 'seed-1/0l', 'seed-1/1l', 'seed-1/2l']) assert.match(r.stderr, new RegExp(`reusing ${join(out, d)}\n`));
  const json = JSON.parse(r.stdout) as {
    claims: { claim: string; holds: boolean; heldOn: number; seeds: { seed: number; measured: string; holds: boolean }[] }[];
    seeds: { seed: number; dirs: string[]; claims: { claim: string; holds: boolean }[]; llc: unknown }[];
  };
  assert.deepEqual(json.seeds.map((s) => [s.seed, s.dirs]), [[0, [0, 1, 2].map((l) => join(out, `${l}l`))], [1, [0, 1, 2].map((l) => join(out, 'seed-1', `${l}l`))]]);
  // The same models on both seeds: every claim holds on both or on neither, and the LLC claims say why they are missing.
  for (const c of json.claims) {
    assert.deepEqual(c.seeds.map((x) => x.seed), [0, 1]);
    assert.equal(c.heldOn, c.seeds.filter((x) => x.holds).length);
    assert.ok(c.heldOn === 0 || c.heldOn === 2, c.claim);
  }
  const stage = json.claims.find((c) => c.claim === LLC_STAGE_CLAIM)!;
  assert.match(stage.seeds[1]!.measured, /^not measured: .*seed-1.2l: no checkpoints\/ folder .*delete it to retrain\)$/);
  // Printed: each claim once with both seeds' numbers.
  const p = await cli(['reproduce', '--seeds', '2', '--out', out], { timeoutMs: 280_000 });
  assert.equal(p.code, 1);
  assert.equal((p.stdout.match(/^(HOLDS|FAILS) on [012] of 2 seeds {2}/gm) ?? []).length, json.claims.length, p.stdout);
  assert.equal((p.stdout.match(/^ {8}seed [01]: /gm) ?? []).length, 2 * json.claims.length);
  assert.match(p.stdout, /claims failed on some seed: /);
});

test('presetRunDir: a one-run suite keeps seed 0 in DIR and puts seed K beside it in DIR-seed-K', () => {
  assert.equal(presetRunDir(join('runs', 'reproduce-addition'), 0), join('runs', 'reproduce-addition'));
  assert.equal(presetRunDir(join('runs', 'reproduce-addition'), 2), join('runs', 'reproduce-addition-seed-2'));
  assert.equal(presetRunDir('runs/add/', 1), 'runs/add-seed-1');
});

/** A 4-step run of a tiny addition model in `out`. */
async function trainTinyAddition(out: string): Promise<void> {
  const t = await cli(['train', '--preset', 'addition', '--out', out, '--steps', '4', '--log-every', '1', '--eval-every', '2', '--batch-size', '8', '--warmup', '1',
    '--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'd_mlp=32']);
  assert.equal(t.code, 0, t.stderr);
}

test('reproduce --suite addition --seeds 2 reuses finished runs in DIR and DIR-seed-1, and prints each claim over both seeds', { timeout: 300_000 }, async () => {
  // One tiny addition run copied to both places; a last metrics line past the preset's steps marks each as
  // finished, so nothing more is trained.
  const dir = await mkdtemp(join(tmpdir(), 'cs-repro-add-seeds-'));
  const run = join(dir, 'small');
  await trainTinyAddition(run);
  const out = join(dir, 'add');
  for (const d of [out, `${out}-seed-1`]) {
    await cp(run, d, { recursive: true });
    await appendFile(join(d, 'metrics.jsonl'), `${JSON.stringify({ step: 1_000_000 })}\n`);
  }
  const r = await cli(['reproduce', '--suite', 'addition', '--seeds', '2', '--out', out, '--json'], { timeoutMs: 280_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`reusing ${out}\n(.|\n)*reusing ${out}-seed-1\n`));
  const json = JSON.parse(r.stdout) as {
    claims: { claim: string; holds: boolean; heldOn: number; seeds: { seed: number; measured: string; holds: boolean }[] }[];
    seeds: { seed: number; dir: string; claims: { claim: string; measured: string }[]; analysis: { accuracy: { accuracy: number } } }[];
  };
  assert.deepEqual(json.seeds.map((s) => [s.seed, s.dir]), [[0, out], [1, `${out}-seed-1`]]);
  assert.equal(json.claims.length, 6);
  // The same model on both seeds: each claim's number is the same on both, and it holds on both or neither.
  for (const c of json.claims) {
    assert.deepEqual(c.seeds.map((x) => x.seed), [0, 1]);
    assert.equal(c.seeds[0]!.measured, c.seeds[1]!.measured);
    assert.ok(c.heldOn === 0 || c.heldOn === 2, c.claim);
  }
  // A 4-step model has not learned to add: the accuracy claim fails on both, with each seed's measured accuracy.
  assert.equal(json.claims[0]!.heldOn, 0);
  assert.match(json.claims[0]!.seeds[0]!.measured, new RegExp(`^${json.seeds[0]!.analysis.accuracy.accuracy.toFixed(3)} exact match`));
  const p = await cli(['reproduce', '--suite', 'addition', '--seeds', '2', '--out', out], { timeoutMs: 280_000 });
  assert.equal(p.code, 1);
  assert.equal((p.stdout.match(/^(HOLDS|FAILS) on [02] of 2 seeds {2}/gm) ?? []).length, 6, p.stdout);
  assert.match(p.stdout, /^data the models saw:\n {2}addition: .*\n {2}addition seed 1: /m);
});

test('reproduce reuses a run that finished an older preset with fewer steps, and says how to train the current one', { timeout: 120_000 }, async () => {
  // A finished 4-step addition run where `reproduce --suite addition` looks: short of the preset's steps, but done by
  // its own run.json. It used to be "resumed" (training nothing) under a message that said so.
  const dir = await mkdtemp(join(tmpdir(), 'cs-repro-older-'));
  const out = join(dir, 'add');
  await trainTinyAddition(out);
  const before = await readFile(join(out, 'metrics.jsonl'), 'utf8');
  const steps = getPreset('addition').train.steps;
  const r = await cli(['reproduce', '--suite', 'addition', '--out', out], { timeoutMs: 110_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^reusing ${out}, finished with the preset it was trained with \\(4 steps; addition now trains ${steps}\\): delete it to train the current preset$`, 'm'));
  assert.doesNotMatch(r.stderr, /resuming/);
  assert.equal(await readFile(join(out, 'metrics.jsonl'), 'utf8'), before, 'nothing was trained');
  assert.match(r.stdout, /a 1-layer model learns 3-digit addition/);
});
