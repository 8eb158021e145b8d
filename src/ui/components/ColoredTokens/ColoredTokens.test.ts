import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';

describe('ColoredTokens in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const tokens = ['The', ' quick', ' brown', ' fox', '\n', 'jumps'];
  const values = [0.5, -1.25, 0, 2, 0.75, -0.5];

  test('the text keeps its whitespace; each token is coloured by sign, with its value on hover', async () => {
    const el = await ui.mount('ColoredTokens', { tokens, values, title: 'Neuron 5', valueLabel: 'activation' });
    assert.equal(await el.locator('.cs-tokens').evaluate((e) => e.textContent), 'The quick brown fox↵\njumps');
    const bg = await el.locator('.cs-tokens .cs-token').evaluateAll((ts) => ts.map((t) => getComputedStyle(t).backgroundColor));
    const rgb = bg.map((s) => s.match(/\d+/g)!.map(Number));
    values.forEach((v, i) => {
      const [r, , b] = rgb[i]!;
      if (v > 0) assert.ok(r! > b!, `token ${i} (${v}) is red: ${bg[i]}`);
      if (v < 0) assert.ok(b! > r!, `token ${i} (${v}) is blue: ${bg[i]}`);
      if (v === 0) assert.ok(Math.abs(r! - b!) < 8, `token ${i} (0) is neutral: ${bg[i]}`);
    });
    await el.locator('.cs-token[data-index="1"]').hover();
    assert.equal(await el.locator('.cs-tooltip .cs-tt-token').textContent(), '·quick');
    assert.equal(Number(await el.locator('.cs-tooltip .cs-tt-value').textContent()), -1.25);
    assert.equal(Number(await el.locator('.cs-legend-max').textContent()), 2);
    assert.equal(Number(await el.locator('.cs-legend-min').textContent()), -2);
    await ui.screenshot('ColoredTokens');
    ui.assertClean();
  });

  test('ColoredTokensMulti: a picker chooses the series; the tooltip lists every series', async () => {
    const multi = tokens.map((_, i) => [i, i * i - 3, -i]);
    const el = await ui.mount('ColoredTokensMulti', { tokens, values: multi, labels: ['index', 'square - 3', 'negative'], title: 'Three series' });
    const valuesShown = () => el.locator('.cs-tokens .cs-token').evaluateAll((ts) => ts.map((t) => Number(t.getAttribute('data-value'))));
    assert.deepEqual(await valuesShown(), multi.map((r) => r[0]));
    await el.locator('select.cs-series').selectOption('1');
    assert.deepEqual(await valuesShown(), multi.map((r) => r[1]));
    await el.locator('.cs-token[data-index="4"]').hover();
    const cells = await el.locator('.cs-tooltip td[data-series]').allTextContents();
    assert.deepEqual(cells.map(Number), multi[4]);
    await ui.screenshot('ColoredTokensMulti');
    ui.assertClean();
  });
});
