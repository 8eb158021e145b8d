import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';

describe('ComplexPlane in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const groups = [
    { label: 'L0H0', re: [4, 2, -1], im: [0, 3, 0], note: 'copying 0.62' },
    { label: 'L0H1', re: [-0.5, 0.1], im: [0.2, -0.2] },
  ];

  test('each head scaled into the unit disc; positions follow re and im; a legend filters heads', async () => {
    const size = 280;
    const el = await ui.mount('ComplexPlane', { groups, title: 'OV eigenvalues', size });
    const circle = el.locator('circle.cs-unit-circle');
    const R = Number(await circle.getAttribute('r'));
    const c = { x: Number(await circle.getAttribute('cx')), y: Number(await circle.getAttribute('cy')) };
    const pts = await el.locator('circle.cs-point').evaluateAll((cs) => cs.map((p) => [Number(p.getAttribute('data-group')), Number(p.getAttribute('data-index')), Number(p.getAttribute('cx')), Number(p.getAttribute('cy'))]));
    assert.equal(pts.length, 5);
    for (const [g, i, x, y] of pts) {
      const grp = groups[g!]!;
      const m = Math.max(...grp.re.map((r, k) => Math.hypot(r, grp.im[k]!)));
      assert.ok(Math.abs(x! - (c.x + (grp.re[i!]! / m) * R)) < 1e-6);
      assert.ok(Math.abs(y! - (c.y - (grp.im[i!]! / m) * R)) < 1e-6, 'imaginary axis points up');
    }
    // The largest eigenvalue of each head lies on the unit circle.
    assert.ok(Math.abs(Math.hypot(pts[0]![2]! - c.x, pts[0]![3]! - c.y) - R) < 1e-6); // 4 + 0i, the largest of L0H0
    assert.match((await el.locator('.cs-legend-item').first().textContent())!, /L0H0 copying 0.62/);
    await el.locator('circle.cs-point[data-group="0"][data-index="1"]').hover();
    assert.match((await el.locator('.cs-tooltip').textContent())!, /L0H0 λ = 2 \+ 3i/);
    await ui.screenshot('ComplexPlane');
    await el.locator('.cs-legend-item[data-group="1"]').click();
    assert.equal(await el.locator('circle.cs-point').count(), 2);
    ui.assertClean();
  });
});
