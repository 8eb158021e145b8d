import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';

describe('TopkTokens in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const items = Array.from({ length: 15 }, (_, h) => ({
    label: `L${Math.floor(h / 4)}H${h % 4}`,
    top: [' the', ' a', ' of'].map((token, r) => ({ token, value: 3 - r + h / 10 })),
    bottom: [' and'].map((token) => ({ token, value: -1 - h / 10 })),
  }));

  test('a column per item with its tokens and values; a filter and paging for many items', async () => {
    const el = await ui.mount('TopkTokens', { items, title: 'OV copying', valueLabel: 'OV diagonal', pageSize: 6 });
    assert.deepEqual(await el.locator('.cs-topk-item .cs-mini-title').allTextContents(), items.slice(0, 6).map((i) => i.label));
    const first = el.locator('.cs-topk-item').nth(2);
    assert.deepEqual(await first.locator('.cs-topk-token').allTextContents(), ['·the', '·a', '·of', '·and']);
    assert.deepEqual((await first.locator('.cs-topk-cell').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-value'))))), [...items[2]!.top, ...items[2]!.bottom].map((t) => t.value));
    await el.locator('input.cs-search').fill('L3');
    assert.deepEqual(await el.locator('.cs-topk-item .cs-mini-title').allTextContents(), ['L3H0', 'L3H1', 'L3H2']);
    await el.locator('input.cs-search').fill('');
    await el.locator('.cs-show-all').click();
    assert.equal(await el.locator('.cs-topk-item').count(), 15);
    await ui.screenshot('TopkTokens');
    ui.assertClean();
  });
});
