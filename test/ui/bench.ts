// UI benchmark (not a test): redrawing a 1,024 x 1,024 heatmap and switching heads in AttentionHeads with GPT-2-small
// shapes (12 heads, 1,024 tokens), in chromium. Run: npx tsx test/ui/bench.ts
import { openComponentPage } from './harness.js';

const ui = await openComponentPage();
try {
  const { page } = ui;
  await ui.mount('Heatmap', { values: [[0]] });
  const heat = await page.evaluate<number[]>(`(async () => {
    const n = 1024;
    const g = globalThis;
    const labels = Array.from({ length: n }, (_, i) => 'tok' + i);
    const make = (k) => { const d = new Float32Array(n * n); for (let i = 0; i < n * n; i++) d[i] = Math.sin(i * 0.001 + k); return d; };
    const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))));
    const m = g.circuitscopeUI.mount('Heatmap', { values: { rows: n, cols: n, data: make(0) }, rowLabels: labels, colLabels: labels, size: 512 }, document.getElementById('mounted'));
    await frames();
    const times = [];
    for (let k = 1; k <= 10; k++) {
      const data = make(k);
      const t0 = performance.now();
      m.update({ values: { rows: n, cols: n, data }, rowLabels: labels, colLabels: labels, size: 512 });
      await frames();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b);
  })()`);
  await ui.mount('Heatmap', { values: [[0]] });
  const heads = await page.evaluate<{ first: number; times: number[] }>(`(async () => {
    const H = 12;
    const T = 1024;
    const g = globalThis;
    const attention = Array.from({ length: H }, (_, h) => Array.from({ length: T }, (_, d) => {
      const row = new Float32Array(T);
      for (let s = 0; s <= d; s++) row[s] = Math.exp(-Math.abs(d - s - h)) ;
      let z = 0;
      for (let s = 0; s <= d; s++) z += row[s];
      for (let s = 0; s <= d; s++) row[s] /= z;
      return row;
    }));
    const tokens = Array.from({ length: T }, (_, i) => 't' + i);
    const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))));
    const t0 = performance.now();
    g.circuitscopeUI.mount('AttentionHeads', { tokens, attention, headLabels: Array.from({ length: H }, (_, h) => 'L0H' + h), miniSize: 100, size: 512 }, document.getElementById('mounted'));
    await frames();
    const first = performance.now() - t0;
    const times = [];
    for (let h = 1; h < H; h++) {
      const el = document.querySelector('.cs-mini[data-head="' + h + '"]');
      const t1 = performance.now();
      el.click();
      await frames();
      times.push(performance.now() - t1);
    }
    return { first, times: times.sort((a, b) => a - b) };
  })()`);
  const med = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
  console.log(`heatmap 1024 x 1024 redraw (update -> two frames): median ${med(heat).toFixed(1)} ms, max ${heat.at(-1)!.toFixed(1)} ms over ${heat.length}`);
  console.log(`AttentionHeads 12 heads x 1024 tokens: first render ${heads.first.toFixed(0)} ms; switch head (click -> two frames): median ${med(heads.times).toFixed(1)} ms, max ${heads.times.at(-1)!.toFixed(1)} ms over ${heads.times.length}`);
  ui.assertClean();
} finally {
  await ui.close();
}
