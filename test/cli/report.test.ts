import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { cli, ROOT } from './run.js';
import { browserSkip, guardPage, launchChromium } from '../browser/chromium.js';
import { SCREENSHOTS } from '../ui/harness.js';
import { loadModel } from '../../src/io/loadModel.js';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { discoverCircuit, inductionTask, rankEdges } from '../../src/analysis/discovery/index.js';
import type { LLCOverTraining } from '../../src/analysis/llc/overTraining.js';
import type { OverTrainingResult } from '../../src/analysis/overTraining.js';

const FIXTURE = join(ROOT, 'test/fixtures/attn-only-2l');

/** Opens a report from disk; every request other than the file itself (and data:/blob:) is recorded. */
async function openReport(browser: Browser, file: string): Promise<{ page: Page; requests: string[]; assertClean(): void }> {
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const guard = guardPage(page, url);
  const requests: string[] = [];
  page.on('request', (r) => { if (r.url() !== url && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) requests.push(r.url()); });
  await page.goto(url);
  await page.waitForSelector('.cs-report');
  return { page, requests, assertClean: () => { guard.assertClean(); assert.deepEqual(requests, []); } };
}

// Development inputs, typed as the library's results (so their shapes are what `llc` and `analyze --over-training` write).
const devSteps = [0, 10, 100, 1000, 10000];
const llcJSON: LLCOverTraining & { run: string } = {
  run: 'r', options: null, numParams: 100,
  points: devSteps.map((step, i) => ({ step, llcMean: [2, 6, 4, 8, 9][i]!, llcStd: 0.3, llcPerChain: [1, 2], initLoss: 3 - 0.5 * i, nbeta: 10, warnings: [], lossTrace: [[1, 2]] })),
  stages: { smoothed: devSteps.map((step, i) => ({ step, value: [2, 6, 4, 8, 9][i]! })), bandwidth: 1, boundaries: [{ step: 10, kind: 'max', value: 6, flat: { from: 10, to: 10 } }, { step: 100, kind: 'min', value: 4, flat: { from: 100, to: 100 } }],
    stages: [{ start: 0, end: 10, trend: 'rising' }, { start: 10, end: 100, trend: 'falling' }, { start: 100, end: 10000, trend: 'rising' }] },
  essentialDynamics: { steps: devSteps, trajectory: devSteps.map((_, i) => [i, (i - 2) ** 2]), explainedVariance: [2, 1], explainedVarianceRatio: [0.7, 0.2], totalVariance: 3,
    boundaries: [{ step: 10, kind: 'max', value: 6, flat: { from: 10, to: 10 } }, { step: 100, kind: 'min', value: 4, flat: { from: 100, to: 100 } }], probe: { rows: 2, positions: 4 } },
};
const overJSON: OverTrainingResult = {
  steps: devSteps, analyses: ['heads', 'loss'],
  series: { held_out_loss: [5, 4, 3, 2.5, 2], 'induction L0H0': [0, 0.1, 0.2, 0.2, 0.3], 'induction L1H0': [0, 0.2, 0.5, 0.8, 0.9], 'induction L1H1': [0, 0, 0.1, 0.1, 0.1] },
};

const log = (x: number[]) => { const m = Math.max(...x); const z = Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0)) + m; return x.map((v) => v - z); };

describe('circuitscope report', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'cs-report-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  test('bad arguments: one line, exit 2', async () => {
    const noOut = await cli(['report', FIXTURE]);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr.trim(), /^circuitscope: report: --out FILE\.html is required/);
    const missing = await cli(['report', '/nonexistent/model', '--out', join(dir, 'x.html')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /\/nonexistent\/model\/config\.json: no such file/);
    const ids = await cli(['report', FIXTURE, '--out', join(dir, 'x.html'), '--prompt', 'hello']);
    assert.equal(ids.code, 2);
    assert.match(ids.stderr, /no tokenizer; --prompt takes token ids in 0\.\.36/);
    const long = await cli(['report', FIXTURE, '--out', join(dir, 'x.html'), '--prompt', Array.from({ length: 13 }, (_, i) => i).join(' ')]);
    assert.equal(long.code, 2);
    assert.match(long.stderr, /--prompt is 13 tokens, more than the model's n_ctx \(12\)/);
    await writeFile(join(dir, 'bad-llc.json'), JSON.stringify({ points: [{ step: 0, llcMean: 'x' }] }));
    const badLLC = await cli(['report', FIXTURE, '--out', join(dir, 'x.html'), '--llc', join(dir, 'bad-llc.json')]);
    assert.equal(badLLC.code, 2);
    assert.match(badLLC.stderr, /bad-llc\.json: points\[0\] needs numbers step, llcMean and llcStd/);
    await writeFile(join(dir, 'bad-over.json'), JSON.stringify({ steps: [0, 1], series: { loss: [1] } }));
    const badOver = await cli(['report', FIXTURE, '--out', join(dir, 'x.html'), '--over-training', join(dir, 'bad-over.json')]);
    assert.equal(badOver.code, 2);
    assert.match(badOver.stderr, /bad-over\.json: series "loss" must be an array of 2 numbers/);
    const noFile = await cli(['report', FIXTURE, '--out', join(dir, 'x.html'), '--llc', join(dir, 'none.json')]);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /--llc .*none\.json: cannot read the file/);
    for (const r of [noOut, missing, ids, long, badLLC, badOver, noFile]) assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.deepEqual((await readdir(dir)).sort(), ['bad-llc.json', 'bad-over.json']);
    await rm(join(dir, 'bad-llc.json'));
    await rm(join(dir, 'bad-over.json'));
  });

  describe('in chromium', { skip: browserSkip() }, () => {
    let browser: Browser;
    before(async () => { browser = await launchChromium(); });
    after(async () => { await browser?.close(); });

    test('a model without a tokenizer: sections, #id labels, the model\'s predictions, QK values; nothing leaves the file', async () => {
      const out = join(dir, 'fixture.html');
      const prompt = [3, 14, 15, 9, 26, 3, 14, 15, 9, 26];
      const r = await cli(['report', FIXTURE, '--out', out, '--prompt', prompt.join(' ')]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^report: .*fixture\.html \(\d+ KiB\): model, prompt, attention, heads, circuits, composition, logit lens\n$/);
      assert.deepEqual((await readdir(dir)).filter((f) => f.includes('tmp')), []);
      const html = await readFile(out, 'utf8');
      assert.equal(html.match(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!www\.w3\.org\/)[^\s"'`)]*/g), null);

      // The truth: the model itself, run here.
      installNodeRuntime();
      const model = await loadModel(FIXTURE, { processWeights: true });
      const logits = await model.run([prompt]);
      const V = model.cfg.d_vocab;
      const { cache } = await model.runWithCache([prompt], { names: ['blocks.1.attn.hook_pattern'] });
      const pattern = cache.get('blocks.1.attn.hook_pattern').data;

      const { page, assertClean } = await openReport(browser, out);
      assert.doesNotMatch((await page.locator('#report').textContent())!, /Loading the report/);
      assert.match((await page.locator('#prompt .cs-intro').textContent())!, /^The prompt, each token/);
      const h2 = await page.locator('h2').allTextContents();
      assert.deepEqual(h2, ['Model', 'Prompt', 'Attention', 'Heads', 'Circuits', 'Composition', 'Induction circuit', 'Logit lens & direct logit attribution']);
      // Induction circuit: EAP's strongest edge on the first-half induction task, drawn with its score.
      const eap = await discoverCircuit(model, inductionTask(model.cfg, { corrupt: 'first-half' }), { method: 'eap', faithfulness: false });
      const best = rankEdges(eap.edges)[0]!;
      const drawnScore = await page.locator(`#circuit path.cs-edge[data-edge="${best.from}->${best.to}"]`).getAttribute('data-score');
      assert.ok(Math.abs(Number(drawnScore) - best.score) < 1e-5, `${best.from}->${best.to}: ${drawnScore} vs ${best.score}`);
      assert.ok(await page.isVisible('#circuit >> text=Faithfulness: clean metric recovered by the top k edges'));
      assert.match((await page.locator('.cs-facts').textContent())!, /vocabulary37 \(no tokenizer: tokens shown as #id\)/);
      assert.match((await page.locator('#model').textContent())!, /no metrics\.jsonl/);

      // Prompt: tokens as #id; hovering token 4 shows the model's top predictions and the next token's rank.
      const lp = page.locator('#prompt');
      assert.deepEqual(await lp.locator('.cs-tokens .cs-token').allTextContents(), prompt.map((t) => `#${t}`));
      const pos = 4;
      const row = log(Array.from(logits.data.subarray(pos * V, (pos + 1) * V)));
      const order = row.map((_, i) => i).sort((a, b) => row[b]! - row[a]!);
      await lp.locator(`.cs-tokens .cs-token[data-index="${pos}"]`).hover();
      assert.deepEqual(await lp.locator('.cs-tooltip .cs-topk-token').allTextContents(), order.slice(0, 8).map((i) => `#${i}`));
      assert.equal(Number(await lp.locator('.cs-tooltip .cs-correct-rank').textContent()), order.indexOf(prompt[pos + 1]!) + 1);
      assert.ok(Math.abs(Number(await lp.locator('.cs-tooltip .cs-correct-logprob').textContent()) - row[prompt[pos + 1]!]!) < 2e-3);

      // Attention: select L1H1, hover token 7: the strip shows the model's pattern row.
      const at = page.locator('#attention');
      assert.deepEqual(await at.locator('.cs-mini-title').allTextContents(), ['L0H0', 'L0H1', 'L1H0', 'L1H1']);
      await at.locator('.cs-mini[data-head="3"]').click();
      await at.locator('.cs-strip .cs-token[data-index="7"]').hover();
      const T = prompt.length;
      const shown = await at.locator('.cs-strip .cs-token').evaluateAll((ts) => ts.map((t) => Number(t.getAttribute('data-value'))));
      shown.forEach((v, s) => assert.ok(Math.abs(v - pattern[(1 * T + 7) * T + s]!) < 1e-4, `L1H1 7->${s}: ${v}`));

      // Heads: a layer x head grid.
      assert.deepEqual(await page.locator('#heads .cs-axis-label[data-axis=row]').allTextContents(), ['L0', 'L1']);

      // Circuits: pick L0H1; QK[dest, src] over the prompt's tokens equals (E W_Q)(E W_K)^T computed here.
      const cs = page.locator('#circuits');
      await cs.locator('select.cs-head-picker').selectOption({ label: 'L0H1' });
      assert.equal(await cs.locator('.cs-title').first().textContent(), 'L0H1 QK circuit');
      const distinct = [...new Set(prompt)];
      assert.deepEqual(await cs.locator('.cs-figure').first().locator('.cs-axis-label[data-axis=row]').allTextContents(), distinct.map((t) => `#${t}`));
      const W = model.weights;
      const E = W['embed.W_E']!.data;
      const WQ = W['blocks.0.attn.W_Q']!.data;
      const WK = W['blocks.0.attn.W_K']!.data;
      const D = model.cfg.d_model;
      const dh = model.cfg.d_head;
      const proj = (tok: number, Wm: ArrayLike<number>, h: number) => Array.from({ length: dh }, (_, e) => {
        let s = 0;
        for (let d = 0; d < D; d++) s += E[tok * D + d]! * Wm[(h * D + d) * dh + e]!;
        return s;
      });
      const qk = (dest: number, src: number) => proj(dest, WQ, 1).reduce((s, q, e) => s + q * proj(src, WK, 1)[e]!, 0);
      const qkMap = cs.locator('.cs-figure').first();
      await qkMap.locator('canvas.cs-cells').scrollIntoViewIfNeeded();
      const box = (await qkMap.locator('canvas.cs-cells').boundingBox())!;
      const n = distinct.length;
      await page.mouse.move(box.x + (1.5 / n) * box.width, box.y + (3.5 / n) * box.height);
      assert.equal(await qkMap.locator('.cs-tt-row').textContent(), `#${distinct[3]}`);
      assert.equal(await qkMap.locator('.cs-tt-col').textContent(), `#${distinct[1]}`);
      const value = Number(await qkMap.locator('.cs-tt-value').textContent());
      const truth = qk(distinct[3]!, distinct[1]!);
      assert.ok(Math.abs(value - truth) < 1e-3 * Math.max(1, Math.abs(truth)), `QK ${value} vs ${truth}`);

      // The positional QK circuit of the same head: (W_pos W_Q)(W_pos W_K)^T over the 12 positions, src > dest masked.
      const posMap = cs.locator('.cs-figure[data-figure="L0H1 positional QK circuit"]');
      assert.deepEqual(await posMap.locator('.cs-axis-label[data-axis=row]').allTextContents(), Array.from({ length: 12 }, (_, i) => String(i)));
      const Wpos = W['pos_embed.W_pos']!.data;
      const projPos = (p: number, Wm: ArrayLike<number>) => Array.from({ length: dh }, (_, e) => {
        let s = 0;
        for (let d = 0; d < D; d++) s += Wpos[p * D + d]! * Wm[(1 * D + d) * dh + e]!;
        return s;
      });
      await posMap.locator('canvas.cs-cells').scrollIntoViewIfNeeded();
      const pbox = (await posMap.locator('canvas.cs-cells').boundingBox())!;
      await page.mouse.move(pbox.x + (2.5 / 12) * pbox.width, pbox.y + (7.5 / 12) * pbox.height);
      const posTruth = projPos(7, WQ).reduce((s, q, e) => s + q * projPos(2, WK)[e]!, 0);
      const posShown = Number(await posMap.locator('.cs-tt-value').textContent());
      assert.ok(Math.abs(posShown - posTruth) < 1e-3 * Math.max(1, Math.abs(posTruth)), `positional QK ${posShown} vs ${posTruth}`);
      await page.mouse.move(pbox.x + (9.5 / 12) * pbox.width, pbox.y + (3.5 / 12) * pbox.height);
      assert.equal(await posMap.locator('.cs-tt-value').textContent(), '—', 'src > dest is masked');

      // Composition with the random baseline marked; logit lens over the prompt's positions.
      assert.deepEqual(await page.locator('#composition .cs-legend-mark-label').allTextContents(), ['random', 'random', 'random']);
      assert.deepEqual(await page.locator('#attribution .cs-figure').first().locator('.cs-axis-label[data-axis=col]').allTextContents(), prompt.slice(0, -1).map((t) => `#${t}`));
      // The logit lens reads each layer's resid_pre, then the last resid_post (layer names are not tokens: no ·).
      assert.deepEqual(await page.locator('#attribution .cs-figure').first().locator('.cs-axis-label[data-axis=row]').allTextContents(), ['resid_pre 0', 'resid_pre 1', 'resid_post 1']);
      await page.screenshot({ path: join(SCREENSHOTS, 'report-no-tokenizer.png'), fullPage: true });
      assertClean();
      await page.close();
    });

    test('--over-training and --llc: a Development section with the stage boundaries on every panel', async () => {
      await writeFile(join(dir, 'over-training.json'), JSON.stringify({ run: 'r', ...overJSON }));
      await writeFile(join(dir, 'llc.json'), JSON.stringify(llcJSON));
      const out = join(dir, 'dev.html');
      const r = await cli(['report', FIXTURE, '--out', out, '--prompt', '1 2 3 1 2 3', '--over-training', join(dir, 'over-training.json'), '--llc', join(dir, 'llc.json')]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /: model, development, prompt/);
      const { page, assertClean } = await openReport(browser, out);
      const dev = page.locator('#development');
      assert.deepEqual(await page.locator('.cs-nav a').evaluateAll((as) => as.slice(0, 2).map((a) => a.textContent)), ['Model', 'Development']);
      assert.deepEqual(await dev.locator('.cs-development-panel').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset.panel)), ['llc', 'loss', 'heads-induction']);
      for (const m of await dev.locator('.cs-chart').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset.markers))) assert.equal(m, '10,100');
      assert.deepEqual((await dev.locator('[data-panel="heads-induction"] .u-legend .u-label').allTextContents()).slice(1), ['L1H0', 'L0H0', 'L1H1']);
      assert.deepEqual((await dev.locator('[data-panel="loss"] .u-legend .u-label').allTextContents()).slice(1), ['held-out loss']);
      assert.equal(await dev.locator('.cs-ed-point').count(), 5);
      assert.equal(await dev.locator('.cs-ed-boundary').count(), 2);
      // The per-chain traces stay out of the page's data.
      assert.doesNotMatch(await readFile(out, 'utf8'), /lossTrace/);
      await dev.screenshot({ path: join(SCREENSHOTS, 'report-development.png') });
      assertClean();
      await page.close();
    });

    test('a model with MLPs: the neurons section colours the prompt by the model\'s own activations', async () => {
      const fixture = join(ROOT, 'test/fixtures/gelu-2l-ln');
      const out = join(dir, 'gelu.html');
      const prompt = [1, 7, 3, 9, 1, 7, 3, 9];
      const r = await cli(['report', fixture, '--out', out, '--prompt', prompt.join(' ')]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /neurons/);
      installNodeRuntime();
      const model = await loadModel(fixture, { processWeights: true });
      const { cache } = await model.runWithCache([prompt], { names: ['blocks.1.mlp.hook_post'] });
      const post = cache.get('blocks.1.mlp.hook_post').data;
      const M = model.cfg.d_mlp!;
      const { page, assertClean } = await openReport(browser, out);
      const nr = page.locator('#neurons');
      await nr.locator('select.cs-layer').selectOption('1');
      const top = nr.locator('.cs-top-neuron').first();
      const id = Number(await top.getAttribute('data-neuron'));
      await top.click();
      assert.equal(await nr.locator('.cs-subtitle').textContent(), `L1 neuron ${id}`);
      const shown = await nr.locator('.cs-tokens .cs-token').evaluateAll((ts) => ts.map((t) => Number(t.getAttribute('data-value'))));
      shown.forEach((v, t) => assert.ok(Math.abs(v - post[t * M + id]!) < 1e-4, `pos ${t}: ${v} vs ${post[t * M + id]}`));
      // The top button is the neuron with the largest activation on the prompt among those shown.
      const peak = (k: number) => Math.max(...prompt.map((_, t) => post[t * M + k]!));
      const ids = await nr.locator('select.cs-neuron option').allTextContents();
      for (const k of ids.map(Number)) assert.ok(peak(k) <= peak(id) + 1e-6);
      assert.equal(ids.length, 32);
      assertClean();
      await page.close();
    });

    test('a zero-layer model: its bigram table beside the corpus\'s', async () => {
      await writeFile(join(dir, 'a.txt'), Array.from({ length: 60 }, (_, i) => `The cat number ${i} sat on the mat and looked at the dog.`).join('\n'));
      const run = join(dir, 'zero');
      const t = await cli(['train', '--preset', 'attn-only-0l', '--data', dir, '--out', run, '--set', 'd_model=16', '--set', 'n_ctx=16', '--batch-size', '4', '--warmup', '2', '--steps', '6']);
      assert.equal(t.code, 0, t.stderr);
      const out = join(dir, 'zero.html');
      const r = await cli(['report', run, '--out', out, '--text', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /bigrams/);
      installNodeRuntime();
      const model = await loadModel(run, { processWeights: true });
      const { page, assertClean } = await openReport(browser, out);
      const bg = page.locator('#bigram .cs-bigram-model');
      const labels = await bg.locator('.cs-axis-label[data-axis=row]').allTextContents();
      assert.ok(labels.length >= 5, `${labels.length} tokens`);
      await bg.locator('canvas.cs-cells').scrollIntoViewIfNeeded();
      const box = (await bg.locator('canvas.cs-cells').boundingBox())!;
      const n = labels.length;
      await page.mouse.move(box.x + (2.5 / n) * box.width, box.y + (1.5 / n) * box.height);
      const tip = bg.locator('.cs-tooltip');
      // The model's log-probability of the column token after the row token, averaged over 8 positions as shown.
      const ids = await page.evaluate(() => (JSON.parse(document.getElementById('report-data')!.textContent!) as { props: { data: { analysis: { bigram: { tokens: number[] } } } } }).props.data.analysis.bigram.tokens);
      const [cur, next] = [ids[1]!, ids[2]!];
      assert.equal(await tip.locator('.cs-tt-row').textContent(), model.tokenizer!.decode([cur]).replace(/ /g, '·'));
      const P = 8;
      const logits = await model.run([new Array<number>(P).fill(cur)]);
      const V = model.cfg.d_vocab;
      let truth = 0;
      for (let p = 0; p < P; p++) truth += log(Array.from(logits.data.subarray(p * V, (p + 1) * V)))[next]! / P;
      assert.ok(Math.abs(Number(await tip.locator('.cs-tt-value').textContent()) - truth) < 2e-3);
      assert.match((await page.locator('#bigram .cs-subtitle').first().textContent())!, /Pearson r = -?[\d.]+ over \d+ pairs/);
      await page.screenshot({ path: join(SCREENSHOTS, 'report-zero-layer.png'), fullPage: true });
      assertClean();
      await page.close();
    });

    test('a trained run: training curves from metrics.jsonl, token strings, printable', async () => {
      await writeFile(join(dir, 'a.txt'), Array.from({ length: 60 }, (_, i) => `The cat number ${i} sat on the mat and looked at the dog.`).join('\n'));
      const run = join(dir, 'run');
      const t = await cli(['train', '--preset', 'attn-only-1l', '--data', dir, '--out', run, '--set', 'd_model=16', '--set', 'n_heads=2', '--set', 'd_head=8', '--set', 'n_ctx=16',
        '--batch-size', '4', '--warmup', '2', '--steps', '6', '--eval-every', '2']);
      assert.equal(t.code, 0, t.stderr);
      const metrics = (await readFile(join(run, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss: number });
      const out = join(dir, 'run.html');
      const r = await cli(['report', run, '--out', out, '--prompt', 'The cat sat', '--text', dir]);
      assert.equal(r.code, 0, r.stderr);
      const { page, assertClean } = await openReport(browser, out);
      const loss = page.locator('.cs-figure[data-figure="Loss"]');
      assert.deepEqual(await loss.locator('.u-legend .u-label').allTextContents(), ['step', 'loss', 'validation loss']);
      assert.equal(await loss.locator('.cs-chart').getAttribute('data-points'), String(metrics.length));
      const last = metrics.at(-1)!;
      await loss.scrollIntoViewIfNeeded();
      const over = (await loss.locator('.u-over').boundingBox())!;
      await page.mouse.move(over.x + over.width - 1, over.y + over.height / 2);
      const vals = await loss.locator('.u-legend .u-value').allTextContents();
      assert.equal(Number(vals[0]), last.step);
      assert.ok(Math.abs(Number(vals[1]) - last.loss) < 1e-3 * last.loss);
      // The prompt's tokens are the tokenizer's strings, BOS first.
      const toks = await page.locator('#prompt .cs-tokens .cs-token').allTextContents();
      assert.equal(toks.slice(1).join(''), 'The cat sat');
      // One layer: no composition heatmaps, but term importance (direct path and each head).
      assert.equal(await page.locator('#composition .cs-legend-mark-label').count(), 0);
      assert.deepEqual((await page.locator('#composition .cs-figure[data-figure="Term importance"] g.cs-bar').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-label')))).sort(), ['L0H0', 'L0H1', 'direct']);
      // By order (one layer: the single heads only), what analyze computes: the direct path's loss minus the model's.
      const analysis = JSON.parse((await cli(['analyze', run, '--json', '--text', dir])).stdout) as { termImportance: { byOrder: { direct: number; head: number } } };
      const byOrder = page.locator('#composition .cs-figure[data-figure="Term importance by order"] g.cs-bar');
      assert.deepEqual(await byOrder.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-label'))), ['single heads']);
      const shown = Number(await byOrder.first().getAttribute('data-value'));
      const want = analysis.termImportance.byOrder.direct - analysis.termImportance.byOrder.head;
      assert.ok(Math.abs(shown - want) < 1e-3, `by order: shown ${shown}, analyze ${want}`);
      assert.ok((await page.locator('h2').allTextContents()).includes('Circuits'));
      await page.screenshot({ path: join(SCREENSHOTS, 'report.png'), fullPage: true });
      const pdf = await page.pdf({ format: 'A4' });
      assert.ok(pdf.length > 10_000);
      assertClean();
      await page.close();
    });
  });
});
