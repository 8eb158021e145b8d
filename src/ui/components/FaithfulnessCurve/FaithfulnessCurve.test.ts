import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';

describe('FaithfulnessCurve in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  test('one curve per method on the union of their edge counts; the cursor reads each curve\'s recovered share', async () => {
    const eap = [{ edges: 0, recovered: 0 }, { edges: 2, recovered: 0.4 }, { edges: 5, recovered: 0.95 }, { edges: 29, recovered: 1 }];
    const acdc = [{ edges: 0, recovered: 0 }, { edges: 5, recovered: 1.02 }, { edges: 29, recovered: 1 }];
    const el = await ui.mount('FaithfulnessCurve', { curves: [{ label: 'eap', points: eap }, { label: 'acdc', points: acdc }] });
    // uPlot draws its legend after the mount resolves: wait for the last series label before reading them all.
    await el.locator('.u-legend .u-series .u-label').nth(3).waitFor();
    assert.deepEqual(await el.locator('.u-legend .u-series .u-label').allTextContents(), ['edges kept', 'eap', 'acdc', 'clean run']);
    assert.equal(await el.locator('.cs-chart').getAttribute('data-points'), '4', 'x is 0, 2, 5, 29');
    const box = (await el.locator('.u-over').boundingBox())!;
    await ui.page.mouse.move(box.x + (5 / 29) * box.width, box.y + box.height / 2);
    const v = await el.locator('.u-legend .u-series .u-value').allTextContents();
    assert.deepEqual(v.map(Number), [5, 0.95, 1.02, 1]);
    await ui.screenshot('FaithfulnessCurve');
    // discover --json's own fields.
    const one = await ui.mount('FaithfulnessCurve', { faithfulness: eap, method: 'eap' });
    await one.locator('.u-legend .u-series .u-label').nth(2).waitFor();
    assert.deepEqual(await one.locator('.u-legend .u-series .u-label').allTextContents(), ['edges kept', 'eap', 'clean run']);
    ui.assertClean();
  });
});
