import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';

// A hand-made run: checkpoints spanning four decades, the LLC rising then falling then rising (turns at 100 and 1000).
const steps = [0, 10, 30, 100, 300, 1000, 3000, 10000];
const llcMean = [1, 3, 6, 9, 7, 5, 8, 12];
const llc = {
  points: steps.map((step, i) => ({ step, llcMean: llcMean[i]!, llcStd: 0.5, initLoss: 4 - i * 0.4, warnings: i === 2 ? ['chain 1 diverged'] : [] })),
  stages: {
    smoothed: steps.map((step, i) => ({ step, value: llcMean[i]! })),
    // The trough's flat stretch: 1000 to 3000.
    boundaries: [{ step: 100, kind: 'max', value: 9 }, { step: 1000, kind: 'min', value: 5, flat: { from: 1000, to: 3000 } }],
  },
  essentialDynamics: {
    steps, trajectory: steps.map((_, i) => [Math.cos(i / 2) * i, Math.sin(i / 2) * i, 0]), explainedVarianceRatio: [0.6, 0.3, 0.1],
    boundaries: [{ step: 100, kind: 'max' }, { step: 1000, kind: 'min' }],
  },
};
// Five induction heads; final scores 0.9 (L1H1) > 0.7 (L1H0) > 0.5 (L0H1) > 0.3 (L2H0) > 0.1 (L0H0); a NaN as null.
const finals: Record<string, number> = { L0H0: 0.1, L0H1: 0.5, L1H0: 0.7, L1H1: 0.9, L2H0: 0.3 };
const series: Record<string, (number | null)[]> = {};
for (const [h, f] of Object.entries(finals)) series[`induction ${h}`] = steps.map((_, i) => (i === 0 ? null : (f * i) / 7));
series['previous_token L0H0'] = steps.map(() => 0.8);
Object.assign(series, {
  train_loss: steps.map((_, i) => 4 / (i + 1)), test_loss: steps.map((_, i) => 4 - 0.3 * i),
  restricted_loss: steps.map((_, i) => 3 - 0.3 * i), excluded_loss: steps.map((_, i) => 4 + 0.1 * i),
  sum_squared_weights: steps.map((_, i) => 100 - 5 * i),
});
const overTraining = { steps, series, analyses: ['heads', 'grokking'] };

describe('DevelopmentCurves in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  test('one panel per quantity, the top heads by final score, stage markers drawn on every panel at the log-step positions', async () => {
    const el = await ui.mount('DevelopmentCurves', { overTraining, llc, topHeads: 3 });
    const ids = await el.locator('.cs-development-panel').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset.panel));
    assert.deepEqual(ids, ['llc', 'loss', 'weights', 'heads-induction', 'heads-previous_token']);
    const legend = async (id: string) => (await el.locator(`[data-panel="${id}"] .u-legend .u-series .u-label`).allTextContents()).slice(1);
    assert.deepEqual(await legend('llc'), ['LLC + std', 'LLC − std', 'LLC', 'LLC smoothed']);
    assert.deepEqual(await legend('loss'), ['train loss', 'test loss', 'restricted loss', 'excluded loss']);
    assert.deepEqual(await legend('heads-induction'), ['L1H1', 'L1H0', 'L0H1'], 'top 3 of 5 by final score');
    // Every panel: markers at 100 and 1000, drawn in red on the canvas, where an asinh axis puts them.
    for (const id of ids) {
      const chart = el.locator(`[data-panel="${id}"] .cs-chart`);
      assert.equal(await chart.getAttribute('data-markers'), '100,1000');
      const px = (await chart.getAttribute('data-marker-px'))!.split(',').map(Number);
      assert.equal(px.length, 2);
      const over = (await chart.locator('.u-over').boundingBox())!;
      const canvas = (await chart.locator('canvas').boundingBox())!;
      const frac = (s: number) => (Math.asinh(s) - Math.asinh(steps[0]!)) / (Math.asinh(steps.at(-1)!) - Math.asinh(steps[0]!));
      for (const [k, s] of [100, 1000].entries()) {
        const want = over.x - canvas.x + frac(s) * over.width;
        assert.ok(Math.abs(px[k]! - want) < 1.5, `${id}: marker at step ${s} drawn at ${px[k]} px, the asinh axis puts it at ${want.toFixed(1)}`);
      }
      // Red pixels down the marker columns, none halfway between them.
      const reds = await chart.locator('canvas').evaluate((c: HTMLCanvasElement, cols: number[]) => cols.map((x) => {
        const r = window.devicePixelRatio || 1;
        const d = c.getContext('2d')!.getImageData(Math.round(x * r), 0, 1, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i]! > 180 && d[i + 1]! < 60 && d[i + 2]! < 60) n++;
        return n;
      }), [px[0]!, px[1]!, (px[0]! + px[1]!) / 2]);
      assert.ok(reds[0]! > 20 && reds[1]! > 20, `${id}: red marker pixels ${reds}`);
      assert.equal(reds[2], 0, `${id}: no marker between the boundaries`);
      // The trough's flat stretch shaded pale red from 1000 to 3000, where the axis puts them; white outside it.
      assert.equal(await chart.getAttribute('data-spans'), '1000-3000');
      const span = (await chart.getAttribute('data-span-px'))!.split('-').map(Number);
      assert.ok(Math.abs(span[0]! - px[1]!) < 1.5, `${id}: the stretch starts at the trough's marker (${span[0]} vs ${px[1]} px)`);
      assert.ok(Math.abs(span[1]! - (over.x - canvas.x + frac(3000) * over.width)) < 1.5, `${id}: the stretch ends at step 3000`);
      const top = over.y - canvas.y + 2;
      const [inside, outside] = await chart.locator('canvas').evaluate((c: HTMLCanvasElement, at: number[]) => [at[0]!, at[1]!].map((x) => {
        const r = window.devicePixelRatio || 1;
        const d = c.getContext('2d')!.getImageData(Math.round(x * r), Math.round(at[2]! * r), 1, 1).data;
        return [d[0]!, d[1]!, d[2]!];
      }), [(span[0]! + span[1]!) / 2 + 3, (px[0]! + px[1]!) / 2 + 3, top]);
      assert.ok(inside![0]! - inside![1]! > 8 && inside![0]! > 200, `${id}: pale red inside the stretch, got rgb ${inside}`);
      assert.ok(Math.abs(outside![0]! - outside![1]!) <= 2, `${id}: no tint outside it, got rgb ${outside}`);
    }
    assert.match((await el.textContent())!, /steps 100, 1000 \(flat over 1000–3000\)/);
    // The cursor at the last point reads the LLC there.
    const llcOver = el.locator('[data-panel="llc"] .u-over');
    const box = (await llcOver.boundingBox())!;
    await ui.page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
    const v = await el.locator('[data-panel="llc"] .u-legend .u-series .u-value').allTextContents();
    assert.deepEqual(v.map(Number), [10000, 12.5, 11.5, 12, 12]);
    // Essential dynamics: every checkpoint a point, the two boundary checkpoints ringed.
    assert.equal(await el.locator('.cs-ed-point').count(), steps.length);
    assert.deepEqual(await el.locator('.cs-ed-boundary').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset.step)), ['100', '1000']);
    assert.equal(await el.locator('.cs-ed-boundary circle[stroke]').count(), 2);
    assert.match((await el.locator('svg.cs-essential-dynamics').textContent())!, /PC1 \(60% of variance\).*PC2 \(30% of variance\)/);
    assert.match((await el.textContent())!, /step 30: chain 1 diverged/);
    await ui.screenshot('DevelopmentCurves');
    ui.assertClean();
  });

  test('the LLC JSON alone: the LLC and the loss on its batches; the over-training JSON alone: no markers, linear steps', async () => {
    const el = await ui.mount('DevelopmentCurves', { llc: { points: llc.points, stages: llc.stages } });
    assert.deepEqual(await el.locator('.cs-development-panel').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset.panel)), ['llc', 'loss']);
    assert.deepEqual((await el.locator('[data-panel="loss"] .u-legend .u-series .u-label').allTextContents()).slice(1), ['loss (LLC batches)']);
    assert.equal(await el.locator('.cs-ed-point').count(), 0);
    const lin = await ui.mount('DevelopmentCurves', { overTraining: { steps: [10, 20, 30], series: { held_out_loss: [3, 2, 1], 'induction L0H0': [0, 0.5, 1] } } });
    assert.deepEqual(await lin.locator('.cs-development-panel').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset.panel)), ['loss', 'heads-induction']);
    assert.equal(await lin.locator('[data-panel="loss"] .cs-chart').getAttribute('data-markers'), '');
    assert.doesNotMatch((await lin.textContent())!, /log-like/);
    // every:100 checkpoints span a decade but are evenly spaced in step: linear; log:N ones (0, 1, 4, 11, 26, 60): log-like.
    const every = Array.from({ length: 11 }, (_, i) => i * 100);
    const ev = await ui.mount('DevelopmentCurves', { overTraining: { steps: every, series: { held_out_loss: every.map(() => 1) } } });
    assert.doesNotMatch((await ev.textContent())!, /log-like/);
    const logN = [0, 1, 4, 11, 26, 60];
    const lg = await ui.mount('DevelopmentCurves', { overTraining: { steps: logN, series: { held_out_loss: logN.map(() => 1) } } });
    assert.match((await lg.textContent())!, /log-like step axis/);
    ui.assertClean();
  });
});
