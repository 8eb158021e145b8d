// The live app in chromium: every view on a small model with a tokenizer (and training curves) and on one without,
// checked against the same computations in Node; the main interactions (pick a layer, hover a token, click a head,
// ablate, train a few steps in the page); no console error and no request leaving the page's origin.
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
import { writeModelDir } from '../../src/io/modelDir.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { ByteTokenizer } from '../../src/tokenize/index.js';
import { promptView, ablationView } from '../../src/analysis/views/index.js';

installNodeRuntime();
const skip = browserSkip();

describe('the circuitscope app', { skip }, () => {
  let dir: string;
  let browser: Browser;
  let server: UiServer;
  let textModel: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cs-app-'));
    await mkdir(SHOTS, { recursive: true });
    // A small two-layer model reading bytes, with its tokenizer and a metrics.jsonl as a run directory has.
    const tok = new ByteTokenizer();
    const m = new HookedTransformer({ n_layers: 2, d_model: 32, n_heads: 2, d_head: 16, d_vocab: tok.vocabSize, n_ctx: 48, attn_only: true,
      normalization_type: 'LN', bos_token_id: tok.bosTokenId, tokenizer_name: 'bytes', model_name: 'bytes-2l', seed: 5 });
    textModel = join(dir, 'bytes-2l');
    await writeModelDir(textModel, m.cfg, m.weights);
    await writeFile(join(textModel, 'tokenizer.json'), JSON.stringify(tok.toJSON()));
    const lines = [0, 10, 20, 30].map((step, i) => JSON.stringify({ step, loss: 5.6 - i, lr: 1e-3, val_loss: 5.7 - i, icl_score: -0.1 * i,
      induction_scores: [[0.01, 0.02], [0.05 * i, 0.3 * i]], previous_token_scores: [[0.1 * i, 0.02], [0.01, 0.02]],
      ...(step === 20 ? { curriculum_ended: 20 } : {}), ...(step <= 10 ? { probe_context: 24 } : {}), ...(step <= 20 ? { loss_vocabulary: 17 } : {}) }));
    await writeFile(join(textModel, 'metrics.jsonl'), lines.join('\n') + '\n');
    const site = await buildSite({ outdir: join(dir, 'site'), minify: true });
    server = await startUiServer({ siteDir: site, models: await modelsToServe([textModel, join(ROOT, 'test/fixtures/attn-only-2l')]) });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = (hash: string) => openApp(browser, server.url, hash);

  test('Model view: config, parameters and the training curves from metrics.jsonl', async () => {
    const { page, guard } = await open('#/model?model=0');
    await page.waitForSelector('text=parameters');
    const m = await loadModel(textModel, { processWeights: true });
    const params = Object.values(m.weights).reduce((s, t) => s + t.data.length, 0);
    assert.ok(await page.isVisible(`text=${params.toLocaleString('en')}`), 'parameter count');
    await page.waitForSelector('text=Induction score of every head: the phase change (dashed: the curriculum ended at step 20)');
    // The curriculum's end is marked on the loss and induction charts, not on the others.
    assert.equal(await page.locator('.cs-chart[data-markers="20"]').count(), 2);
    assert.ok(await page.isVisible('text=Loss (dashed: the curriculum ended at step 20; the training loss over 17 ids up to step 20)'));
    // A warm-up's probes read its 24 tokens up to step 10: said on the ICL chart and marked there alone.
    assert.ok(await page.isVisible('text=In-context learning score (loss late in the context minus early; on the first 24 tokens, the length trained, up to step 10 (dashed))'));
    assert.equal(await page.locator('.cs-chart[data-markers="10"]').count(), 1);
    await page.screenshot({ path: join(SHOTS, 'app-model.png'), fullPage: true });
    guard.assertClean();
    await page.close();
  });

  test('Prompt view: hovering a token shows the model\'s own top prediction', async () => {
    const prompt = 'abcabcabc';
    const { page, guard } = await open(`#/prompt?model=0&prompt=${prompt}`);
    await page.waitForSelector('.cs-token');
    const want = await promptView(await loadModel(textModel, { processWeights: true }), prompt);
    const tokens = page.locator('.cs-token');
    assert.equal(await tokens.count(), want.tokens.length);
    await tokens.nth(3).hover();
    const tip = await page.locator('.cs-tooltip, .cs-topk').first().innerText();
    const top = want.predictions[3]!.top[0]!;
    assert.ok(tip.includes((top.prob * 100).toFixed(1)) || tip.includes(top.prob.toFixed(3)), `tooltip "${tip}" shows p(top) = ${top.prob}`);
    await page.screenshot({ path: join(SHOTS, 'app-prompt.png'), fullPage: true });
    guard.assertClean();
    await page.close();
  });

  test('Attention, Heads, Circuits and Composition views render on a model without a tokenizer', async () => {
    const { page, guard } = await open('#/attention?model=1&layer=1');
    await page.waitForSelector('text=Layer 1 attention');
    assert.ok(await page.isVisible('text=L1H1'));
    await page.screenshot({ path: join(SHOTS, 'app-attention.png'), fullPage: true });
    await page.goto(server.url + '#/heads?model=1');
    await page.waitForSelector('text=Head scores');
    await page.screenshot({ path: join(SHOTS, 'app-heads.png'), fullPage: true });
    await page.goto(server.url + '#/circuits?model=1&layer=1&head=1');
    await page.waitForSelector('text=L1H1 QK circuit');
    assert.ok(await page.isVisible('text=L1H1 positional QK'));
    await page.screenshot({ path: join(SHOTS, 'app-circuits.png'), fullPage: true });
    await page.goto(server.url + '#/composition?model=1');
    await page.waitForSelector('text=K-composition scores');
    await page.screenshot({ path: join(SHOTS, 'app-composition.png'), fullPage: true });
    guard.assertClean();
    await page.close();
  });

  test('Attribution view: ablating a head gives the loss Node computes', async () => {
    const prompt = 'abcdabcd';
    const { page, guard } = await open(`#/attribution?model=0&prompt=${prompt}`);
    await page.waitForSelector('text=Logit lens');
    await page.click('button[data-head="L1H1"]');
    await page.waitForSelector('[data-testid=ablation] >> text=L1H1');
    const text = await page.locator('[data-testid=ablation]').innerText();
    const want = await ablationView(await loadModel(textModel, { processWeights: true }), prompt, 1, 1, 'zero');
    assert.ok(text.includes(want.ablatedLoss.toFixed(4)), `"${text}" shows ${want.ablatedLoss.toFixed(4)}`);
    await page.screenshot({ path: join(SHOTS, 'app-attribution.png'), fullPage: true });
    guard.assertClean();
    await page.close();
  });

  test('Train view: a few steps in the page, then the model opens in the views', async () => {
    const { page, guard } = await open('#/train');
    // attn-only-2l reads bytes (no tokenizer to train first) and starts on the induction task: the cheapest run.
    await page.selectOption('select[name=preset]', 'attn-only-2l');
    await page.fill('input[name=steps]', '3');
    await page.click('button:text-is("train")');
    // When the run ends the app opens the trained model in the Heads view (the Train view's status goes with it).
    await page.waitForSelector('text=Head scores', { timeout: 240_000 });
    assert.equal(await page.locator('select[name=model] option:checked').innerText(), 'trained model (in this tab)');
    await page.screenshot({ path: join(SHOTS, 'app-train.png'), fullPage: true });
    guard.assertClean();
    await page.close();
  });
});
