// Shared by scripts/bench-browser.ts and scripts/browser-train.ts: the bundle built into a temporary site with a
// page, served cross-origin isolated on 127.0.0.1, opened in Debian's chromium (test/browser/chromium.ts).
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { guardPage, launchChromium, serveStatic } from '../test/browser/chromium.js';

interface BuildFn { (o: { outdir: string; webgpu?: boolean; brown?: boolean; quiet?: boolean; extraEntries?: Record<string, string> }): Promise<unknown> }

export interface OpenSite { page: Page; url: string; assertClean(): void; close(): Promise<void> }

/** Builds the bundle (plus `extraEntries`) into a temporary site with `page` as index.html, and opens it. */
export async function openSite(pageFile: string, opts: { brown?: boolean; extraEntries?: Record<string, string>; query?: string } = {}): Promise<OpenSite> {
  const root = await mkdtemp(join(tmpdir(), 'circuitscope-'));
  const { buildBrowser } = (await import(new URL('./build-browser.mjs', import.meta.url).href)) as { buildBrowser: BuildFn };
  await buildBrowser({ outdir: join(root, 'dist'), webgpu: false, brown: opts.brown ?? false, quiet: true, extraEntries: opts.extraEntries ?? {} });
  await copyFile(pageFile, join(root, 'index.html'));
  const server = await serveStatic(root);
  let browser: Browser | null = null;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    const guard = guardPage(page, server.url);
    page.on('console', (m) => { if (m.type() !== 'error') process.stderr.write(`[page] ${m.text()}\n`); });
    await page.goto(`${server.url}/index.html${opts.query ?? ''}`);
    const b = browser;
    return {
      page, url: server.url, assertClean: () => guard.assertClean(),
      close: async () => { await b.close(); await server.close(); await rm(root, { recursive: true, force: true }); },
    };
  } catch (e) {
    await browser?.close();
    await server.close();
    await rm(root, { recursive: true, force: true });
    throw e;
  }
}
