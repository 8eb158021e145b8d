// The prebuilt bundle in chromium: the PyTorch fixtures give the same logits and activations in the page as in
// Node (1e-4), loadModelFromFiles reads every format from bytes and from a dropped folder's Files, saving gives the
// bytes Node writes, no console errors, and no request leaves the origin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, guardPage, launchChromium } from './chromium.js';
import { buildSite, type Site } from './bundle.js';
import { diff, FIXTURES, GPT2_FIXTURES, reference, rows, TL_FIXTURES } from './fixtures.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { loadModel } from '../../src/io/loadModel.js';
import { readModelDir, writeModelDir } from '../../src/io/modelDir.js';
import { ByteTokenizer } from '../../src/tokenize/index.js';

const skip = browserSkip();
let site: Site;
let browser: Browser;
let page: Page;
let guard: ReturnType<typeof guardPage>;

before(async () => {
  if (skip) return;
  installNodeRuntime();
  site = await buildSite();
  browser = await launchChromium();
  page = await browser.newPage();
  guard = guardPage(page, site.url);
  await page.goto(`${site.url}/index.html`);
  await page.evaluate(async () => {
    const url = '/dist/circuitscope.js';
    const cs = await import(url);
    (globalThis as unknown as { cs: unknown }).cs = cs;
    await cs.installWebRuntime({ numThreads: 2 });
  });
});

after(async () => {
  if (skip) return;
  await mkdir('test-output', { recursive: true });
  await page?.screenshot({ path: join('test-output', 'browser-engine.png') });
  await browser?.close();
  await site?.dispose();
});

interface PageTensor { shape: number[]; data: number[] }
interface PageResult { format: string; logits: PageTensor; loss: number; perToken: PageTensor; cache: Record<string, PageTensor>; tokenizer: string | null }

/** In the page: fetch a fixture's files, loadModelFromFiles, run with cache; everything back as plain arrays. */
async function inPage(name: string, tokens: number[][], withCache: boolean): Promise<PageResult> {
  return page.evaluate(async ({ name, tokens, withCache }) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const cs = (globalThis as any).cs;
    const files: Record<string, Uint8Array> = {};
    for (const f of ['config.json', 'model.safetensors']) files[f] = new Uint8Array(await (await fetch(`/fixtures/${name}/${f}`)).arrayBuffer());
    const { format } = cs.readModelFiles(files);
    const model = await cs.loadModelFromFiles(files);
    // (No named function in here: tsx would wrap it in a helper the page does not have.)
    const out = withCache ? await model.runWithCache(tokens, { names: model.hookNames }) : { logits: await model.run(tokens), cache: null };
    const cache: Record<string, { shape: number[]; data: number[] }> = {};
    if (out.cache) for (const h of model.hookNames) cache[h] = { shape: [...out.cache.get(h).shape], data: Array.from(out.cache.get(h).data as Float32Array) };
    const perToken = await model.loss(tokens, { perToken: true });
    return {
      format, logits: { shape: [...out.logits.shape], data: Array.from(out.logits.data as Float32Array) }, loss: (await model.loss(tokens)).data[0],
      perToken: { shape: [...perToken.shape], data: Array.from(perToken.data as Float32Array) }, cache, tokenizer: model.tokenizer?.name ?? null,
    };
  }, { name, tokens, withCache });
}

test('the page installs onnxruntime-web with SIMD and 2 threads (cross-origin isolated), from the same origin only', { skip }, async () => {
  const info = await page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const i = await (globalThis as any).cs.installWebRuntime();
    return { backend: i.backend, threads: i.threads, isolated: i.crossOriginIsolated, name: i.runtime.name };
  });
  assert.deepEqual(info, { backend: 'wasm', threads: 2, isolated: true, name: 'onnxruntime-web (wasm, 2 threads)' });
});

for (const name of TL_FIXTURES) {
  test(`chromium: ${name} gives PyTorch's logits, losses and every activation (1e-4), as Node does`, { skip }, async () => {
    const ref = await reference(name);
    const tokens = rows(ref['tokens']!);
    const got = await inPage(name, tokens, true);
    const node = await loadModel(join(FIXTURES, name));
    assert.equal(got.format, (await readModelDir(join(FIXTURES, name))).format);
    assert.ok(diff(got.logits, ref['logits']!, 'logits') < 1e-4);
    assert.ok(diff(got.logits, await node.run(tokens), 'logits vs Node') < 1e-4);
    assert.ok(Math.abs(got.loss - Number(ref['loss']!.data[0])) < 1e-4);
    assert.ok(diff(got.perToken, ref['loss_per_token']!, 'loss_per_token') < 1e-4);
    assert.deepEqual(Object.keys(got.cache).sort(), [...node.hookNames].sort());
    for (const hook of node.hookNames) assert.ok(diff(got.cache[hook]!, ref[hook]!, hook) < 1e-4, hook);
  });
}

for (const name of GPT2_FIXTURES) {
  test(`chromium: ${name} (Hugging Face GPT-2) gives the reference logits and loss`, { skip }, async () => {
    const ref = await reference(name);
    const got = await inPage(name, rows(ref['tokens']!), false);
    assert.equal(got.format, 'hf-gpt2');
    assert.ok(diff(got.logits, ref['logits']!, 'logits') < 1e-4);
    assert.ok(Math.abs(got.loss - Number(ref['loss']!.data[0])) < 1e-4);
  });
}

test('chromium: loadModelFromFiles reads a dropped folder\'s Files, and GPT-2\'s vocabulary loads lazily', { skip }, async () => {
  await page.setContent('<link rel="icon" href="data:,"><input type="file" id="dir" webkitdirectory multiple>');
  await page.setInputFiles('#dir', join(FIXTURES, 'tl-statedict'));
  const r = await page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const cs = (globalThis as any).cs;
    const input = document.getElementById('dir') as HTMLInputElement;
    const before = cs.tokenize.tokenizerByName('gpt2');
    let lazyError = '';
    try {
      before.encode('x');
    } catch (e) {
      lazyError = (e as Error).message;
    }
    const model = await cs.loadModelFromFiles(input.files);
    let missing = '';
    try {
      await cs.loadModelFromFiles([...input.files!].filter((f: File) => f.name !== 'model.safetensors'));
    } catch (e) {
      missing = (e as Error).message;
    }
    return { lazyError, n: input.files!.length, layers: model.cfg.n_layers, missing };
  });
  assert.match(r.lazyError, /await loadGpt2Vocabulary\(\) first/);
  assert.equal(r.layers, 2);
  assert.equal(r.missing, 'tl-statedict/model.safetensors: no such file');
  // Once loaded on demand, GPT-2's vocabulary encodes as in Node.
  const tok = await page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const cs = (globalThis as any).cs;
    await cs.loadGpt2Vocabulary();
    return cs.tokenize.tokenizerByName('gpt2').encode('Hello world');
  });
  assert.deepEqual(tok, [15496, 995]);
});

test('chromium: saveModelToFiles gives the bytes Node writes; Node loads them', { skip }, async () => {
  const files = await page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const cs = (globalThis as any).cs;
    const model = new cs.HookedTransformer({ n_layers: 1, d_model: 8, n_heads: 2, d_vocab: 257, n_ctx: 8, attn_only: true, seed: 5, tokenizer_name: 'bytes', bos_token_id: 256 }, undefined, new cs.tokenize.ByteTokenizer());
    const out = cs.saveModelToFiles(model);
    const logits = Array.from((await model.run([[1, 2, 3]])).data as Float32Array);
    return { names: Object.keys(out), bytes: Object.values(out).map((b) => Array.from(b as Uint8Array)), logits };
  });
  const { mkdtemp, readFile, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'cs-saved-'));
  try {
    for (let i = 0; i < files.names.length; i++) await writeFile(join(dir, files.names[i]!), Uint8Array.from(files.bytes[i]!));
    const model = await loadModel(dir);
    assert.equal(model.tokenizer?.name, 'bytes');
    assert.ok(diff({ shape: [1, 3, 257], data: files.logits }, await model.run([[1, 2, 3]]), 'logits') < 1e-5);
    await writeModelDir(join(dir, 'node'), model.cfg, model.weights, { 'tokenizer.json': `${JSON.stringify(new ByteTokenizer().toJSON(), null, 2)}\n` });
    for (const n of files.names) assert.deepEqual(new Uint8Array(await readFile(join(dir, 'node', n))), new Uint8Array(await readFile(join(dir, n))), n);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('chromium: no console errors and no request left the origin', { skip }, () => {
  guard.assertClean();
});
