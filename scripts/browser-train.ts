// The end-to-end check, for later (it takes about half an hour of both cores): trains the attn-only-2l
// preset entirely in a chromium tab (the training worker, Brown corpus fetched from the same origin), then prints
// the layer-1 induction score and the time taken, and saves the run to --out (a run directory Node reads).
//   npx tsx scripts/browser-train.ts [--out runs/browser-2l] [--threads 2] [--steps N]
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { getPreset } from '../src/train/presets.js';
import { openSite } from './browser-site.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, threads: { type: 'string' }, steps: { type: 'string' } } });
const out = values.out ?? 'runs/browser-2l';
const preset = getPreset('attn-only-2l');
if (values.steps) preset.train.steps = Number(values.steps);
const root = fileURLToPath(new URL('..', import.meta.url));
const page = join(root, 'scratch', 'browser-train.html');
await mkdir(join(root, 'scratch'), { recursive: true });
await writeFile(page, `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>attn-only-2l</title><pre id="log"></pre>
<script type="module">
import { startTraining } from './dist/circuitscope.js';
window.run = async (preset, threads) => {
  const job = startTraining({ preset, runtime: { numThreads: threads } });
  job.onEvent((e) => {
    if (e.type === 'metrics') console.log(JSON.stringify(e.record));
    if (e.type === 'note' || e.type === 'ready') console.log(JSON.stringify(e));
  });
  const { outcome, files } = await job.result;
  const bytes = {};
  for (const [k, v] of Object.entries(files)) bytes[k] = Array.from(v);
  return { outcome, bytes };
};
window.ready = true;
</script>`);
const site = await openSite(page, { brown: true });
try {
  await site.page.waitForFunction(() => (globalThis as { ready?: boolean }).ready === true);
  const t0 = performance.now();
  const threads = Number(values.threads ?? 2);
  const r = await site.page.evaluate(([p, t]) => (globalThis as unknown as { run(p: unknown, t: number): Promise<{ outcome: { status: string; message: string }; bytes: Record<string, number[]> }> }).run(p, t as number), [preset, threads] as const);
  const minutes = (performance.now() - t0) / 60000;
  await mkdir(out, { recursive: true });
  for (const [name, bytes] of Object.entries(r.bytes)) await writeFile(join(out, name), Uint8Array.from(bytes));
  const metrics = new TextDecoder().decode(Uint8Array.from(r.bytes['metrics.jsonl'] ?? [])).trim().split('\n').map((l) => JSON.parse(l) as { step: number; induction_scores?: number[][] });
  const last = metrics.filter((m) => m.induction_scores).at(-1);
  const layer1 = last?.induction_scores?.[1] ?? [];
  const best = layer1.length ? Math.max(...layer1) : NaN;
  site.assertClean();
  console.log(JSON.stringify({ status: r.outcome.status, message: r.outcome.message, minutes, step: last?.step, layer1_induction_scores: layer1, layer1_induction_score: best, goal: '>= 0.4 within 30 minutes', met: best >= 0.4 && minutes <= 30, run: out }));
} finally {
  await site.close();
}
