// The app's Development view in chromium: the JSON of `llc` and `analyze --over-training` opened from disk, drawn
// by DevelopmentCurves with the stage boundaries; a file that is neither gives a one-line message. No model needed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { browserSkip, launchChromium } from '../browser/chromium.js';
import { openApp } from './appPage.js';
import { SCREENSHOTS } from './harness.js';
import { buildSite } from '../../scripts/build-site.mjs';
import { startUiServer, type UiServer } from '../../src/io/uiServer.js';
import type { LLCOverTraining } from '../../src/analysis/llc/overTraining.js';
import type { OverTrainingResult } from '../../src/analysis/overTraining.js';

const steps = [0, 1, 3, 10, 30, 100, 300, 1000];
const mean = [1, 4, 7, 5, 3, 6, 9, 10];
const llc: LLCOverTraining = {
  options: null, numParams: 10,
  points: steps.map((step, i) => ({ step, llcMean: mean[i]!, llcStd: 0.4, llcPerChain: [mean[i]!], initLoss: 3, nbeta: 1, warnings: [], lossTrace: [] })),
  stages: { smoothed: steps.map((step, i) => ({ step, value: mean[i]! })), bandwidth: 1, boundaries: [{ step: 3, kind: 'max', value: 7, flat: { from: 3, to: 3 } }, { step: 30, kind: 'min', value: 3, flat: { from: 30, to: 30 } }], stages: [] },
  essentialDynamics: { steps, trajectory: steps.map((_, i) => [Math.cos(i), Math.sin(i)]), explainedVariance: [1, 1], explainedVarianceRatio: [0.5, 0.4], totalVariance: 2,
    boundaries: [{ step: 3, kind: 'max', value: 7, flat: { from: 3, to: 3 } }, { step: 30, kind: 'min', value: 3, flat: { from: 30, to: 30 } }], probe: { rows: 1, positions: 4 } },
};
const over: OverTrainingResult = {
  steps, analyses: ['grokking'],
  series: { train_loss: steps.map((_, i) => 4 / (i + 1)), test_loss: steps.map(() => 4), test_accuracy: steps.map((_, i) => i / 7), sum_squared_weights: steps.map((_, i) => 50 - i) },
};

describe('the app\'s Development view', { skip: browserSkip() }, () => {
  let dir: string;
  let browser: Browser;
  let server: UiServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cs-app-dev-'));
    await mkdir(SCREENSHOTS, { recursive: true });
    server = await startUiServer({ siteDir: await buildSite({ outdir: join(dir, 'site'), minify: true }), models: [] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('open llc.json and over.json: the LLC, loss, accuracy and weight-norm panels, boundaries on each, the PC path', async () => {
    const { page, guard } = await openApp(browser, server.url, '#/development');
    const input = page.locator('input[name=development-files]');
    await input.setInputFiles([
      { name: 'llc.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ run: 'r', ...llc })) },
      { name: 'over.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(over)) },
    ]);
    await page.waitForSelector('.cs-development');
    assert.deepEqual(await page.locator('.cs-development-panel').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset.panel)), ['llc', 'loss', 'accuracy', 'weights']);
    for (const m of await page.locator('.cs-development .cs-chart').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset.markers))) assert.equal(m, '3,30');
    assert.deepEqual(await page.locator('.cs-ed-boundary').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset.step)), ['3', '30']);
    await page.screenshot({ path: join(SCREENSHOTS, 'app-development.png'), fullPage: true });
    // A JSON file from neither command: one line naming it; the figure stays.
    await input.setInputFiles([{ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from('{"x": 1}') }]);
    await page.waitForSelector('.app-error');
    assert.match(await page.locator('.app-error').innerText(), /^other\.json: expected the JSON of circuitscope llc/);
    assert.equal(await page.locator('.cs-development-panel').count(), 4);
    guard.assertClean();
    await page.close();
  });
});
