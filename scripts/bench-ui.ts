// UI benchmark (not a test) of issue 14's performance goal, in chromium: with GPT-2-small shapes (12 heads, 1,024
// tokens), redrawing a 1,024 x 1,024 heatmap and switching heads in the attention view must each take under 100 ms.
// Builds the component bundle into a page, makes synthetic causal patterns in the page (no model needed for the
// drawing), and times with performance.now() in the page:
//   - Heatmap: new 1,024 x 1,024 values -> the next painted frame (and the synchronous part: render + canvas fill);
//   - AttentionHeads (12 heads x 1,024 tokens, as the Attention view shows a layer): click a head -> painted frame;
//   - switching layers (the view remounts AttentionHeads with the next layer's 12 patterns) -> painted frame.
// Run: npx tsx scripts/bench-ui.ts [--reps N]
import { openComponentPage } from '../test/ui/harness.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 10;
interface Stats { median: number; max: number; n: number }
interface Result { heatFrame: Stats; heatSync: Stats; first: number; switchHead: Stats; switchLayer: Stats }

const ui = await openComponentPage();
try {
  const { page } = ui;
  await ui.mount('Heatmap', { values: [[0]] });
  // Plain JavaScript run in the page (a string: tsx's transform would add helpers the page does not have).
  const result = await page.evaluate<Result>(`(async (reps) => {
    const g = globalThis;
    const T = 1024;
    const H = 12;
    const el = document.getElementById('root');
    const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const tokens = Array.from({ length: T }, (_, i) => \` tok\${i}\`);
    /** A causal pattern for head h: attention decaying with distance, offset per head, rows summing to 1. */
    const pattern = (h, layer) => Array.from({ length: T }, (_, d) => {
      const row = new Float32Array(T);
      let z = 0;
      for (let s = 0; s <= d; s++) { row[s] = Math.exp(-Math.abs(d - s - ((h + layer) % 7)) / (1 + h)); z += row[s]; }
      for (let s = 0; s <= d; s++) row[s] = row[s] / z;
      return row;
    });
    const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return { median: s[Math.floor(s.length / 2)], max: s[s.length - 1], n: s.length }; };

    // 1. Heatmap redraws.
    const heat = g.circuitscopeUI.mount('Heatmap', { values: pattern(0, 0), rowLabels: tokens, colLabels: tokens, size: 640, title: 'bench' }, el);
    await painted();
    const frame = [];
    const sync = [];
    for (let k = 1; k <= reps; k++) {
      const values = pattern(k % H, k);
      const t0 = performance.now();
      heat.update({ values, rowLabels: tokens, colLabels: tokens, size: 640, title: 'bench' });
      sync.push(performance.now() - t0);
      await painted();
      frame.push(performance.now() - t0);
    }
    heat.unmount();

    // 2. AttentionHeads: one layer's 12 heads; click each head in turn.
    const layers = [pattern, pattern].map((_, l) => Array.from({ length: H }, (_, h) => pattern(h, l)));
    const t1 = performance.now();
    const heads = g.circuitscopeUI.mount('AttentionHeads', { tokens, attention: layers[0], headLabels: Array.from({ length: H }, (_, h) => \`L0H\${h}\`), title: 'Layer 0 attention' }, el);
    await painted();
    const first = performance.now() - t1;
    const switchHead = [];
    for (let k = 0; k < Math.max(reps, H - 1); k++) {
      const mini = el.querySelector(\`.cs-mini[data-head="\${(k + 1) % H}"]\`);
      const t0 = performance.now();
      mini.click();
      await painted();
      switchHead.push(performance.now() - t0);
    }
    // 3. Switching layers: the Attention view remounts AttentionHeads with the other layer's patterns.
    const switchLayer = [];
    for (let k = 0; k < 4; k++) {
      const l = (k + 1) % 2;
      const t0 = performance.now();
      heads.unmount();
      g.circuitscopeUI.mount('AttentionHeads', { tokens, attention: layers[l], headLabels: Array.from({ length: H }, (_, h) => \`L\${l}H\${h}\`), title: \`Layer \${l} attention\` }, el);
      await painted();
      switchLayer.push(performance.now() - t0);
    }
    return { heatFrame: stats(frame), heatSync: stats(sync), first, switchHead: stats(switchHead), switchLayer: stats(switchLayer) };
  })(${reps})`);
  const f = (s: Stats) => `median ${s.median.toFixed(1)} ms, max ${s.max.toFixed(1)} ms (n=${s.n})`;
  const verdict = (ms: number) => (ms < 100 ? 'under 100 ms' : 'OVER 100 ms');
  console.log(`chromium, GPT-2-small shapes (12 heads, 1,024 tokens), synthetic causal patterns`);
  console.log(`Heatmap 1,024 x 1,024 redraw, new values -> painted frame:  ${f(result.heatFrame)}  [${verdict(result.heatFrame.median)}]`);
  console.log(`  of which synchronous (render + canvas fill):              ${f(result.heatSync)}`);
  console.log(`AttentionHeads, switch head (click -> painted frame):        ${f(result.switchHead)}  [${verdict(result.switchHead.median)}]`);
  console.log(`AttentionHeads, first render of a layer (12 minis + detail): ${result.first.toFixed(1)} ms`);
  console.log(`AttentionHeads, switch layer (remount -> painted frame):     ${f(result.switchLayer)}`);
  ui.assertClean();
} finally {
  await ui.close();
}
