import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, cellCenter, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';

describe('AdditionAttention in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const rowLabels = ['A3', 'A2', 'A1', 'A0'];
  const colLabels = ['D2', 'D1', 'D0', "D'2", "D'1", "D'0"];
  // H0: base add (row A_i on D_i and D'_i: A3 has no pair 3, nothing); H1: make carry (the pair below; A0 nothing).
  const place = (col: number) => 2 - (col % 3);
  const table = [0, 1].map((h) => rowLabels.map((_, r) => colLabels.map((_, c) => (place(c) === 3 - r - h ? 0.5 : 0))));

  test('one heatmap per head, rows the answer digits, columns the operand digits; hover names the pair and the value', async () => {
    const el = await ui.mount('AdditionAttention', { rowLabels, colLabels, table, problems: 4096 });
    assert.equal(await el.locator('.cs-addition-head').count(), 2);
    assert.match((await el.locator('.cs-subtitle').first().textContent())!, /mean over 4096 problems/);
    const h1 = el.locator('.cs-addition-head').nth(1);
    // H1, row A2 (1), column D1 (1): the make-carry head on the pair below A2.
    const c = await cellCenter(h1, 1, 1, 4, 6);
    await ui.page.mouse.move(c.x, c.y);
    assert.equal(await h1.locator('.cs-tt-row').textContent(), 'A2');
    assert.equal(await h1.locator('.cs-tt-col').textContent(), 'D1');
    assert.equal(await h1.locator('.cs-tt-value').textContent(), '0.5');
    const legends = await el.locator('.cs-legend-min').allTextContents();
    assert.equal(legends[0], legends[1], 'one scale for every head');
    await ui.screenshot('AdditionAttention');
    ui.assertClean();
  });
});
