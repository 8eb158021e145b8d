// Training in a Web Worker in chromium: a tiny attn-only-2l run (bytes, the induction-task curriculum, then the
// Brown mix) gives the same losses, validation losses and head scores as the CLI's run in Node within float32
// tolerance, through a pause, a resume and a mid-run checkpoint; the files it hands back load in Node's loadModel
// with the CLI run's weights; no console errors; no request leaves the origin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, guardPage, launchChromium } from './chromium.js';
import { buildSite, type Site } from './bundle.js';
import { cli } from '../cli/run.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { loadModel } from '../../src/io/loadModel.js';
import type { MetricsRecord } from '../../src/train/trainer.js';

const skip = browserSkip();

// The page's side: start the worker, pause at step 2, take a checkpoint while paused, resume, take one while
// running, and collect everything. Plain JavaScript in the page (no bundler, as a user's page would be).
const HARNESS = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>training</title>
<pre id="log"></pre>
<script type="module">
import { startTraining } from '/dist/circuitscope.js';
const log = (s) => { document.getElementById('log').textContent += s + '\\n'; };
window.train = async (preset) => {
  const job = startTraining({ preset, runtime: { numThreads: 2 } });
  const events = [];
  let pausedAt = -1;
  let midCheckpoint = null;
  job.onEvent((e) => {
    events.push(e.type);
    if (e.type === 'step') log('step ' + e.step + ' loss ' + e.loss.toFixed(4));
    if (e.type === 'note') log(e.message);
    if (e.type === 'step' && e.step === 2 && pausedAt < 0) {
      pausedAt = 0;
      job.pause().then(async (s) => {
        pausedAt = s;
        const c = await job.checkpoint();
        log('paused at ' + s + ', checkpoint of ' + Object.keys(c).length + ' files');
        job.resume();
      });
    }
    if (e.type === 'step' && e.step === 4 && !midCheckpoint) midCheckpoint = job.checkpoint();
  });
  const { outcome, files } = await job.result;
  const mid = await midCheckpoint;
  log(outcome.message);
  const bytes = {};
  for (const [k, v] of Object.entries(files)) bytes[k] = Array.from(v);
  return { outcome, records: job.metrics, pausedAt, events, bytes, midStep: JSON.parse(new TextDecoder().decode(mid['metrics.jsonl']).trim().split('\\n').pop()).step, midFiles: Object.keys(mid).sort() };
};
window.ready = true;
</script>`;

let site: Site;
let browser: Browser;
let page: Page;
let dir: string;

before(async () => {
  if (skip) return;
  installNodeRuntime();
  dir = await mkdtemp(join(tmpdir(), 'cs-train-'));
  site = await buildSite({ brown: true, pages: { 'train.html': HARNESS } });
  browser = await launchChromium();
  page = await browser.newPage();
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await site?.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('a tiny attn-only-2l run in the worker matches the CLI\'s in Node; its files load in Node', { skip, timeout: 240_000 }, async () => {
  const guard = guardPage(page, site.url);
  const out = join(dir, 'node');
  const args = ['train', '--preset', 'attn-only-2l', '--out', out, '--steps', '6', '--batch-size', '4', '--curriculum-steps', '3',
    '--set', 'd_model=32', '--set', 'n_heads=2', '--set', 'd_head=16', '--set', 'n_ctx=24', '--log-every', '1', '--eval-every', '3', '--json'];
  const r = await cli(args);
  assert.equal(r.code, 0, r.stderr);
  const nodeRecords = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as MetricsRecord);
  const preset = (JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { preset: unknown }).preset;

  await page.goto(`${site.url}/train.html`);
  await page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
  const got = await page.evaluate((p) => (globalThis as unknown as { train(p: unknown): Promise<unknown> }).train(p), preset) as {
    outcome: { status: string; step: number }; records: MetricsRecord[]; pausedAt: number; events: string[]; bytes: Record<string, number[]>;
    midStep: number | null; midFiles: string[];
  };
  await mkdir('test-output', { recursive: true });
  await page.screenshot({ path: join('test-output', 'browser-training.png') });

  assert.equal(got.outcome.status, 'done');
  // The pause arrives while a later step runs and takes effect after it.
  assert.ok(got.pausedAt >= 2 && got.pausedAt < 6, `paused at step ${got.pausedAt}`);
  assert.ok(got.events.includes('paused') && got.events.includes('resumed'));
  assert.ok(got.midStep !== null && got.midStep >= 4 && got.midStep <= 6, `the checkpoint asked for at step 4 is of step ${got.midStep}`);
  assert.deepEqual(got.midFiles, ['config.json', 'metrics.jsonl', 'model.safetensors', 'run.json', 'tokenizer.json', 'trainer_state.safetensors']);
  assert.equal(got.records.length, nodeRecords.length);
  for (let i = 0; i < nodeRecords.length; i++) {
    const a = got.records[i]!;
    const b = nodeRecords[i]!;
    assert.equal(a.step, b.step);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-4, `step ${b.step}: loss ${a.loss} in the worker, ${b.loss} in Node`);
    assert.ok(Math.abs(a.grad_norm - b.grad_norm) < 1e-3 * Math.max(1, b.grad_norm), `step ${b.step}: grad norm`);
    assert.equal(a.val_loss === undefined, b.val_loss === undefined, `step ${b.step}: val_loss present in both or neither`);
    if (b.val_loss !== undefined) assert.ok(Math.abs(a.val_loss! - b.val_loss) < 1e-4, `step ${b.step}: val loss`);
    if (b['max_induction_score'] !== undefined) assert.ok(Math.abs((a['max_induction_score'] as number) - (b['max_induction_score'] as number)) < 1e-3);
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `step ${b.step}: the same fields as metrics.jsonl`);
  }

  const web = join(dir, 'web');
  await mkdir(web);
  for (const [name, bytes] of Object.entries(got.bytes)) await writeFile(join(web, name), Uint8Array.from(bytes));
  const fromWeb = await loadModel(web);
  const fromNode = await loadModel(out);
  assert.deepEqual(fromWeb.cfg, fromNode.cfg);
  const text = fromNode.toTokens('The jury said it');
  const a = await fromWeb.run(text);
  const b = await fromNode.run(text);
  let d = 0;
  for (let i = 0; i < a.data.length; i++) d = Math.max(d, Math.abs(a.data[i]! - b.data[i]!));
  assert.ok(d < 1e-3, `logits of the two runs' final weights differ by ${d}`);
  assert.equal((await readFile(join(web, 'metrics.jsonl'), 'utf8')).trim().split('\n').length, nodeRecords.length);
  guard.assertClean();
});
