import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { browserSkip, cellCenter, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';
import { causalPattern } from '../../../../test/ui/data.js';

describe('AttentionHeads in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const tokens = ['<bos>', 'A', 'B', 'C', 'D', 'A', 'B', 'C', 'D'];
  const attention = [causalPattern(9, 1), causalPattern(9, 2), causalPattern(9, 3), causalPattern(9, 4)];
  const headLabels = ['L0H0', 'L0H1', 'L1H0', 'L1H1'];
  const strip = (el: import('playwright-core').Locator) => el.locator('.cs-strip .cs-token').evaluateAll(
    (ts) => ts.map((t) => (t.getAttribute('data-value') === null ? null : Number(t.getAttribute('data-value')))));

  test('a grid of heads titled by the props; token hover outlines every head and colours the strip', async () => {
    const el = await ui.mount('AttentionHeads', { tokens, attention, headLabels }, { record: ['onHeadSelect'] });
    assert.deepEqual(await el.locator('.cs-mini-title').allTextContents(), headLabels);
    await el.locator('.cs-strip .cs-token[data-index="5"]').hover();
    // Head 0 is selected at first: the strip shows where token 5 attends in it.
    assert.deepEqual(await strip(el), attention[0]![5]);
    // Every small heatmap outlines row 5 (one soft outline each), and so does the detailed one.
    assert.equal(await el.locator('.cs-mini .cs-highlight.cs-soft').count(), 4);
    assert.equal(await el.locator('.cs-detail .cs-highlight.cs-soft').count(), 1);
    await el.locator('.cs-mini[data-head="2"]').click();
    assert.deepEqual(await ui.events(), [{ name: 'onHeadSelect', args: [2] }]);
    assert.equal(await el.locator('.cs-detail .cs-title').textContent(), 'L1H0');
    await el.locator('.cs-strip .cs-token[data-index="7"]').hover();
    assert.deepEqual(await strip(el), attention[2]![7]);
    await el.locator('.cs-btn', { hasText: 'attended by' }).click();
    await el.locator('.cs-strip .cs-token[data-index="3"]').hover();
    assert.deepEqual(await strip(el), attention[2]!.map((r) => r[3]));
    assert.match((await el.locator('.cs-focus-text').textContent())!, /what attends to C \(3\) in L1H0/);
    await ui.screenshot('AttentionHeads');
    // PNG export: every head's small heatmap in one picture (2x, 4 heads in a row).
    const [dl] = await Promise.all([ui.page.waitForEvent('download'), el.locator('.cs-export button', { hasText: 'PNG' }).first().click()]);
    assert.equal(dl.suggestedFilename(), 'attention-heads.png');
    const png = await readFile((await dl.path())!);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    assert.ok(w > 4 * 120 * 2 && h > 120 * 2 && h < w, `${w} x ${h}`);
    ui.assertClean();
  });

  test('the detailed head shows the selected pattern in its tooltip', async () => {
    const el = await ui.mount('AttentionHeads', { tokens, attention, headLabels, initialHead: 3 });
    const detail = el.locator('.cs-detail');
    const c = await cellCenter(detail, 6, 2, 9, 9);
    await ui.page.mouse.move(c.x, c.y);
    assert.equal(Number(await detail.locator('.cs-tt-value').textContent()), attention[3]![6]![2]);
    assert.equal(await detail.locator('.cs-tt-row').textContent(), 'B');
    ui.assertClean();
  });
});
