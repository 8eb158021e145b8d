import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT } from '../cli/run.js';
import { RunDir } from '../../src/io/runDir.js';
import { parseSafetensors, serializeSafetensors } from '../../src/model/safetensors.js';

// A full disk, a read-only output folder, a loss that goes NaN, NaN weights: one clear line, the previous
// checkpoint intact, no partial files, nothing written that passes for a trained model.

const small = ['--preset', 'attn-only-2l', '--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'n_ctx=16', '--batch-size', '4',
  '--warmup', '2', '--eval-every', '0', '--curriculum-steps', '0'];

async function corpus(dir: string): Promise<string> {
  const p = join(dir, 'corpus.txt');
  await writeFile(p, Array.from({ length: 80 }, (_, i) => `The cat number ${i} sat on the mat and looked at the dog number ${i % 7}.`).join('\n'));
  return p;
}

/** A size-limited tmpfs (root only); null where mounting is not allowed. */
function mountTmpfs(dir: string, bytes: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const remount = (dir: string, opts: string) => execFileSync('mount', ['-o', `remount,${opts}`, dir], { stdio: 'ignore' });
const umount = (dir: string) => execFileSync('umount', [dir], { stdio: 'ignore' });

async function sizes(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const f of await readdir(dir)) out[f] = (await stat(join(dir, f))).size;
  return out;
}

test('a full disk, then a read-only one: one line, the previous checkpoint intact, no partial files', { timeout: 300_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-disk-'));
  const data = await corpus(dir);
  const args = [...small, '--data', data, '--steps', '6', '--checkpoint-every', '2', '--log-every', '100'];
  const straight = join(dir, 'straight');
  const a = await cli(['train', ...args, '--out', straight]);
  assert.equal(a.code, 0, a.stderr);
  const s = await sizes(straight);
  const checkpoint = s['config.json']! + s['model.safetensors']! + s['trainer_state.safetensors']!;
  const fixed = s['tokenizer.json']! + s['run.json']! + s['metrics.jsonl']! + 8 * 4096;
  const mnt = await mkdtemp(join(tmpdir(), 'cs-tmpfs-'));
  // Room for one checkpoint and half another: the second checkpoint's temporaries cannot be written.
  if (!mountTmpfs(mnt, Math.ceil((fixed + 1.5 * checkpoint) / 4096) * 4096)) {
    t.skip('mounting a tmpfs needs root; the full-disk case is not exercised here');
    return;
  }
  try {
    const run = join(mnt, 'run');
    const full = await cli(['train', ...args, '--out', run]);
    assert.equal(full.code, 2, full.stderr);
    const lines = full.stderr.trim().split('\n').filter((l) => l.startsWith('circuitscope:'));
    assert.equal(lines.length, 1, full.stderr);
    assert.match(lines[0]!, /no space left on the device \(ENOSPC\).*--resume/);
    assert.doesNotMatch(full.stderr, /\n\s+at /);
    const files = await readdir(run);
    assert.ok(!files.some((f) => f.endsWith('.tmp')), `no partial files: ${files.join(', ')}`);
    const kept = await new RunDir(run).loadCheckpoint();
    assert.equal(kept.step, 2, 'the previous checkpoint is intact');
    const before = await readFile(join(run, 'model.safetensors'));

    // Read-only: resuming cannot write; the checkpoint is untouched.
    remount(mnt, 'ro');
    const ro = await cli(['train', '--resume', run]);
    assert.equal(ro.code, 2, ro.stderr);
    assert.match(ro.stderr, /^circuitscope: .*read-only file system \(EROFS\)/m);
    assert.doesNotMatch(ro.stderr, /\n\s+at /);
    assert.deepEqual(await readFile(join(run, 'model.safetensors')), before);
    const fresh = await cli(['train', ...args, '--out', join(mnt, 'other')]);
    assert.equal(fresh.code, 2);
    assert.match(fresh.stderr, /--out .*other: cannot create anything in .* \(read-only file system\)/);

    // Space again: --resume finishes with the unbroken run's losses.
    remount(mnt, `rw,size=${64 * 1024 * 1024}`);
    const resumed = await cli(['train', '--resume', run, '--log-every', '1']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const w = parseSafetensors(new Uint8Array(await readFile(join(run, 'model.safetensors'))), 'resumed');
    const v = parseSafetensors(new Uint8Array(await readFile(join(straight, 'model.safetensors'))), 'straight');
    assert.equal(w.metadata['step'], '6');
    assert.deepEqual(w.tensors['embed.W_E']!.data, v.tensors['embed.W_E']!.data, 'the same weights as the unbroken run');
  } finally {
    umount(mnt);
  }
});

test('a loss that goes NaN is said plainly and marked in run.json', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-nan-'));
  const out = join(dir, 'run');
  const r = await cli(['train', ...small, '--data', await corpus(dir), '--steps', '30', '--lr', '1000', '--set', 'normalization_type=null', '--log-every', '1', '--out', out]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^diverged: loss became NaN at step \d+ .*kept the weights of step \d+, the last with a finite loss/m);
  assert.match(r.stderr, /warning: the loss has risen from [\d.]+ to [\d.e+]+ by step \d+: training is diverging/);
  const meta = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { diverged?: { loss: string; kept_step: number; message: string } };
  assert.equal(meta.diverged?.loss, 'NaN');
  assert.match(meta.diverged.message, /loss became NaN/);
  const kept = parseSafetensors(new Uint8Array(await readFile(join(out, 'model.safetensors'))), 'kept');
  assert.equal(kept.metadata['step'], String(meta.diverged.kept_step), 'run.json names the step whose weights were kept');
  // Analysing what is left says first that it is no trained model.
  const a = await cli(['analyze', out, '--json']);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /^analyze: warning: .* is a training run that diverged \(loss became NaN at step \d+.*\); these are not a trained model's weights$/m);
});

test('analyze on a model whose weights hold NaN: one line naming the file and the weight', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-nanw-'));
  await cp(join(ROOT, 'test/fixtures/attn-only-2l'), dir, { recursive: true });
  const path = join(dir, 'model.safetensors');
  const st = parseSafetensors(new Uint8Array(await readFile(path)), path);
  const name = Object.keys(st.tensors).sort()[0]!;
  const t = st.tensors[name]!;
  const data = Float32Array.from(t.data as Float32Array);
  data[3] = NaN;
  await writeFile(path, serializeSafetensors({ ...st.tensors, [name]: { ...t, data } as typeof t }, st.metadata));
  const r = await cli(['analyze', dir, '--out', join(dir, 'report.json')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr.trim(), /^circuitscope: .*model\.safetensors: weight .* holds \d+ NaN or infinite value/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.ok(!(await readdir(dir)).includes('report.json'), 'nothing written');
});
