// Builds the browser bundle (the same function `npm run build` calls) into a temporary site with the fixtures
// beside it, once per test file, and serves it cross-origin isolated.
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from './fixtures.js';
import { serveStatic, type StaticServer } from './chromium.js';

interface BuildOptions { outdir: string; minify?: boolean; webgpu?: boolean; brown?: boolean; quiet?: boolean }
type BuildFn = (o: BuildOptions) => Promise<Record<string, number>>;

export interface Site extends StaticServer { root: string; dispose(): Promise<void> }

/**
 * A temporary site: `/dist/` the bundle, `/fixtures/` test/fixtures, `/index.html` an empty page (so that pages
 * share the server's origin and its COOP/COEP headers), plus any `pages` given.
 */
export async function buildSite(opts: { brown?: boolean; pages?: Record<string, string>; isolated?: boolean } = {}): Promise<Site> {
  const root = await mkdtemp(join(tmpdir(), 'circuitscope-site-'));
  const scriptUrl = new URL('../../scripts/build-browser.mjs', import.meta.url).href;
  const { buildBrowser } = (await import(scriptUrl)) as { buildBrowser: BuildFn };
  await buildBrowser({ outdir: join(root, 'dist'), minify: false, webgpu: false, brown: opts.brown ?? false, quiet: true });
  await cp(FIXTURES, join(root, 'fixtures'), { recursive: true });
  await mkdir(join(root, 'pages'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>circuitscope test</title><body></body>');
  for (const [name, html] of Object.entries(opts.pages ?? {})) await writeFile(join(root, name), html);
  const server = await serveStatic(root, { isolated: opts.isolated ?? true });
  return { ...server, root, dispose: async () => { await server.close(); await rm(root, { recursive: true, force: true }); } };
}
