import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, cellCenter, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';
import { causalPattern } from '../../../../test/ui/data.js';

describe('AttentionPattern in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const tokens = ['<bos>', 'When', ' Mary', ' and', ' John', ' went', ' to', ' the', ' store', ','];
  const A = causalPattern(tokens.length, 7);

  const stripValues = (el: import('playwright-core').Locator) => el.locator('.cs-strip .cs-token').evaluateAll(
    (ts) => ts.map((t) => (t.getAttribute('data-value') === null ? null : Number(t.getAttribute('data-value')))));

  test('hovering a token colours the strip by where it attends, or by what attends to it', async () => {
    const el = await ui.mount('AttentionPattern', { tokens, attention: A, title: 'L1H0' });
    assert.equal(await el.locator('.cs-title').textContent(), 'L1H0');
    assert.deepEqual(await el.locator('.cs-axis-label[data-axis=row]').allTextContents(), tokens.map((t) => t.replace(/ /g, '·')));
    await el.locator('.cs-strip .cs-token[data-index="6"]').hover();
    assert.deepEqual(await stripValues(el), A[6]);
    assert.match((await el.locator('.cs-focus-text').textContent())!, /where ·to \(6\) attends/);
    await el.locator('.cs-btn', { hasText: 'attended by' }).click();
    await el.locator('.cs-strip .cs-token[data-index="2"]').hover();
    assert.deepEqual(await stripValues(el), A.map((row) => row[2]));
    await ui.screenshot('AttentionPattern');
  });

  test('the tooltip of cell (dest, src) names both tokens and the weight', async () => {
    const el = await ui.mount('AttentionPattern', { tokens, attention: A, title: 'L0H1' });
    const c = await cellCenter(el, 8, 2, tokens.length, tokens.length);
    await ui.page.mouse.move(c.x, c.y);
    const tip = el.locator('.cs-tooltip');
    assert.equal(await tip.locator('.cs-tt-row').textContent(), '·store');
    assert.equal(await tip.locator('.cs-tt-col').textContent(), '·Mary');
    assert.equal(Number(await tip.locator('.cs-tt-value').textContent()), A[8]![2]);
    // Hovering a row of the heatmap focuses its destination: the strip shows that row.
    assert.deepEqual(await stripValues(el), A[8]);
    ui.assertClean();
  });
});
