import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, cellCenter, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';

describe('HeadGrid in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const induction = [[0.02, 0.05, 0.01, 0.03], [0.91, 0.04, 0.12, 0.02]];
  const previous = [[0.95, 0.1, 0.2, 0.05], [0.01, 0.03, 0.02, 0.04]];
  const copying = [[0.8, -0.6, 0.1, 0.3], [0.97, -0.2, 0.5, 0]];

  test('layer x head scores; buttons switch the metric; a click reports the head', async () => {
    const el = await ui.mount('HeadGrid', {
      metrics: [{ name: 'induction', scores: induction }, { name: 'previous token', scores: previous }, { name: 'copying', scores: copying, scale: 'diverging' }],
    }, { record: ['onHeadClick'] });
    assert.deepEqual(await el.locator('.cs-axis-label[data-axis=row]').allTextContents(), ['L0', 'L1']);
    assert.deepEqual(await el.locator('.cs-axis-label[data-axis=col]').allTextContents(), ['H0', 'H1', 'H2', 'H3']);
    assert.equal(await el.locator('.cs-title').textContent(), 'induction scores');
    // Values are written in the cells, row by row.
    assert.deepEqual((await el.locator('.cs-cell-text').allTextContents()).map(Number), induction.flat());
    let c = await cellCenter(el, 1, 0, 2, 4);
    await ui.page.mouse.click(c.x, c.y);
    assert.equal(await el.locator('.cs-tt-head').textContent(), 'L1H0');
    await el.locator('.cs-btn', { hasText: 'copying' }).click();
    assert.equal(await el.locator('.cs-title').textContent(), 'copying scores');
    assert.equal(Number(await el.locator('.cs-legend-min').textContent()), -1);
    c = await cellCenter(el, 0, 1, 2, 4);
    await ui.page.mouse.click(c.x, c.y);
    assert.deepEqual(await ui.events(), [
      { name: 'onHeadClick', args: [{ layer: 1, head: 0, metric: 'induction', value: 0.91 }] },
      { name: 'onHeadClick', args: [{ layer: 0, head: 1, metric: 'copying', value: -0.6 }] },
    ]);
    await el.locator('.cs-btn', { hasText: 'induction' }).click();
    await ui.screenshot('HeadGrid');
    ui.assertClean();
  });
});
