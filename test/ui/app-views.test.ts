// The app's Patching, Neurons, Zero-layer and Framework views in chromium, on small byte-level models served with
// the site (0, 1 and 2 layers attention-only, and one with an MLP) and on a model without a tokenizer; values
// checked against the same view data computed in Node; screenshots in test-output/screenshots/app-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { browserSkip, launchChromium } from '../browser/chromium.js';
import { openApp } from './appPage.js';
import { SCREENSHOTS as SHOTS } from './harness.js';
import { ROOT } from '../../scripts/build-ui.mjs';
import { buildSite } from '../../scripts/build-site.mjs';
import { modelsToServe, startUiServer, type UiServer } from '../../src/io/uiServer.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { loadModel } from '../../src/io/loadModel.js';
import { readBrownCorpus } from '../../src/io/corpus.js';
import { writeModelDir } from '../../src/io/modelDir.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import type { ConfigInput } from '../../src/model/config.js';
import { ByteTokenizer } from '../../src/tokenize/index.js';
import { displayToken } from '../../src/ui/lib/format.js';
import { splitDocuments, tokenizeDocuments } from '../../src/data/index.js';
import { bigramsView, corpusWindows, frameworkSection, neuronsView, patchingView } from '../../src/analysis/views/index.js';

installNodeRuntime();
const skip = browserSkip();

describe('the app\'s patching, neurons, zero-layer and framework views', { skip }, () => {
  let dir: string;
  let browser: Browser;
  let server: UiServer;
  const dirs: Record<string, string> = {};
  let stream: Int32Array;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cs-app-views-'));
    await mkdir(SHOTS, { recursive: true });
    const tok = new ByteTokenizer();
    const base = { d_model: 32, n_heads: 2, d_head: 16, d_vocab: tok.vocabSize, n_ctx: 48, normalization_type: 'LN' as const, bos_token_id: tok.bosTokenId, tokenizer_name: 'bytes' };
    const make = async (name: string, cfg: Partial<ConfigInput>) => {
      const m = new HookedTransformer({ ...base, model_name: name, ...cfg } as ConfigInput);
      dirs[name] = join(dir, name);
      await writeModelDir(dirs[name], m.cfg, m.weights);
      await writeFile(join(dirs[name], 'tokenizer.json'), JSON.stringify(tok.toJSON()));
    };
    await make('bytes-2l', { n_layers: 2, attn_only: true, seed: 5 });
    await make('bytes-gelu-1l', { n_layers: 1, attn_only: false, d_mlp: 64, act_fn: 'gelu', seed: 6 });
    await make('bytes-0l', { n_layers: 0, attn_only: true, seed: 7 });
    await make('bytes-1l', { n_layers: 1, attn_only: true, seed: 8 });
    const site = await buildSite({ outdir: join(dir, 'site'), minify: true });
    // ids: 0 bytes-2l, 1 attn-only-2l fixture (no tokenizer), 2 gelu-1l, 3 0l, 4 1l, 5 gelu-2l-ln fixture (no tokenizer)
    server = await startUiServer({ siteDir: site, models: await modelsToServe([
      dirs['bytes-2l']!, join(ROOT, 'test/fixtures/attn-only-2l'), dirs['bytes-gelu-1l']!, dirs['bytes-0l']!, dirs['bytes-1l']!, join(ROOT, 'test/fixtures/gelu-2l-ln'),
    ]) });
    browser = await launchChromium();
    const docs = splitDocuments(await readBrownCorpus(), 0.1);
    stream = tokenizeDocuments(tok, docs.validation);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = (hash: string) => openApp(browser, server.url, hash);
  const load = (name: string) => loadModel(dirs[name]!, { processWeights: true });

  test('Patching: default prompts, the metric stated, both heatmaps; mismatched prompts give a one-line message', async () => {
    const { page, guard } = await open('#/patching?model=0');
    await page.waitForSelector('[data-testid=patch-metric]', { timeout: 60_000 });
    const want = await patchingView(await load('bytes-2l'));
    const text = await page.locator('[data-testid=patch-metric]').innerText();
    const metric = `logit(${displayToken(want.answer)}) − logit(${displayToken(want.wrong)}) at the last position`;
    assert.ok(text.includes(metric), `"${text}" states ${metric}`);
    assert.ok(text.includes(want.cleanValue.toFixed(3)) && text.includes(want.corruptValue.toFixed(3)), text);
    assert.equal(await page.inputValue('input[name=clean]'), want.clean);
    assert.ok(await page.isVisible('text=Patching the residual stream (resid_pre)'));
    assert.ok(await page.isVisible('text=Patching each head\'s output (z)'));
    // A cell's value in the layer x head heatmap, as the heatmap's own value labels show it.
    await page.screenshot({ path: join(SHOTS, 'app-patching.png'), fullPage: true });
    await page.fill('input[name=clean]', 'abc');
    await page.fill('input[name=corrupt]', 'abcd');
    await page.click('button:text-is("patch")');
    const err = page.locator('.app-error[role=alert]');
    await err.waitFor();
    assert.equal((await err.innerText()).split('\n').length, 1);
    assert.match(await err.innerText(), /clean prompt has 4 tokens and the corrupted one 5/);
    assert.ok(page.url().includes('clean=abc'), 'the prompts are in the URL');
    guard.assertClean();
    await page.close();
  });

  test('Patching on a model without a tokenizer: id prompts by default', async () => {
    const { page, guard } = await open('#/patching?model=1');
    await page.waitForSelector('[data-testid=patch-metric]', { timeout: 60_000 });
    const want = await patchingView(await loadModel(join(ROOT, 'test/fixtures/attn-only-2l'), { processWeights: true }));
    assert.equal(await page.inputValue('input[name=corrupt]'), want.corrupt);
    assert.ok((await page.locator('[data-testid=patch-metric]').innerText()).includes(`logit(${want.answer}) − logit(${want.wrong})`));
    await page.screenshot({ path: join(SHOTS, 'app-patching-ids.png'), fullPage: true });
    guard.assertClean();
    await page.close();
  });

  test('Neurons: the prompt coloured by hook_post, top tokens and windows over the Brown validation text', async () => {
    const prompt = 'The cat sat on the mat. The dog sat on the log.';
    const { page, guard } = await open(`#/neurons?model=2&layer=0&neuron=5&prompt=${encodeURIComponent(prompt)}`);
    await page.waitForSelector('[data-testid=neuron-corpus]', { timeout: 60_000 });
    const m = await load('bytes-gelu-1l');
    const rows = corpusWindows(stream, 32, 64, m.cfg.bos_token_id);
    const want = await neuronsView(m, prompt, 0, 5, { rows, name: 'x' });
    const shown = await page.locator('.cs-token').first().locator('xpath=..').locator('.cs-token').evaluateAll((ts) => ts.map((t) => Number(t.getAttribute('data-value'))));
    assert.equal(shown.length, want.activations.length);
    shown.forEach((x, i) => assert.ok(Math.abs(x - want.activations[i]!) < 1e-4, `token ${i}: ${x} vs ${want.activations[i]}`));
    assert.ok((await page.locator('[data-testid=neuron-corpus]').innerText()).includes(want.corpusTokens.toLocaleString('en')));
    const first = await page.locator('.cs-topk-cell').first().getAttribute('data-value');
    assert.ok(Math.abs(Number(first) - want.topTokens[0]!.max) < 1e-4, `top token ${first} vs ${want.topTokens[0]!.max}`);
    assert.equal(await page.locator('.cs-sample').count(), want.samples.length);
    await page.screenshot({ path: join(SHOTS, 'app-neurons.png'), fullPage: true });
    // A most-active neuron button moves the URL and the view to it.
    const n = want.promptTop[1]!.neuron;
    await page.click(`button[data-neuron="${n}"]`);
    await page.waitForSelector(`text=L0 N${n} on the prompt`);
    assert.ok(page.url().includes(`neuron=${n}`));
    // Without a tokenizer there is no corpus: the prompt's ids are the sample.
    await page.goto(server.url + '#/neurons?model=5&layer=1&neuron=7&prompt=3 1 4 1 5 9 2 6');
    await page.waitForSelector('[data-testid=neuron-corpus] >> text=the prompt (no corpus at hand)', { timeout: 60_000 });
    const g = await neuronsView(await loadModel(join(ROOT, 'test/fixtures/gelu-2l-ln'), { processWeights: true }), '3 1 4 1 5 9 2 6', 1, 7, null);
    const top = await page.locator('.cs-topk-cell').first().getAttribute('data-value');
    assert.ok(Math.abs(Number(top) - g.topTokens[0]!.max) < 1e-4, `top token ${top} vs ${g.topTokens[0]!.max}`);
    await page.screenshot({ path: join(SHOTS, 'app-neurons-ids.png'), fullPage: true });
    await page.goto(server.url + '#/neurons?model=0');
    await page.waitForSelector('text=This model is attention-only', { timeout: 60_000 });
    guard.assertClean();
    await page.close();
  });

  test('Zero-layer: the model\'s table beside the corpus\'s with compareBigrams\'s correlation; the direct path with layers', async () => {
    const { page, guard } = await open('#/bigrams?model=3');
    await page.waitForSelector('[data-testid=bigram-correlation]', { timeout: 90_000 });
    const want = await bigramsView(await load('bytes-0l'), { stream, name: 'x' });
    const text = await page.locator('[data-testid=bigram-correlation]').innerText();
    assert.ok(text.includes(`Pearson ${want.pearson!.toFixed(3)}`), `"${text}" vs ${want.pearson}`);
    assert.ok(text.includes(`KL(corpus ‖ model) ${want.kl!.toFixed(3)}`), text);
    await page.screenshot({ path: join(SHOTS, 'app-bigrams.png'), fullPage: true });
    await page.goto(server.url + '#/bigrams?model=0');
    await page.waitForSelector('text=The direct path vs the corpus', { timeout: 90_000 });
    const direct = await bigramsView(await load('bytes-2l'), { stream, name: 'x' });
    assert.ok((await page.locator('[data-testid=bigram-correlation]').innerText()).includes(`Pearson ${direct.pearson!.toFixed(3)}`));
    await page.goto(server.url + '#/bigrams?model=1');
    await page.waitForSelector('text=No corpus for this model', { timeout: 60_000 });
    guard.assertClean();
    await page.close();
  });

  test('Framework: four sections in order, each on the served model with its layers, with reproduce\'s claims', async () => {
    const { page, guard } = await open('#/framework?model=0');
    for (const id of ['zero', 'one', 'two', 'terms']) await page.waitForSelector(`[data-section=${id}] .app-claims`, { timeout: 120_000 });
    const sections = await page.locator('.app-section h3').allTextContents();
    assert.deepEqual(sections.map((s) => s.slice(0, 2)), ['1.', '2.', '3.', '4.']);
    assert.ok((await page.locator('[data-section=zero] .app-note').innerText()).includes('bytes-0l'));
    assert.ok((await page.locator('[data-section=one] .app-note').innerText()).includes('bytes-1l'));
    assert.ok((await page.locator('[data-section=two] .app-note').innerText()).includes('bytes-2l'));
    const zero = await frameworkSection(await load('bytes-0l'), 'zero', stream);
    assert.equal(await page.locator('[data-section=zero] .app-measured').innerText(), `measured: ${zero.claims[0]!.measured}`);
    const two = await frameworkSection(await load('bytes-2l'), 'two', stream);
    const measured = await page.locator('[data-section=two] .app-measured').allTextContents();
    assert.deepEqual(measured, two.claims.map((c) => `measured: ${c.measured}`));
    assert.equal(await page.locator('[data-section=two] li[data-holds]').count(), two.claims.length);
    await page.screenshot({ path: join(SHOTS, 'app-framework.png'), fullPage: true });
    guard.assertClean();
    await page.close();
  });
});
