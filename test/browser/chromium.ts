// Shared by every browser test: Debian's chromium driven by playwright-core, and a static server on 127.0.0.1.
// Outside CI a missing chromium skips the browser tests with a message; under CI (CI=true) it is an error, since
// .ci/run installs chromium there.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** The `skip` option for node:test: a message when chromium is missing outside CI, false when the tests must run. */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env['CI'] === 'true') throw new Error(`browser tests: ${CHROMIUM} is missing under CI (.ci/run installs it with apt-get)`);
  return `browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2', '.safetensors': 'application/octet-stream', '.jsonl': 'application/x-ndjson',
};

export interface StaticServer { url: string; server: Server; close(): Promise<void> }

/**
 * Serves `root` on 127.0.0.1 (a free port), cross-origin isolated (COOP/COEP) unless `isolated` is false, so that
 * onnxruntime-web gets threads. Only files under `root` are served.
 */
export async function serveStatic(root: string, opts: { isolated?: boolean } = {}): Promise<StaticServer> {
  const base = resolve(root);
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) { res.writeHead(403).end(); return; }
      try {
        if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
        const body = await readFile(file);
        const headers: Record<string, string> = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
        if (opts.isolated !== false) {
          headers['cross-origin-opener-policy'] = 'same-origin';
          headers['cross-origin-embedder-policy'] = 'require-corp';
        }
        res.writeHead(200, headers).end(body);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, server, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Watches a page for what must never happen: console errors, uncaught exceptions, and requests that leave the
 * page's origin. Call `assertClean()` at the end of the test.
 */
export function guardPage(page: Page, origin: string): { errors: string[]; offOrigin: string[]; assertClean(): void } {
  const errors: string[] = [];
  const offOrigin: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) offOrigin.push(u);
  });
  return {
    errors, offOrigin,
    assertClean() {
      if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
      if (offOrigin.length) throw new Error(`requests left the origin: ${offOrigin.join(', ')}`);
    },
  };
}
