import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';

describe('TopkSamples in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const samples = [
    { tokens: ['The', ' cat', ' sat', ' on'], values: [0.1, 2.5, -0.3, 0], at: 1 },
    { tokens: ['a', ' dog', ' ran'], values: [0, 1.2, 0.4], at: 1 },
    { tokens: ['x', 'y'], values: [-1, 0.5], label: 'custom' },
  ];

  test('a row per window, tokens coloured by value, the picked token outlined, its value at the left', async () => {
    const el = await ui.mount('TopkSamples', { samples, title: 'Top windows', valueLabel: 'L0 N3 activation' });
    assert.equal(await el.locator('.cs-sample').count(), 3);
    assert.deepEqual(await el.locator('.cs-sample-label').allTextContents(), ['2.5', '1.2', 'custom']);
    const first = el.locator('.cs-sample').first();
    assert.deepEqual(await first.locator('.cs-token').evaluateAll((ts) => ts.map((t) => Number(t.getAttribute('data-value')))), samples[0]!.values);
    assert.equal(await first.locator('.cs-token.cs-pinned').innerText(), ' cat');
    // One scale for every row: the largest |value| (2.5) is the most saturated; 0 is white.
    const bg = async (row: number, i: number) => el.locator('.cs-sample').nth(row).locator('.cs-token').nth(i).evaluate((t) => getComputedStyle(t).backgroundColor);
    assert.notEqual(await bg(0, 1), await bg(1, 1));
    assert.equal(await bg(0, 3), await bg(1, 0));
    await el.locator('.cs-sample').nth(1).locator('.cs-token').nth(1).hover();
    assert.ok((await el.locator('.cs-tt-value').first().innerText()).includes('1.2'));
    await ui.screenshot('TopkSamples');
    ui.assertClean();
  });
});
