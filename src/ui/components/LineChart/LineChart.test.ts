import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';

describe('LineChart in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const steps = Array.from({ length: 50 }, (_, i) => (i + 1) * 10);
  const loss = steps.map((s) => 5 * Math.exp(-s / 200) + 1);
  const val = steps.map((s, i) => (i % 5 === 4 ? 5.2 * Math.exp(-s / 200) + 1.1 : null));

  test('series in the legend; the cursor shows each series\' value at that step; appended points draw', async () => {
    const el = await ui.mount('LineChart', { x: steps, series: [{ label: 'loss', values: loss }, { label: 'val loss', values: val, dash: true }], title: 'Training loss', yLabel: 'nats' });
    const labels = await el.locator('.u-legend .u-series .u-label').allTextContents();
    assert.deepEqual(labels, ['step', 'loss', 'val loss']);
    // Move the cursor over the 10th point (step 100): the legend shows loss at step 100.
    const over = el.locator('.u-over');
    const box = (await over.boundingBox())!;
    const xAt = (s: number) => box.x + ((s - steps[0]!) / (steps.at(-1)! - steps[0]!)) * box.width;
    await ui.page.mouse.move(xAt(100), box.y + box.height / 2);
    const values = await el.locator('.u-legend .u-series .u-value').allTextContents();
    assert.equal(Number(values[0]), 100);
    assert.ok(Math.abs(Number(values[1]) - loss[9]!) < 1e-3, `${values[1]} vs ${loss[9]}`);
    assert.ok(Math.abs(Number(values[2]) - val[9]!) < 1e-3);
    await ui.screenshot('LineChart');
    // Live append: ten more steps.
    const more = Array.from({ length: 60 }, (_, i) => (i + 1) * 10);
    await ui.update({ x: more, series: [{ label: 'loss', values: more.map((s) => 5 * Math.exp(-s / 200) + 1) }, { label: 'val loss', values: more.map(() => null), dash: true }], title: 'Training loss', yLabel: 'nats' });
    assert.equal(await el.locator('.cs-chart').getAttribute('data-points'), '60');
    const box2 = (await over.boundingBox())!;
    await ui.page.mouse.move(box2.x + box2.width - 1, box2.y + box2.height / 2);
    assert.equal(Number((await el.locator('.u-legend .u-series .u-value').allTextContents())[0]), 600);
    ui.assertClean();
  });
});
