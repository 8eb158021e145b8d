import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, cellCenter, openComponentPage, rng, type ComponentPage } from '../../../../test/ui/harness.js';

describe('BigramCompare in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const tokens = [' the', ' of', ' and', ' to', ' a', '.'];
  const r = rng(9);
  const corpus = tokens.map((_, i) => tokens.map((_, j) => ((i + j) % 4 === 0 ? Number.NaN : -1 - 4 * r())));
  const model = corpus.map((row) => row.map((v) => (Number.isNaN(v) ? -6 : v + (r() - 0.5))));

  test('both tables on one scale; the correlation over pairs seen in the corpus; hover outlines the pair in both', async () => {
    const el = await ui.mount('BigramCompare', { tokens, model, corpus });
    // Pearson over the finite corpus pairs, computed here.
    const xs: number[] = [];
    const ys: number[] = [];
    corpus.forEach((row, i) => row.forEach((c, j) => { if (Number.isFinite(c)) { xs.push(model[i]![j]!); ys.push(c); } }));
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const mx = mean(xs);
    const my = mean(ys);
    const cov = xs.reduce((s, x, k) => s + (x - mx) * (ys[k]! - my), 0);
    const r2 = cov / Math.sqrt(xs.reduce((s, x) => s + (x - mx) ** 2, 0) * ys.reduce((s, y) => s + (y - my) ** 2, 0));
    const sub = (await el.locator('.cs-subtitle').first().textContent())!;
    const m = sub.match(/Pearson r = (-?[\d.]+) over (\d+) pairs/)!;
    assert.ok(Math.abs(Number(m[1]) - r2) < 1e-3, `${m[1]} vs ${r2}`);
    assert.equal(Number(m[2]), xs.length);
    const legends = await el.locator('.cs-legend-min').allTextContents();
    assert.equal(legends[0], legends[1], 'one scale for both');
    const left = el.locator('.cs-bigram-model');
    const c = await cellCenter(left, 2, 3, 6, 6);
    await ui.page.mouse.move(c.x, c.y);
    assert.equal(await left.locator('.cs-tt-row').textContent(), '·and');
    assert.equal(await left.locator('.cs-tt-col').textContent(), '·to');
    assert.equal(await el.locator('.cs-bigram-corpus .cs-highlight:not(.cs-soft)').count(), 1);
    await ui.screenshot('BigramCompare');
    ui.assertClean();
  });
});
