import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { browserSkip, cellCenter, openComponentPage, rng, type ComponentPage } from '../../../../test/ui/harness.js';
import { makeScale } from '../../lib/color.js';
import { displayToken, formatValue } from '../../lib/format.js';

const skip = browserSkip();

test('diverging scales are symmetric about zero, sequential ones span the data', () => {
  const d = makeScale('diverging', -0.5, 2);
  assert.equal(d.min, -2);
  assert.equal(d.max, 2);
  assert.equal(d.index(0), 128); // the centre of the lookup table (white)
  const s = makeScale('sequential', 0.1, 0.9);
  assert.equal(s.min, 0.1);
  assert.equal(s.index(0.1), 0);
  assert.equal(s.index(0.9), 255);
});

test('labels make whitespace and control characters visible; values keep 4 significant digits', () => {
  assert.equal(displayToken(' the'), '·the');
  assert.equal(displayToken('a\nb\tc'), 'a↵b→c');
  assert.equal(displayToken('\u0001\u007f'), '\\x01\\x7f');
  assert.equal(displayToken(''), '∅');
  assert.equal(formatValue(0.123456), '0.1235');
  assert.equal(formatValue(-0.00001234), '-1.234e-5');
  assert.equal(formatValue(42), '42');
  assert.equal(formatValue(Number.NaN), '—');
});

describe('Heatmap in chromium', { skip }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const rows = ['<bos>', 'The', ' cat', ' sat', ' on', '\n'];
  const cols = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const r = rng(3);
  const values = rows.map(() => cols.map(() => Math.round((r() * 2 - 1) * 1000) / 1000));

  test('labels, hover tooltip, click and legend', async () => {
    const el = await ui.mount('Heatmap', { values, rowLabels: rows, colLabels: cols, rowTitle: 'destination', colTitle: 'source', title: 'Scores' }, { record: ['onCellClick'] });
    const rowLabels = await el.locator('.cs-axis-label[data-axis=row]').allTextContents();
    assert.deepEqual(rowLabels, ['<bos>', 'The', '·cat', '·sat', '·on', '↵']);
    assert.deepEqual(await el.locator('.cs-axis-label[data-axis=col]').allTextContents(), cols);
    for (const [i, j] of [[2, 5], [0, 0], [5, 7]] as const) {
      const c = await cellCenter(el, i, j, rows.length, cols.length);
      await ui.page.mouse.move(c.x, c.y);
      const tip = el.locator('.cs-tooltip');
      assert.equal(await tip.locator('.cs-tt-row').textContent(), rowLabels[i]);
      assert.equal(await tip.locator('.cs-tt-col').textContent(), cols[j]);
      const shown = Number(await tip.locator('.cs-tt-value').textContent());
      assert.ok(Math.abs(shown - values[i]![j]!) < 1e-6, `cell ${i},${j}: ${shown} vs ${values[i]![j]}`);
    }
    const c = await cellCenter(el, 3, 4, rows.length, cols.length);
    await ui.page.mouse.click(c.x, c.y);
    assert.deepEqual(await ui.events(), [{ name: 'onCellClick', args: [{ row: 3, col: 4, value: values[3]![4] }] }]);
    // Values of both signs: a diverging legend from -m to m, m the largest magnitude.
    const m = Math.max(...values.flat().map(Math.abs));
    assert.equal(Number(await el.locator('.cs-legend-max').textContent()), Number(m.toPrecision(4)));
    assert.equal(Number(await el.locator('.cs-legend-min').textContent()), -Number(m.toPrecision(4)));
    await ui.page.mouse.move(c.x, c.y);
    await ui.screenshot('Heatmap');
    ui.assertClean();
  });

  test('drag a rectangle to zoom in: labels, tooltips and clicks keep the full matrix\'s indices; zoom out', async () => {
    const el = await ui.mount('Heatmap', { values, rowLabels: rows, colLabels: cols, title: 'Zoom' }, { record: ['onCellClick'] });
    const a = await cellCenter(el, 1, 2, rows.length, cols.length);
    const b = await cellCenter(el, 3, 5, rows.length, cols.length);
    await ui.page.mouse.move(a.x, a.y);
    await ui.page.mouse.down();
    await ui.page.mouse.move(b.x, b.y, { steps: 4 });
    await ui.page.mouse.up();
    assert.deepEqual(await el.locator('.cs-axis-label[data-axis=row]').allTextContents(), ['The', '·cat', '·sat']);
    assert.deepEqual(await el.locator('.cs-axis-label[data-axis=col]').allTextContents(), ['c', 'd', 'e', 'f']);
    assert.equal(await el.locator('.cs-zoom-note').textContent(), 'rows 1–3, columns 2–5');
    // Cell (0, 0) of the zoomed view is (1, 2) of the matrix.
    const c = await cellCenter(el, 0, 0, 3, 4);
    await ui.page.mouse.move(c.x, c.y);
    const tip = el.locator('.cs-tooltip');
    assert.equal(await tip.getAttribute('data-row'), '1');
    assert.equal(await tip.getAttribute('data-col'), '2');
    assert.equal(Number(await tip.locator('.cs-tt-value').textContent()), values[1]![2]);
    await ui.page.mouse.click(c.x, c.y);
    assert.deepEqual(await ui.events(), [{ name: 'onCellClick', args: [{ row: 1, col: 2, value: values[1]![2] }] }]);
    await el.locator('.cs-zoom-reset').click();
    assert.equal(await el.locator('.cs-axis-label[data-axis=row]').count(), rows.length);
    ui.assertClean();
  });

  test('cells are coloured by sign: red above zero, blue below, white at zero', async () => {
    const v = [[-1, 0, 1]];
    const el = await ui.mount('Heatmap', { values: v, colLabels: ['neg', 'zero', 'pos'] });
    // The cells are drawn after mount (in an effect): wait for the frames until every cell is painted (alpha > 0).
    const px = await el.locator('canvas.cs-cells').evaluate(async (c: HTMLCanvasElement) => {
      for (let frame = 0; frame < 120; frame++) {
        const d = c.getContext('2d')!.getImageData(0, 0, 3, 1).data;
        if (d[3]! > 0 && d[7]! > 0 && d[11]! > 0) return [0, 1, 2].map((j) => [d[j * 4]!, d[j * 4 + 1]!, d[j * 4 + 2]!]);
        await new Promise((r) => requestAnimationFrame(r));
      }
      return [];
    });
    const [neg, zero, pos] = px as [number[], number[], number[]];
    assert.ok(neg[2]! > neg[0]! + 60, `negative is blue: ${neg}`);
    assert.ok(pos[0]! > pos[2]! + 60, `positive is red: ${pos}`);
    assert.ok(Math.min(...zero) > 235, `zero is near white: ${zero}`);
  });

  test('a marked baseline shows on the legend and in the tooltip as a ratio', async () => {
    const el = await ui.mount('Heatmap', { values: [[0.1, 0.4], [0.2, 0.05]], baseline: { value: 0.2, label: 'random' }, rowLabels: ['L0H0', 'L0H1'], colLabels: ['L1H0', 'L1H1'], tokenLabels: false });
    assert.equal(await el.locator('.cs-legend-mark-label').textContent(), 'random');
    const c = await cellCenter(el, 0, 1, 2, 2);
    await ui.page.mouse.move(c.x, c.y);
    assert.match((await el.locator('.cs-tooltip').textContent())!, /\(2× random\)/);
  });

  test('CSV export holds the labels and values', async () => {
    const el = await ui.mount('Heatmap', { values, rowLabels: rows, colLabels: cols, title: 'Scores' });
    const [dl] = await Promise.all([ui.page.waitForEvent('download'), el.locator('.cs-export button', { hasText: 'CSV' }).click()]);
    assert.equal(dl.suggestedFilename(), 'scores.csv');
    const lines = (await readFile((await dl.path())!, 'utf8')).trim().split('\n');
    assert.equal(lines[0], `row \\ column,${cols.join(',')}`);
    assert.equal(lines[3], `" cat",${values[2]!.join(',')}`);
    const [png] = await Promise.all([ui.page.waitForEvent('download'), el.locator('.cs-export button', { hasText: 'PNG' }).click()]);
    const bytes = await readFile((await png.path())!);
    assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
  });

  test('a matrix larger than its display keeps a one-cell feature (block extremes, not samples)', async () => {
    const n = 400;
    const values = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === 201 && j === 123 ? 1 : 0)));
    const el = await ui.mount('Heatmap', { values, size: 100, scale: 'sequential', min: 0, max: 1 });
    const dark = await el.locator('canvas.cs-cells').evaluate(async (c: HTMLCanvasElement) => {
      // Drawn after mount: wait until the canvas is painted (every pixel opaque).
      for (let frame = 0; frame < 120 && c.getContext('2d')!.getImageData(0, 0, 1, 1).data[3] === 0; frame++) {
        await new Promise((r) => requestAnimationFrame(r));
      }
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const out: number[][] = [];
      for (let p = 0; p < d.length / 4; p++) if (d[p * 4]! < 100) out.push([Math.floor(p / c.width), p % c.width]);
      return { out, w: c.width };
    });
    assert.equal(dark.w, 100);
    assert.deepEqual(dark.out, [[Math.floor((201 * 100) / n), Math.floor((123 * 100) / n)]]);
  });

  test('1,024 x 1,024 draws on one canvas at display resolution and hovers correctly', async () => {
    const n = 1024;
    await ui.mount('Heatmap', { values: [[0]] });
    const ms = await ui.page.evaluate(async (n) => {
      const data = new Float32Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = Math.sin(i * 0.01) * Math.cos(j * 0.013);
      const labels = Array.from({ length: n }, (_, i) => `t${i}`);
      const g = globalThis as unknown as { circuitscopeUI: { mount(n: string, p: Record<string, unknown>, el: Element): unknown } };
      const t0 = performance.now();
      g.circuitscopeUI.mount('Heatmap', { values: { rows: n, cols: n, data }, rowLabels: labels, colLabels: labels, size: 512 }, document.getElementById('mounted')!);
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return performance.now() - t0;
    }, n);
    const el = ui.page.locator('#mounted');
    // More cells than display pixels: one canvas pixel per block of cells (the canvas is 512 px at ratio 1).
    const size = await el.locator('canvas.cs-cells').evaluate((c: HTMLCanvasElement) => [c.width, c.height, c.getBoundingClientRect().width, devicePixelRatio]);
    assert.deepEqual(size, [512 * size[3]!, 512 * size[3]!, 512, size[3]]);
    // Labels are thinned to what fits, and stay the props' labels.
    const shown = await el.locator('.cs-axis-label[data-axis=row]').evaluateAll((ls) => ls.map((l) => [Number(l.getAttribute('data-index')), l.textContent]));
    assert.ok(shown.length > 10 && shown.length < 200, `${shown.length} row labels`);
    for (const [i, text] of shown) assert.equal(text, `t${i}`);
    const c = await cellCenter(el, 700, 300, n, n);
    await ui.page.mouse.move(c.x, c.y);
    const tip = el.locator('.cs-tooltip');
    const row = Number(await tip.getAttribute('data-row'));
    const col = Number(await tip.getAttribute('data-col'));
    assert.ok(Math.abs(row - 700) <= 1 && Math.abs(col - 300) <= 1, `hovered ${row},${col}`);
    assert.equal(await tip.locator('.cs-tt-row').textContent(), `t${row}`);
    const expected = Math.fround(Math.sin(row * 0.01) * Math.cos(col * 0.013));
    const value = Number(await tip.locator('.cs-tt-value').textContent());
    assert.ok(Math.abs(value - expected) <= 1e-3 * Math.abs(expected) + 1e-9, `${value} vs ${expected}`);
    console.log(`# 1024 x 1024 heatmap: first render ${ms.toFixed(0)} ms (mount + draw + frame)`);
    ui.assertClean();
  });
});
