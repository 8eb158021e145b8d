// toy-train in chromium beside the native engine, in one run: npx tsx scripts/bench-browser.ts [--threads N] [--reps N]
// Builds the bundle, serves the benchmark page (src/browser/bench/index.html) cross-origin isolated, runs the
// workload in the page's worker on onnxruntime-web, runs it natively on onnxruntime-node before and after, and
// prints each result and the ratio (browser tokens/s over native; the goal is at least 0.5).
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installNodeRuntime } from '../src/io/nodeRuntime.js';
import { benchToyTrain } from '../src/cli/bench/toyTrain.js';
import { openSite } from './browser-site.js';

const { values } = parseArgs({ options: { threads: { type: 'string' }, reps: { type: 'string' } } });
const threads = Number(values.threads ?? 2);
const reps = Number(values.reps ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));

installNodeRuntime();
const before = await benchToyTrain(reps);
console.log(JSON.stringify({ ...before, runtime: 'onnxruntime-node' }));
const site = await openSite(join(root, 'src', 'browser', 'bench', 'index.html'), {
  extraEntries: { 'bench-worker': 'src/browser/bench/benchWorker.ts' }, query: `?threads=${threads}&reps=${reps}`,
});
try {
  await site.page.waitForFunction(() => (globalThis as { benchResult?: unknown }).benchResult !== undefined, undefined, { timeout: 600_000 });
  const web = await site.page.evaluate(() => (globalThis as { benchResult?: Record<string, unknown> }).benchResult!);
  if (web['error']) throw new Error(`the page: ${String(web['error'])}`);
  console.log(JSON.stringify(web));
  await site.page.screenshot({ path: join(root, 'test-output', 'bench-browser.png') }).catch(() => undefined);
  site.assertClean();
  const after = await benchToyTrain(reps);
  console.log(JSON.stringify({ ...after, runtime: 'onnxruntime-node' }));
  const nativeMs = (before.ms + after.ms) / 2;
  console.log(JSON.stringify({ workload: 'toy-train', runtime: 'chromium / native', threads, native_ms: nativeMs, web_ms: web['ms'], ratio: nativeMs / (web['ms'] as number) }));
} finally {
  await site.close();
}
