import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../cli/run.js';

// A user's first step: `npm pack` in the clone, then `npm install circuitscope-*.tgz` in a new folder, with no flags
// and nothing reachable but the npm registry (onnxruntime-node's install script would fetch CUDA binaries from
// elsewhere: every proxy its script honours points at a closed port here, so such a download cannot succeed on any
// machine). The install must succeed with no warning but npm's notice of unreviewed install scripts, and the
// installed copy must run.

interface Run { code: number; stdout: string; stderr: string }

/** The environment of a user's shell: none of the npm_* variables that `npm test` sets for its children. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, GLOBAL_AGENT_HTTP_PROXY: 'http://127.0.0.1:9', GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9', ...extra };
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: userEnv(), timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr: stderr + (err && code === 1 && !stderr ? String(err) : '') });
    });
  });
}

/**
 * The clone's files (tracked and untracked, not ignored) copied into `to`, with the clone's node_modules linked:
 * the package is built and packed there, so the clone's own dist/ (which other tests build into) is left alone.
 */
async function copyOfClone(to: string): Promise<void> {
  const ls = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT, 60_000);
  assert.equal(ls.code, 0, ls.stderr);
  for (const f of ls.stdout.split('\0').filter((x) => x !== '' && x !== 'node_modules' && existsSync(join(ROOT, x)))) {
    await mkdir(dirname(join(to, f)), { recursive: true });
    await copyFile(join(ROOT, f), join(to, f));
  }
  await symlink(join(ROOT, 'node_modules'), join(to, 'node_modules'), 'dir');
}

test('the packed package installs with no flags from the npm registry alone, with no config warning, and runs', { timeout: 900_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-pack-'));
  try {
    // `npm pack` as a user runs it (its prepack is `npm run build`), in a copy of the clone.
    const clone = join(dir, 'clone');
    await copyOfClone(clone);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], clone, 900_000);
    assert.equal(pack.code, 0, `${pack.stdout}\n${pack.stderr}`);
    assert.doesNotMatch(pack.stderr, /npm warn/i, 'npm pack in the clone warns');
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.search(/^\[$/m))) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    for (const f of ['README.md', 'bin/circuitscope.js', 'dist/cli/main.js', 'dist/index.d.ts', 'dist/site/index.html', 'docs/architecture.md']) {
      assert.ok(files.includes(f), `the package lacks ${f}`);
    }
    assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), 'the package carries src/ or test/');

    const user = join(dir, 'user');
    await mkdir(user);
    await writeFile(join(user, 'package.json'), '{ "name": "a-user", "version": "1.0.0", "private": true }\n');
    const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, info!.filename)], user, 600_000);
    assert.equal(install.code, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`);
    const said = install.stdout + install.stderr;
    assert.doesNotMatch(said, /npm error|Unknown (project|user|cli) config|nuget|onnxruntime/i);
    // npm 11's own notice of dependencies' install scripts that the user's project has not reviewed (its
    // allowScripts): only protobufjs's (onnxruntime-web's dependency; its script checks version schemes). Nothing else warns.
    const warnings = said.split('\n').filter((l) => /npm warn/i.test(l));
    assert.ok(warnings.every((l) => /^npm warn install-scripts( |$)/.test(l)), `warnings: ${warnings.join(' | ')}`);
    const named = warnings.map((l) => /^npm warn install-scripts {3}(\S+)@/.exec(l)?.[1]).filter((n) => n !== undefined);
    assert.ok(named.every((n) => n === 'protobufjs'), `install scripts noticed: ${named.join(', ')}`);
    // onnxruntime-node's script could not fetch its CUDA files, so npm left that optional package out.
    assert.ok(!existsSync(join(user, 'node_modules', 'onnxruntime-node')), 'onnxruntime-node installed although its download was blocked');

    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const version = await run('npx', ['--no', '--', 'circuitscope', '--version'], user, 120_000);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), pkg.version);
    assert.doesNotMatch(version.stderr, /npm warn/i);

    // A tiny training run from the installed copy: on onnxruntime-web's WebAssembly kernels, and it says so.
    await writeFile(join(user, 'corpus.txt'), Array.from({ length: 60 }, (_, i) => `The cat number ${i} sat on the mat by the dog number ${i % 5}.`).join('\n'));
    const out = join(user, 'run');
    const train = await run('npx', ['--no', '--', 'circuitscope', 'train', '--preset', 'attn-only-1l', '--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8',
      '--set', 'n_ctx=16', '--batch-size', '4', '--steps', '3', '--warmup', '1', '--eval-every', '0', '--curriculum-steps', '0', '--data', 'corpus.txt',
      '--out', out], user, 300_000);
    assert.equal(train.code, 0, train.stderr);
    assert.match(train.stderr, /onnxruntime-node is not installed, so this runs on onnxruntime-web's WebAssembly kernels/);
    const metrics = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { loss?: number });
    assert.ok(metrics.some((m) => typeof m.loss === 'number' && Number.isFinite(m.loss)), 'no finite loss in metrics.jsonl');
    assert.ok((await stat(join(out, 'model.safetensors'))).size > 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
