// A small harness for the UI's components in a real browser: the UI bundle (scripts/build-ui.mjs) in a page served
// on 127.0.0.1, chromium driven by playwright-core. One browser per test file; each test mounts components with
// given props and asserts what the page shows. Screenshots go to test-output/screenshots/<Name>.png.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { buildUiBundle, ROOT } from '../../scripts/build-ui.mjs';
import { guardPage, launchChromium, serveStatic, type StaticServer } from '../browser/chromium.js';

export { browserSkip } from '../browser/chromium.js';

export const SCREENSHOTS = join(ROOT, 'test-output', 'screenshots');

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>circuitscope components</title><link rel="icon" href="data:,">
<style>body { margin: 16px; background: #fff; } #root { display: inline-block; padding: 8px; }</style></head>
<body><div id="root"></div><script src="ui.js"></script></body></html>`;

export interface ComponentPage {
  page: Page;
  /**
   * Mounts component `name` with `props` in a fresh root. Callback props named in `record` are replaced by
   * recorders: `events()` returns their calls as `{ name, args }`.
   */
  mount(name: string, props: Record<string, unknown>, opts?: { record?: string[]; width?: number }): Promise<Locator>;
  /** Re-renders the mounted component with new props (recorders kept). */
  update(props: Record<string, unknown>): Promise<void>;
  events(): Promise<{ name: string; args: unknown[] }[]>;
  screenshot(name: string): Promise<string>;
  /** Throws on console errors or requests that left the origin. */
  assertClean(): void;
  close(): Promise<void>;
}

export async function openComponentPage(): Promise<ComponentPage> {
  const dir = await mkdtemp(join(tmpdir(), 'cs-ui-'));
  await writeFile(join(dir, 'ui.js'), await buildUiBundle({ minify: false }));
  await writeFile(join(dir, 'index.html'), PAGE);
  let server: StaticServer | null = null;
  let browser: Browser | null = null;
  try {
    server = await serveStatic(dir);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const guard = guardPage(page, server.url);
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => 'circuitscopeUI' in globalThis);
    const srv = server;
    const br = browser;
    let lastRecord: string[] = [];
    return {
      page,
      async mount(name, props, opts = {}) {
        lastRecord = opts.record ?? [];
        await page.evaluate(({ name, props, record, width }) => {
          const g = globalThis as unknown as {
            circuitscopeUI: { mount(n: string, p: Record<string, unknown>, el: Element): { update(p: Record<string, unknown>): void; unmount(): void } };
            __cs?: { mounted: { update(p: Record<string, unknown>): void; unmount(): void }; events: { name: string; args: unknown[] }[]; record: string[] };
          };
          g.__cs?.mounted.unmount();
          const root = document.getElementById('root')!;
          root.innerHTML = '';
          const el = document.createElement('div');
          el.id = 'mounted';
          if (width) el.style.width = `${width}px`;
          root.appendChild(el);
          const events: { name: string; args: unknown[] }[] = [];
          const withRec = { ...props };
          for (const r of record) withRec[r] = (...args: unknown[]) => { events.push({ name: r, args: JSON.parse(JSON.stringify(args)) as unknown[] }); };
          g.__cs = { mounted: g.circuitscopeUI.mount(name, withRec, el), events, record };
        }, { name, props, record: lastRecord, width: opts.width ?? 0 });
        await effectsFlushed(page);
        return page.locator('#mounted');
      },
      async update(props) {
        await page.evaluate(({ props }) => {
          const g = globalThis as unknown as { __cs: { mounted: { update(p: Record<string, unknown>): void }; events: { name: string; args: unknown[] }[]; record: string[] } };
          const withRec = { ...props };
          for (const r of g.__cs.record) withRec[r] = (...args: unknown[]) => { g.__cs.events.push({ name: r, args: JSON.parse(JSON.stringify(args)) as unknown[] }); };
          g.__cs.mounted.update(withRec);
        }, { props });
        await effectsFlushed(page);
      },
      events: () => page.evaluate(() => (globalThis as unknown as { __cs: { events: { name: string; args: unknown[] }[] } }).__cs.events),
      async screenshot(name) {
        await mkdir(SCREENSHOTS, { recursive: true });
        const path = join(SCREENSHOTS, `${name}.png`);
        await page.locator('#root').screenshot({ path });
        return path;
      },
      assertClean: () => guard.assertClean(),
      async close() {
        await br.close();
        await srv.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The centre of cell (row, col) of the heatmap canvas inside `scope`, in page coordinates. */
export async function cellCenter(scope: Locator, row: number, col: number, rows: number, cols: number): Promise<{ x: number; y: number }> {
  const box = await scope.locator('canvas.cs-cells').first().boundingBox();
  if (!box) throw new Error('no heatmap canvas');
  return { x: box.x + ((col + 0.5) / cols) * box.width, y: box.y + ((row + 0.5) / rows) * box.height };
}

/** Deterministic pseudo-random numbers for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Preact runs effects (where charts such as uPlot are built) after the next paint, so a mount or update returns
 * before them: wait two animation frames and a task, so a test never reads a chart that is not drawn yet.
 */
async function effectsFlushed(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0)))));
}
