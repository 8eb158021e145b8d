import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT, type CliResult } from './run.js';

// A new user's mistakes: each ends in exit 2 and one line on stderr (naming what is wrong, with a pointer to
// --help for argument mistakes), no stack trace, nothing printed twice, no folder left behind.

function oneLine(r: CliResult, pattern: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/^(training a|brown:|.*: \d+ documents)/.test(l));
  assert.equal(lines.length, 1, `${what}: one line, got ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0]!, /^circuitscope: /, what);
  assert.match(lines[0]!, pattern, what);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, `${what}: no stack trace`);
}

async function runAll(cases: [string[], RegExp][]): Promise<void> {
  // Three at a time: each is a CLI process start (tsx), on two cores.
  for (let i = 0; i < cases.length; i += 3) {
    const batch = cases.slice(i, i + 3);
    const rs = await Promise.all(batch.map(([args]) => cli(args, { timeoutMs: 60_000 })));
    rs.forEach((r, j) => oneLine(r, batch[j]![1], batch[j]![0].join(' ')));
  }
}

test('argument mistakes: exit 2, one line with a usage hint, no stack trace', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-args-'));
  const out = join(dir, 'run');
  const hint = /\(see circuitscope train --help\)$/;
  await runAll([
    [['train', '--bogus'], /train: Unknown option '--bogus' \(see circuitscope train --help\)$/],
    [['train', '--out', out, '--steps', '-5'], /--steps expects an integer from 1 to \d+, got -5/],
    [['train', '--out', out, '--steps', '0'], hint],
    [['train', '--out', out, '--batch-size', '0'], /--batch-size expects an integer from 1 to 4096, got 0/],
    [['train', '--out', out, '--batch-size', '100000'], /--batch-size expects an integer from 1 to 4096, got 100000/],
    [['train', '--out', out, '--lr', 'NaN'], /--lr expects a non-negative number, got NaN/],
    [['train', '--out', out, '--repeat-fraction', '2'], /--repeat-fraction expects a number from 0 to 1, got 2/],
    [['train', '--preset', 'attn-only-1l', '--out', out, '--curriculum-until', '5'], /--curriculum-until: preset attn-only-1l has no curriculum; give --curriculum-steps N too/],
    [['train', '--out', out, '--curriculum-until', 'soon'], /--curriculum-until expects a non-negative number, got soon/],
    [['train', '--out', out, '--curriculum-ids', 'rare'], /--curriculum-ids rare: expected 'first' or 'frequent'/],
    [['train', '--preset', 'attn-only-1l', '--out', out, '--curriculum-ids', 'frequent'], /--curriculum-ids: preset attn-only-1l has no curriculum; give --curriculum-steps N too/],
    [['train', '--out', out, '--tokenizer', 'bpe-100'], /--tokenizer bpe-100: expected 'bytes' or 'bpe-N' with N from 258 to 65536 \(e\.g\. bpe-2048\)/],
    [['train', '--out', out, '--tokenizer', 'words'], /--tokenizer words: expected 'bytes' or 'bpe-N'/],
    [['train', '--preset', 'grokking', '--out', out, '--tokenizer', 'bytes'], /--tokenizer: preset grokking trains on a task, not text/],
    [['train', '--out'], /train: Option '--out <value>' argument missing/],
    [['analyze', '--frobnicate', 'x'], /analyze: Unknown option '--frobnicate' \(see circuitscope analyze --help\)/],
    [['reproduce', 'A'], /reproduce: unexpected argument A/],
    [['reproduce', '--models', 'A', 'B'], /--models takes three directories.*got 2/],
    [['bench', '--threads', '0', 'matmul'], /bench: --threads expects an integer from 1 to 256, got 0/],
    [['bench', '--peer', join(dir, 'nope.py'), 'toy-train'], /bench: --peer .*nope\.py: no such file/],
    [['nonsense'], /unknown command nonsense/],
  ]);
  assert.deepEqual(await readdir(dir), [], 'no run folder is left behind');
});

test('circuitscope --version prints the package version', async () => {
  const r = await cli(['--version']);
  assert.equal(r.code, 0, r.stderr);
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(r.stdout.trim(), pkg.version);
});

test('--out is checked before any work: /proc, /sys, a file in the path, a folder for a file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-out-'));
  await writeFile(join(dir, 'somefile'), 'x');
  await mkdir(join(dir, 'existing'));
  await runAll([
    // Before the fix, /proc/x hung for ever (Node's recursive mkdir) and the others ended in stack traces.
    [['train', '--out', '/proc/x', '--steps', '1'], /--out \/proc\/x: cannot create anything in \/proc/],
    [['reproduce', '--out', '/proc/x'], /--out \/proc\/x: cannot create anything in \/proc/],
    [['train', '--out', '/sys/x', '--steps', '1'], /--out \/sys\/x: cannot create anything in \/sys/],
    [['train', '--out', join(dir, 'somefile', 'x'), '--steps', '1'], /somefile is a file, not a folder/],
    [['analyze', join(ROOT, 'test/fixtures/attn-only-2l'), '--out', join(dir, 'existing')], /--out .*existing: is a folder; give a file name/],
    [['analyze', join(ROOT, 'test/fixtures/attn-only-2l'), '--out', join(dir, 'somefile', 'r.json')], /a part of .*somefile is a file/],
  ]);
});

test('--resume: a missing folder, a folder that is no run, a run killed before its first checkpoint', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-resume-'));
  const early = join(dir, 'early');
  await mkdir(early);
  await writeFile(join(early, 'run.json'), '{}');
  await writeFile(join(early, 'tokenizer.json'), '{"type":"bytes","version":1}');
  await runAll([
    [['train', '--resume', join(dir, 'missing')], /--resume .*missing: no such folder/],
    [['train', '--resume', dir], /not a training run \(no run\.json\)/],
    [['train', '--resume', early], /stopped before its first checkpoint, so there is nothing to resume/],
    [['train', '--resume', early, '--lr', '0.1', '--seed', '3'], /--lr, --seed cannot change now/],
  ]);
});

test('binary junk, invalid UTF-8 and too little text as --data are refused before a folder is made', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-data-'));
  const junk = new Uint8Array(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
  await writeFile(join(dir, 'junk.bin'), junk);
  await writeFile(join(dir, 'latin1.txt'), Buffer.from(Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 0xe9 : 0x61))));
  await writeFile(join(dir, 'short.txt'), 'too short');
  await writeFile(join(dir, 'page.txt'), 'The cat sat on the mat. '.repeat(100));
  await runAll([
    [['train', '--data', join(dir, 'junk.bin'), '--out', join(dir, 'a')], /junk\.bin is not text/],
    [['train', '--data', join(dir, 'latin1.txt'), '--out', join(dir, 'b')], /latin1\.txt is not UTF-8 text/],
    [['train', '--preset', 'attn-only-2l', '--data', join(dir, 'short.txt'), '--out', join(dir, 'c')], /--data .*short\.txt: its training text is \d tokens, fewer than one window of 256/],
    // 2,400 bytes: a training window fits, but its last tenth is not a batch of 16 windows (what validation reads).
    [['train', '--preset', 'attn-only-2l', '--tokenizer', 'bytes', '--data', join(dir, 'page.txt'), '--out', join(dir, 'd')],
      /--data .*page\.txt: its validation text \(a tenth of the text\) is \d+ tokens, fewer than one batch of 8 windows of 256; give more text or a smaller --batch-size/],
  ]);
  assert.deepEqual((await readdir(dir)).sort(), ['junk.bin', 'latin1.txt', 'page.txt', 'short.txt']);
});
