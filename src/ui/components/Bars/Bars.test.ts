import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { browserSkip, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';

describe('Bars in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const items = [{ label: 'direct', value: 0.8 }, { label: 'L0H0', value: -0.2 }, { label: 'L1H1', value: 2.4 }, { label: 'L1H0<-L0H1', value: 0.05 }];

  test('bars sorted by magnitude, lengths proportional to the values, negative ones left of zero', async () => {
    const el = await ui.mount('Bars', { items, sort: 'abs', title: 'Term importance', valueLabel: 'loss increase (nats)' }, { record: ['onBarClick'] });
    const bars = await el.locator('g.cs-bar').evaluateAll((gs) => gs.map((g) => {
      const r = g.querySelector('rect.cs-bar-rect')!;
      return { label: g.getAttribute('data-label'), x: Number(r.getAttribute('x')), w: Number(r.getAttribute('width')) };
    }));
    const expected = [...items].sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
    assert.deepEqual(bars.map((b) => b.label), expected.map((b) => b.label));
    const perUnit = bars[0]!.w / Math.abs(expected[0]!.value);
    bars.forEach((b, i) => assert.ok(Math.abs(b.w - Math.abs(expected[i]!.value) * perUnit) < 0.6, `${b.label}: ${b.w}`));
    const zero = bars.find((b) => b.label === 'L1H1')!.x;
    const neg = bars.find((b) => b.label === 'L0H0')!;
    assert.ok(Math.abs(neg.x + neg.w - zero) < 0.01, 'the negative bar ends at zero');
    await el.locator('g.cs-bar[data-label="L0H0"]').click();
    assert.deepEqual(await ui.events(), [{ name: 'onBarClick', args: [{ label: 'L0H0', value: -0.2, index: 1 }] }]);
    const [dl] = await Promise.all([ui.page.waitForEvent('download'), el.locator('.cs-export button', { hasText: 'SVG' }).click()]);
    const svg = await readFile((await dl.path())!, 'utf8');
    assert.match(svg, /^<\?xml/);
    assert.match(svg, /<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const b of items) assert.ok(svg.includes(`>${b.label.replace('<', '&lt;')}<`), b.label);
    await ui.screenshot('Bars');
    ui.assertClean();
  });
});
