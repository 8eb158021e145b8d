import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { modelsToServe, startUiServer, type UiServer } from '../../src/io/uiServer.js';

// The UI server against hostile requests: traversal in every spelling, symlinks out of a model folder, files
// outside the whitelist; it binds 127.0.0.1; a bounded load test leaves it up and its memory near its start.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SECRET = 'top secret outside the served folders';

async function fixture(): Promise<{ server: UiServer; root: string }> {
  const root = await mkdtemp(join(tmpdir(), 'cs-serve-'));
  const site = join(root, 'site');
  const model = join(root, 'model');
  await mkdir(join(site, 'assets'), { recursive: true });
  await mkdir(model);
  await writeFile(join(root, 'secret.txt'), SECRET);
  await writeFile(join(site, 'index.html'), '<!doctype html><title>circuitscope</title>');
  await writeFile(join(site, 'assets', 'app.js'), 'export const x = 1;');
  await symlink(join(root, 'secret.txt'), join(site, 'assets', 'leak.js'));
  await writeFile(join(model, 'config.json'), '{"n_layers": 0}');
  await writeFile(join(model, 'model.safetensors'), Buffer.alloc(64 * 1024, 7));
  await writeFile(join(model, 'notes.txt'), SECRET);
  // A whitelisted name that is a symlink out of the model folder.
  await symlink(join(root, 'secret.txt'), join(model, 'tokenizer.json'));
  const server = await startUiServer({ siteDir: site, models: await modelsToServe([model]) });
  return { server, root };
}

function get(server: UiServer, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('path traversal, encoded or absolute, and symlinks out of a folder are refused', async () => {
  const { server, root } = await fixture();
  try {
    assert.equal(server.server.address() && typeof server.server.address() === 'object' ? (server.server.address() as { address: string }).address : '', '127.0.0.1');
    assert.equal((await get(server, '/')).status, 200);
    assert.equal((await get(server, '/assets/app.js')).status, 200);
    assert.equal((await get(server, '/models/0/config.json')).status, 200);
    const listing = JSON.parse((await get(server, '/models.json')).body) as { files: string[] }[];
    assert.deepEqual(listing[0]!.files, ['config.json', 'model.safetensors'], 'the symlinked tokenizer.json is not listed');
    const hostile = [
      '/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%5c..%5csecret.txt', '/%2fetc%2fpasswd', '//etc/passwd', `/${root}/secret.txt`, `${root}/secret.txt`,
      '/models/0/notes.txt', '/models/0/tokenizer.json', '/models/0/..%2f..%2fsecret.txt', '/models/0/%2e%2e/notes.txt',
      '/models/1/config.json', '/models/0/config.json%00', '/assets/leak.js', '/%', '/models/0/', '/etc/passwd',
      'http://evil.example/secret.txt', '/assets/app.js/..%2f..%2f..%2fsecret.txt',
    ];
    for (const p of hostile) {
      const r = await get(server, p);
      assert.ok(r.status >= 400 && r.status < 500, `${p}: ${r.status}`);
      assert.ok(!r.body.includes(SECRET), `${p} leaked the secret`);
    }
    assert.equal((await get(server, '/', 'POST')).status, 405);
  } finally {
    await server.close();
  }
});

test('load: 500 mixed requests, 50 at a time, no failure and memory back near its start', { timeout: 120_000 }, async () => {
  const { server } = await fixture();
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const paths = ['/', '/assets/app.js', '/models.json', '/models/0/model.safetensors', '/models/0/config.json', '/%2e%2e/secret.txt', '/nope', '/models/0/notes.txt', '/%'];
    const run = async (n: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i += 50) {
        const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => get(server, paths[(i + j) % paths.length]!)));
        statuses.push(...batch.map((r) => r.status));
      }
      return statuses;
    };
    await run(100); // warm up
    gc();
    const before = process.memoryUsage().heapUsed;
    const statuses = await run(500);
    gc();
    const after = process.memoryUsage().heapUsed;
    assert.equal(statuses.length, 500);
    assert.ok(statuses.every((s) => s === 200 || s === 400 || s === 403 || s === 404), `statuses: ${[...new Set(statuses)].join(', ')}`);
    // The first five paths are served; the rest are refused or absent.
    assert.equal(statuses.filter((s) => s === 200).length, Math.floor(500 / 9) * 5 + Math.min(500 % 9, 5));
    assert.ok(after - before < 16 * 2 ** 20, `heap grew by ${((after - before) / 2 ** 20).toFixed(1)} MiB`);
    assert.equal((await get(server, '/')).status, 200, 'still serving');
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await server.close();
  }
});
