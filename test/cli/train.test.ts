import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run.js';

const small = ['--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'n_ctx=16', '--batch-size', '4', '--warmup', '2', '--eval-every', '5'];

async function corpus(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cs-train-'));
  const text = Array.from({ length: 60 }, (_, i) => `The cat number ${i} sat on the mat and looked at the dog number ${i % 7}.`).join('\n');
  await writeFile(join(dir, 'a.txt'), text);
  await writeFile(join(dir, 'b.txt'), text.split('').reverse().join(''));
  return dir;
}

const losses = async (dir: string) => (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss: number });

test('train writes a run directory, metrics with head scores, and --json progress', async () => {
  const data = await corpus();
  const out = join(data, 'run');
  const r = await cli(['train', '--preset', 'attn-only-2l', '--data', data, '--out', out, '--steps', '10', '--json', ...small]);
  assert.equal(r.code, 0, r.stderr);
  const files = await readdir(out);
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'trainer_state.safetensors', 'metrics.jsonl', 'run.json']) assert.ok(files.includes(f), f);
  assert.ok(!files.some((f) => f.endsWith('.tmp')), 'no temporary file is left behind');
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.at(-1)!['step'], 10);
  const withScores = lines.find((l) => l['induction_scores']);
  assert.ok(withScores, 'head scores are logged');
  assert.equal((withScores!['induction_scores'] as number[][]).length, 2);
  assert.equal(typeof withScores!['icl_score'], 'number');
  assert.equal(typeof lines.at(-1)!['val_loss'], 'number');
});

for (const [preset, extra] of [['attn-only-1l', []], ['attn-only-2l', ['--curriculum-steps', '5']]] as const) {
test(`Ctrl-C saves a checkpoint; --resume finishes with the losses of an unbroken run (${preset}${extra.length ? ', across the curriculum' : ''})`, async () => {
  const data = await corpus();
  const straight = join(data, 'straight');
  const a = await cli(['train', '--preset', preset, '--data', data, '--out', straight, '--steps', '40', '--log-every', '1', ...small, ...extra]);
  assert.equal(a.code, 0, a.stderr);

  const broken = join(data, 'broken');
  let sent = false;
  const b = await cli(['train', '--preset', preset, '--data', data, '--out', broken, '--steps', '40', '--json', '--log-every', '1', ...small, ...extra], {
    onStdout: (_chunk, kill) => {
      if (!sent) {
        sent = true;
        kill('SIGINT');
      }
    },
  });
  if (b.code === 0) {
    // The run finished before the signal landed (a fast machine): nothing to resume, but it must match.
    assert.deepEqual((await losses(broken)).map((r) => r.loss), (await losses(straight)).map((r) => r.loss));
    return;
  }
  assert.equal(b.code, 130, b.stderr);
  const c = await cli(['train', '--resume', broken]);
  assert.equal(c.code, 0, c.stderr);
  const resumed = await losses(broken);
  assert.ok(resumed.length === 40 && resumed.every((r, i) => r.step === i + 1), 'one metrics line per step, none repeated');
  assert.deepEqual(resumed.map((r) => r.loss), (await losses(straight)).map((r) => r.loss));
});
}

test('bad arguments get one line and a non-zero exit, not a stack trace', async () => {
  const r = await cli(['train', '--preset', 'nope', '--out', '/tmp/x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown preset nope/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const s = await cli(['train', '--out', '/tmp/x', '--steps', 'many']);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /--steps expects a non-negative integer, got many/);
  const t = await cli(['train', '--out', '/tmp/x', '--data', '/nonexistent/corpus']);
  assert.equal(t.code, 2);
  assert.match(t.stderr, /\/nonexistent\/corpus/);
  assert.doesNotMatch(t.stderr, /\n\s+at /);
  const u = await cli(['train', '--out', '/tmp/x', '--set', 'n_heads=0']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /n_heads/);
});

test('--decay N holds the learning rate after the warm-up and anneals it to --min-lr over the last N steps', async () => {
  const data = await corpus();
  const out = join(data, 'run');
  const r = await cli(['train', '--preset', 'attn-only-1l', '--data', data, '--out', out, '--steps', '12', '--log-every', '1',
    '--lr', '0.01', '--min-lr', '0.001', '--decay', '4', ...small]);
  assert.equal(r.code, 0, r.stderr);
  const lrs = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { lr: number }).lr);
  // Warm-up over steps 0-1, 0.01 through step 8, then the cosine from 0.01 to 0.001 over steps 8-12.
  const expected = [0.005, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.001 + 0.009 * (1 + Math.cos(Math.PI / 4)) / 2,
    0.0055, 0.001 + 0.009 * (1 + Math.cos((3 * Math.PI) / 4)) / 2];
  assert.equal(lrs.length, expected.length);
  lrs.forEach((lr, i) => assert.ok(Math.abs(lr - expected[i]!) < 1e-9, `step ${i + 1}: lr ${lr}, expected ${expected[i]}`));
  const e = await cli(['train', '--out', join(data, 'x'), '--decay', '0']);
  assert.equal(e.code, 2);
  assert.match(e.stderr, /--decay expects an integer from 1 to 10000000, got 0/);
});

test('--curriculum-until ends the curriculum at the first metrics line whose loss is below it, and says so', async () => {
  const data = await corpus();
  const out = join(data, 'run');
  const r = await cli(['train', '--preset', 'attn-only-2l', '--data', data, '--out', out, '--steps', '6', '--log-every', '3',
    '--curriculum-steps', '100', '--curriculum-until', '50', ...small]);
  assert.equal(r.code, 0, r.stderr);
  const meta = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { mix: string; preset: { data: { curriculum: unknown } } };
  assert.deepEqual(meta.preset.data.curriculum, { steps: 100, vocab: 256, untilLoss: 50, ids: 'frequent' });
  assert.match(meta.mix, /^until its loss is below 50 nats \(at most 100 steps\): random tokens/);
  const records = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(records.map((x) => [x['step'], x['curriculum_ended']]), [[3, 3], [6, undefined]], 'ended at the first line (every loss is below 50)');
});

test('--curriculum-ids frequent draws the curriculum from the text\'s most frequent ids, its loss over them; run.json says so', async () => {
  const data = await corpus();
  const out = join(data, 'run');
  const r = await cli(['train', '--preset', 'attn-only-2l', '--data', data, '--out', out, '--steps', '4', '--log-every', '2',
    '--curriculum-steps', '2', '--curriculum-until', 'none', '--curriculum-ids', 'frequent', '--seq-len-warmup', 'none', ...small]);
  assert.equal(r.code, 0, r.stderr);
  const meta = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { mix: string; preset: { data: { curriculum: unknown } } };
  assert.deepEqual(meta.preset.data.curriculum, { steps: 2, vocab: 256, ids: 'frequent' });
  // The test corpus has fewer than 256 distinct bytes: all of them are drawn, and the curriculum's loss ranges
  // over them and the BOS, fewer than the 257 ids.
  const drawn = Number(/random tokens \(the (\d+) most frequent ids\) in sequences of 17/.exec(meta.mix)?.[1]);
  assert.ok(drawn > 20 && drawn < 100, meta.mix);
  const records = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(records.map((x) => [x['step'], x['loss_vocabulary']]), [[2, drawn + 1], [4, undefined]]);
  assert.ok((records[0]!['loss'] as number) < Math.log(drawn + 1) + 0.5, `the curriculum's loss ${String(records[0]!['loss'])} is over ${drawn + 1} ids, not 257`);
});

test('--tokenizer bpe-N trains the model on a BPE of N ids; a curriculum on its first 256 ids restricts its loss to them', async () => {
  const data = await corpus();
  const out = join(data, 'run');
  const r = await cli(['train', '--preset', 'attn-only-2l', '--data', data, '--out', out, '--steps', '2', '--log-every', '1', '--tokenizer', 'bpe-300',
    '--curriculum-steps', '1', '--curriculum-until', 'none', '--curriculum-ids', 'first', '--seq-len-warmup', 'none', ...small]);
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8')) as { d_vocab: number };
  const tokenizer = JSON.parse(await readFile(join(out, 'tokenizer.json'), 'utf8')) as { type: string; vocabSize: number };
  assert.deepEqual([config.d_vocab, tokenizer.type, tokenizer.vocabSize], [300, 'bpe', 300]);
  const records = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(records.map((x) => x['loss_vocabulary']), [257, undefined], 'ids 0-255 and the BOS, then all 300');
});

test('--seq-len-warmup LEN:STEPS trains its first steps on shorter sequences, the same tokens a step', async () => {
  const data = await corpus();
  const out = join(data, 'run');
  // 16 of the run's 32 tokens (n_ctx=32) for 4 steps: 8 rows of 16, then 4 rows of 32, 128 tokens a step throughout.
  const r = await cli(['train', '--preset', 'attn-only-2l', '--data', data, '--out', out, '--steps', '6', '--log-every', '3',
    '--curriculum-steps', '2', '--seq-len-warmup', '16:4', ...small, '--set', 'n_ctx=32']);
  assert.equal(r.code, 0, r.stderr);
  const meta = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { mix: string; preset: { data: { seqLenWarmup: unknown } } };
  assert.deepEqual(meta.preset.data.seqLenWarmup, { seqLen: 16, steps: 4 });
  assert.match(meta.mix, /^the first 4 steps at 16 tokens: until its loss is below 4 nats \(at most 2 steps\): random tokens \(the \d+ most frequent ids\) in sequences of 17 .*; then at 32 tokens: /);
  const records = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(records.map((x) => [x['step'], x['tokens']]), [[3, 384], [6, 768]]);
  for (const [arg, message] of [
    ['16', /--seq-len-warmup 16: expected LEN:STEPS or LEN:STEPS:ROWS \(e\.g\. 128:2000:32\) or 'none'$/],
    ['16:4:0', /--seq-len-warmup 16:4:0: ROWS must be from 1 to 4096$/],
    ['32:10', /--seq-len-warmup 32:10: LEN must be from 16 to 31 \(shorter than the run's 32\) and STEPS at least 1$/],
    ['8:10', /--seq-len-warmup 8:10: LEN must be from 16 to 31/],
  ] as const) {
    const e = await cli(['train', '--preset', 'attn-only-2l', '--out', join(data, 'x'), '--seq-len-warmup', arg, ...small, '--set', 'n_ctx=32']);
    assert.equal(e.code, 2, e.stderr);
    assert.match(e.stderr.trim().replace(/ \(see circuitscope train --help\)$/, ''), message);
    assert.equal(e.stderr.trim().split('\n').length, 1, e.stderr);
  }
});

test('--seq-len-warmup LEN:STEPS:ROWS gives the warm-up its own rows a step', async () => {
  const data = await corpus();
  const out = join(data, 'run');
  // 16 tokens, 12 rows (192 tokens a step) for 4 steps, then the run's 4 rows of 32 (128 a step).
  const r = await cli(['train', '--preset', 'attn-only-2l', '--data', data, '--out', out, '--steps', '6', '--log-every', '1',
    '--curriculum-steps', '0', '--seq-len-warmup', '16:4:12', ...small, '--set', 'n_ctx=32']);
  assert.equal(r.code, 0, r.stderr);
  const meta = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { preset: { data: { seqLenWarmup: unknown } } };
  assert.deepEqual(meta.preset.data.seqLenWarmup, { seqLen: 16, steps: 4, rows: 12 });
  const records = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(records.map((x) => x['tokens']), [192, 384, 576, 768, 896, 1024]);
});

test('--digits N trains N-digit addition: the context, the scored span and the held-out sums follow N', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-train-digits-'));
  const out = join(dir, 'add4');
  const r = await cli(['train', '--preset', 'addition', '--digits', '4', '--out', out, '--steps', '4', '--log-every', '2', '--eval-every', '2', '--batch-size', '8', '--warmup', '1',
    '--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'd_mlp=32']);
  assert.equal(r.code, 0, r.stderr);
  const meta = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { preset: { description: string; train: { seqLen: number; lossFrom: number }; data: { task: { kind: string; digits: number } } } };
  // BOS + 4 + '+' + 4 + '=' + 5 answer digits is 16 tokens: 15 inputs, scored from the '=' at position 9.
  assert.deepEqual(meta.preset.data.task, { kind: 'addition', digits: 4, heldOut: 2048 });
  assert.deepEqual([meta.preset.train.seqLen, meta.preset.train.lossFrom], [15, 10]);
  assert.match(meta.preset.description, /^4-digit addition/);
  const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8')) as { n_ctx: number };
  assert.equal(config.n_ctx, 15);
  const evals = (await losses(out)).filter((l) => typeof (l as { test_accuracy?: number }).test_accuracy === 'number');
  assert.ok(evals.length >= 2, 'held-out accuracy is measured on 4-digit sums');
  // reproduce --suite addition reads the digits from run.json: its claims are about 4-digit addition.
  const c = await cli(['reproduce', '--suite', 'addition', '--models', out]);
  assert.equal(c.code, 1, c.stderr);
  assert.match(c.stdout, /a 1-layer model learns 4-digit addition/);
  assert.match(c.stdout, /measured: A0: H\d [\d.]+, A1: H\d [\d.]+, A2: H\d [\d.]+, A3: H\d [\d.]+\n/);
  for (const [args, message] of [
    [['--preset', 'attn-only-1l', '--digits', '4'], /^circuitscope: train: --digits applies to the addition preset, not attn-only-1l/],
    [['--preset', 'addition', '--digits', '2'], /^circuitscope: train: --digits expects an integer from 3 to 9, got 2/],
  ] as const) {
    const e = await cli(['train', ...args, '--out', join(dir, 'x')]);
    assert.equal(e.code, 2, e.stderr);
    assert.match(e.stderr, message);
    assert.equal(e.stderr.trim().split('\n').length, 1, e.stderr);
  }
});
