// The app's Discover view in chromium, on the hand-built induction model of the discovery tests (its true circuit
// known) served with the site: EAP on induction draws the circuit and the faithfulness curve, with the same numbers
// as discoveryView in Node; the known circuit gives ROC AUC 1; ACDC keeps exactly the true circuit and its curve
// joins EAP's; a pasted task's mistakes are one line in the page. Screenshots: test-output/screenshots/app-discover*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, launchChromium } from '../browser/chromium.js';
import { openApp } from './appPage.js';
import { SCREENSHOTS as SHOTS } from './harness.js';
import { buildSite } from '../../scripts/build-site.mjs';
import { modelsToServe, startUiServer, type UiServer } from '../../src/io/uiServer.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { loadModel } from '../../src/io/loadModel.js';
import { writeModelDir } from '../../src/io/modelDir.js';
import { discoveryView, parseReference, rocCurve, type DiscoveryView } from '../../src/analysis/views/index.js';
import { rankEdges, rocAuc } from '../../src/analysis/discovery/index.js';
import { handBuiltInduction, TRUE_EDGES } from '../analysis/discovery/handBuilt.js';

installNodeRuntime();
const skip = browserSkip();

test('rocCurve runs from (0, 0) to (1, 1), tied scores move together, and its area is rocAuc\'s', () => {
  // Scores with ties (0.5 three times, 0 twice) across true and false edges.
  const scores = [2, -1.5, 0.5, 0.5, -0.5, 0.2, 0, 0, 1, -0.1];
  const edges = scores.map((score, i) => ({ from: `w${i}`, to: 'r', score, kept: false }));
  const truth = new Set(['w0->r', 'w2->r', 'w6->r', 'w8->r']);
  const { fpr, tpr } = rocCurve(edges, truth);
  assert.deepEqual([fpr[0], tpr[0], fpr.at(-1), tpr.at(-1)], [0, 0, 1, 1]);
  // Distinct |scores|: 2, 1.5, 1, 0.5 (three), 0.2, 0.1, 0 (two) -> 7 steps after the origin.
  assert.equal(fpr.length, 8);
  let area = 0;
  for (let i = 1; i < fpr.length; i++) area += (fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!) / 2;
  assert.ok(Math.abs(area - rocAuc(edges, truth)) < 1e-12, `${area} vs ${rocAuc(edges, truth)}`);
});

test('parseReference reads edge keys (arrows, commas, lines) or JSON, and names a wrong edge in one line', () => {
  const cfg = { n_layers: 2, n_heads: 2, attn_only: true };
  assert.deepEqual(parseReference('L0H0 -> L1H0.k,\nembed→L0H0.v; L1H0->logits', cfg), ['L0H0->L1H0.k', 'embed->L0H0.v', 'L1H0->logits']);
  assert.deepEqual(parseReference('{ "edges": [{ "from": "L0H0", "to": "L1H0.k", "kept": true }, { "from": "L0H1", "to": "L1H0.q", "kept": false }] }', cfg), ['L0H0->L1H0.k']);
  assert.throws(() => parseReference('L1H0->L0H0.q', cfg), /^InputError: known circuit: edges\[0\] "L1H0->L0H0.q" is not an edge of this model's graph/);
  assert.throws(() => parseReference('[1,', cfg), /^InputError: known circuit: not valid JSON/);
});

describe('the app\'s Discover view', { skip }, () => {
  let dir: string;
  let browser: Browser;
  let server: UiServer;
  let eap: DiscoveryView;
  let acdc: DiscoveryView;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cs-app-discover-'));
    await mkdir(SHOTS, { recursive: true });
    const m = handBuiltInduction();
    const modelDir = join(dir, 'hand-built-induction');
    await writeModelDir(modelDir, { ...m.cfg, model_name: 'hand-built-induction' }, m.weights);
    const site = await buildSite({ outdir: join(dir, 'site'), minify: true });
    server = await startUiServer({ siteDir: site, models: await modelsToServe([modelDir]) });
    browser = await launchChromium();
    // The worker loads models as from_pretrained does (weights processed); so does the reference computation here.
    const model = await loadModel(modelDir, { processWeights: true });
    eap = await discoveryView(model, { task: { kind: 'induction' }, method: 'eap', reference: TRUE_EDGES.join(' ') });
    acdc = await discoveryView(model, { task: { kind: 'induction', corrupt: 'first-half' }, method: 'acdc' });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = (hash: string) => openApp(browser, server.url, hash);
  const summary = (page: Page) => page.locator('[data-testid=discover-summary]');
  const edgesDrawn = (page: Page) => page.locator('svg.cs-circuit path.cs-edge').evaluateAll((ps) => ps.map((p) => ({
    edge: p.getAttribute('data-edge')!, kept: p.getAttribute('data-kept') === 'true', score: Number(p.getAttribute('data-score')),
  })));

  test('EAP on induction: the circuit, its faithfulness curve and its top edges, as discoveryView computes them', async () => {
    const { page, guard } = await open('#/discover?model=0');
    await summary(page).waitFor({ timeout: 90_000 });
    const text = await summary(page).innerText();
    assert.match(text, /edge attribution patching \(EAP\) on induction \(corrupted B \+ B \(another repeated sequence\)\): 8 prompt pairs of 12 tokens, 40 predictions, metric logit_diff, resample ablation/);
    // The hand-built model does induction: the clean logit difference is large and positive, the ablated one negative.
    assert.ok(eap.clean > 2 && eap.corrupt < -2, `${eap.clean} ${eap.corrupt}`);
    assert.ok(text.includes(`Clean run ${Number(eap.clean.toPrecision(4))}`), text);
    // The graph draws the kept edges (the top 10, less those scoring 0), with Node's scores; the K-composition edge among them.
    const drawn = await edgesDrawn(page);
    const want = new Map(eap.edges.map((e) => [`${e.from}->${e.to}`, e]));
    assert.equal(drawn.length, eap.edges.filter((e) => e.kept && e.score !== 0).length);
    for (const d of drawn) {
      assert.ok(want.get(d.edge)!.kept && d.kept, d.edge);
      assert.ok(Math.abs(d.score - want.get(d.edge)!.score) < 1e-4 * Math.max(1, Math.abs(d.score)), `${d.edge}: ${d.score} vs ${want.get(d.edge)!.score}`);
    }
    for (const e of TRUE_EDGES) assert.ok(drawn.some((d) => d.edge === e), `${e} drawn`);
    // The top-edges table: Node's ranking.
    const rows = await page.locator('.cs-table tbody tr').evaluateAll((trs) => trs.slice(0, 5).map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.deepEqual(rows.map((r) => `${r[1]}->${r[2]}`).sort(), rankEdges(eap.edges).slice(0, 5).map((e) => `${e.from}->${e.to}`).sort());
    assert.deepEqual(rankEdges(eap.edges).slice(0, 5).map((e) => `${e.from}->${e.to}`).sort(), [...TRUE_EDGES].sort(), 'EAP ranks the true edges first');
    // The faithfulness curve: one point per k, EAP's curve and the clean run.
    const chart = page.locator('.cs-figure', { hasText: 'Faithfulness' }).locator('.cs-chart');
    assert.equal(await chart.getAttribute('data-points'), String(eap.faithfulness.length));
    assert.deepEqual(await chart.locator('.u-legend .u-series .u-label').allTextContents(), ['edges kept', 'eap', 'clean run']);
    await page.mouse.move(1, 1);
    await page.screenshot({ path: join(SHOTS, 'app-discover.png'), fullPage: true });
    // With the known circuit, the ROC and its AUC: 1, as rocAuc in Node.
    await page.fill('input[name=reference]', TRUE_EDGES.join(', '));
    await page.click('button:text-is("find the circuit")');
    await page.locator('[data-testid=discover-auc]').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('[data-testid=discover-auc]').innerText(), eap.roc!.auc.toFixed(3));
    assert.equal(eap.roc!.auc, 1);
    assert.ok(await page.isVisible('text=ROC against the known circuit'));
    assert.ok(page.url().includes('reference='), 'the known circuit is in the URL');
    guard.assertClean();
    await page.close();
  });

  test('ACDC on the first-half corruption keeps exactly the circuit it can see; its faithfulness curve joins EAP\'s', async () => {
    const { page, guard } = await open('#/discover?model=0&corruption=first-half');
    await summary(page).waitFor({ timeout: 90_000 });
    await page.selectOption('select[name=method]', 'acdc');
    await page.fill('input[name=tau]', '0.01');
    await page.click('button:text-is("find the circuit")');
    await page.locator('[data-testid=discover-summary] >> text=ACDC kept').waitFor({ timeout: 90_000 });
    const kept = acdc.edges.filter((e) => e.kept).map((e) => `${e.from}->${e.to}`).sort();
    // B + A leaves the queries unchanged, so embed->L1H0.q carries nothing to patch: the rest of the true circuit.
    assert.deepEqual(kept, TRUE_EDGES.filter((e) => e !== 'embed->L1H0.q').sort(), 'ACDC in Node keeps the true circuit');
    assert.match(await summary(page).innerText(), /on induction \(corrupted B \+ A \(the copy read from is gone\)\)/);
    assert.match(await summary(page).innerText(), new RegExp(`ACDC kept ${kept.length} of ${acdc.edges.length} edges \\(τ 0\\.01\\)`));
    const drawn = await edgesDrawn(page);
    assert.deepEqual(drawn.filter((d) => d.kept).map((d) => d.edge).sort(), kept);
    const chart = page.locator('.cs-figure', { hasText: 'Faithfulness' }).locator('.cs-chart');
    assert.deepEqual(await chart.locator('.u-legend .u-series .u-label').allTextContents(), ['edges kept', 'eap', 'acdc (τ 0.01, kl)', 'clean run']);
    await page.mouse.move(1, 1);
    await page.screenshot({ path: join(SHOTS, 'app-discover-acdc.png'), fullPage: true });
    guard.assertClean();
    await page.close();
  });

  test('a pasted task: bad JSON and a bad field are one line each; a good one runs on its prompts', async () => {
    const { page, guard } = await open('#/discover?model=0');
    await summary(page).waitFor({ timeout: 90_000 });
    await page.check('input[name=task-kind] >> nth=1');
    const run = async (json: string) => {
      await page.fill('textarea[name=task-json]', json);
      await page.click('button:text-is("find the circuit")');
    };
    const err = page.locator('.app-error[role=alert]');
    await run('{ "prompts": [');
    await err.waitFor({ timeout: 60_000 });
    assert.match(await err.innerText(), /^pasted task: not valid JSON/);
    assert.equal((await err.innerText()).split('\n').length, 1);
    await run('{ "prompts": [{ "clean": [1, 2, 3, 1, 2], "corrupt": [4, 5, 6, 4, 5], "answer": 12, "wrong": 6 }] }');
    await page.locator('.app-error >> text=answer').waitFor({ timeout: 60_000 });
    assert.equal(await err.innerText(), 'pasted task: prompts[0].answer must be a token id in 0..9');
    await run('{ "prompts": [{ "clean": [1, 2, 3, 1, 2], "corrupt": [4, 5, 6, 4, 5], "answer": 3, "wrong": 6 }] }');
    await page.locator('[data-testid=discover-summary] >> text=pasted task').waitFor({ timeout: 60_000 });
    assert.match(await summary(page).innerText(), /on pasted task: 1 prompt pair of 5 tokens, 1 predictions/);
    assert.equal(await err.count(), 0);
    // A known circuit naming an edge the graph lacks: one line, nothing run.
    await page.fill('input[name=reference]', 'L0H0->L1H0.k, L1H0->L0H0.q');
    await page.click('button:text-is("find the circuit")');
    await err.waitFor({ timeout: 60_000 });
    assert.equal(await err.innerText(), 'known circuit: edges[1] "L1H0->L0H0.q" is not an edge of this model\'s graph (for example "L0H2->L1H1.k")');
    guard.assertClean();
    await page.close();
  });
});
