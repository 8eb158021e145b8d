import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, openComponentPage, rng, type ComponentPage } from '../../../../test/ui/harness.js';

// A head-level graph written out by hand, as `discover --json` prints it: writers embed, L{l}H{h} (and mlp{l});
// readers each head's q/k/v (and mlp{l}) and the logits; an edge from every writer to every later reader.
function graph(layers: number, heads: number, mlps: boolean): { nodes: string[]; pairs: [string, string][] } {
  const writers = ['embed'];
  const readers: string[] = [];
  const pairs: [string, string][] = [];
  for (let l = 0; l < layers; l++) {
    const hs = Array.from({ length: heads }, (_, h) => `L${l}H${h}`);
    for (const s of ['q', 'k', 'v']) for (const h of hs) { readers.push(`${h}.${s}`); for (const w of writers) pairs.push([w, `${h}.${s}`]); }
    writers.push(...hs);
    if (mlps) { readers.push(`mlp${l}`); for (const w of writers) pairs.push([w, `mlp${l}`]); writers.push(`mlp${l}`); }
  }
  readers.push('logits');
  for (const w of writers) pairs.push([w, 'logits']);
  return { nodes: [...writers, ...readers.filter((r) => !writers.includes(r))], pairs };
}

// The induction circuit of a 2-layer, 2-head model: strong edges (one negative), the rest small noise.
const TRUE: Record<string, number> = {
  'embed->L0H0.v': 0.8, 'L0H0->L1H0.k': 1.6, 'embed->L1H0.q': 0.9, 'embed->L1H0.v': -1.1, 'L1H0->logits': 2.4,
};
const small = graph(2, 2, false);
const r = rng(3);
const edges = small.pairs.map(([from, to]) => {
  const key = `${from}->${to}`;
  return { from, to, score: TRUE[key] ?? (r() - 0.5) * 0.2, kept: key in TRUE };
});
const byAbs = [...edges].sort((a, b) => Math.abs(b.score) - Math.abs(a.score));

const rgb = (s: string) => (/rgb\((\d+), (\d+), (\d+)\)/.exec(s) ?? []).slice(1).map(Number);

describe('CircuitGraph in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  test('layers as rows with q/k/v ports; the kept edges by default, solid, width by |score|, colour by sign', async () => {
    const el = await ui.mount('CircuitGraph', { nodes: small.nodes, edges, title: 'Induction circuit (hand-built)' });
    assert.deepEqual(await el.locator('.cs-node').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-node'))),
      ['embed', 'L0H0', 'L0H1', 'L1H0', 'L1H1', 'logits']);
    assert.equal(await el.locator('.cs-port').count(), 12);
    const drawn = el.locator('path.cs-edge');
    assert.equal(await drawn.count(), 5, 'the five kept edges');
    const attrs = await drawn.evaluateAll((ps) => ps.map((p) => ({
      edge: p.getAttribute('data-edge')!, kept: p.getAttribute('data-kept'), dash: p.getAttribute('stroke-dasharray'),
      opacity: Number(p.getAttribute('stroke-opacity')), width: Number(p.getAttribute('stroke-width')), color: p.getAttribute('stroke')!,
    })));
    assert.deepEqual(attrs.map((a) => a.edge).sort(), Object.keys(TRUE).sort());
    for (const a of attrs) assert.ok(a.kept === 'true' && a.dash === null && a.opacity > 0.8, JSON.stringify(a));
    const w = Object.fromEntries(attrs.map((a) => [a.edge, a]));
    // Width grows with |score|: 2.4 > 1.6 > 1.1 > 0.9 > 0.8.
    const order = ['L1H0->logits', 'L0H0->L1H0.k', 'embed->L1H0.v', 'embed->L1H0.q', 'embed->L0H0.v'];
    for (let i = 1; i < order.length; i++) assert.ok(w[order[i - 1]!]!.width > w[order[i]!]!.width, `${order[i - 1]} wider than ${order[i]}`);
    const [pr, , pb] = rgb(w['L1H0->logits']!.color);
    const [nr, , nb] = rgb(w['embed->L1H0.v']!.color);
    assert.ok(pr! > pb! + 60, `positive edge is red: ${w['L1H0->logits']!.color}`);
    assert.ok(nb! > nr! + 60, `negative edge is blue: ${w['embed->L1H0.v']!.color}`);
    // Nodes without a drawn edge are faint; L0H1 and L1H1 (the distractors) have none.
    assert.equal(await el.locator('[data-node=L0H1]').getAttribute('data-live'), 'false');
    assert.equal(await el.locator('[data-node=L1H0]').getAttribute('data-live'), 'true');
    await ui.screenshot('CircuitGraph');
    ui.assertClean();
  });

  test('the top-N control changes the edges drawn; pruned ones faint and dashed, or hidden', async () => {
    const el = await ui.mount('CircuitGraph', { nodes: small.nodes, edges });
    await el.locator('input.cs-top').fill('12');
    await el.locator('input.cs-top').dispatchEvent('change');
    const drawn = el.locator('path.cs-edge');
    assert.equal(await drawn.count(), 12);
    const got = await drawn.evaluateAll((ps) => ps.map((p) => ({ edge: p.getAttribute('data-edge')!, kept: p.getAttribute('data-kept'), dash: p.getAttribute('stroke-dasharray'), opacity: Number(p.getAttribute('stroke-opacity')) })));
    assert.deepEqual(got.map((g) => g.edge).sort(), byAbs.slice(0, 12).map((e) => `${e.from}->${e.to}`).sort());
    const prunedDrawn = got.filter((g) => g.kept === 'false');
    assert.equal(prunedDrawn.length, 7);
    for (const g of prunedDrawn) assert.ok(g.dash !== null && g.opacity < 0.5, JSON.stringify(g));
    assert.match(await el.locator('.cs-graph-summary').innerText(), /showing 12 of 29 edges \(5 kept\)/);
    await ui.screenshot('CircuitGraph-top12');
    // Hiding pruned edges leaves the kept ones, however large N is.
    await el.locator('input.cs-show-pruned').uncheck();
    assert.equal(await drawn.count(), 5);
    assert.deepEqual(await drawn.evaluateAll((ps) => ps.map((p) => p.getAttribute('data-kept'))), ['true', 'true', 'true', 'true', 'true']);
    ui.assertClean();
  });

  test('hovering an edge names it with its score; hovering a node dims the others\' edges', async () => {
    const el = await ui.mount('CircuitGraph', { nodes: small.nodes, edges });
    const mid = await el.locator('path.cs-edge[data-edge="L0H0->L1H0.k"]').evaluate((p) => {
      const path = p as SVGPathElement;
      const pt = path.getPointAtLength(path.getTotalLength() / 2);
      const m = path.getScreenCTM()!;
      return { x: m.a * pt.x + m.c * pt.y + m.e, y: m.b * pt.x + m.d * pt.y + m.f };
    });
    await ui.page.mouse.move(mid.x, mid.y);
    const tip = el.locator('.cs-graph-tooltip');
    await tip.waitFor();
    const text = await tip.innerText();
    assert.match(text, /L0H0 → L1H0\.k/);
    assert.match(text, /score 1\.6/);
    assert.match(text, /#2 by \|score\|, kept/);
    const box = (await el.locator('[data-node=L1H0] rect').boundingBox())!;
    await ui.page.mouse.move(box.x + box.width / 2, box.y + box.height - 4);
    assert.match(await tip.innerText(), /L1H0[\s\S]*drawn edges: 1 out, 3 in/);
    assert.ok(Number(await el.locator('path.cs-edge[data-edge="embed->L0H0.v"]').getAttribute('stroke-opacity')) < 0.2, 'an edge not touching L1H0 is dimmed');
    ui.assertClean();
  });

  test('node scores (attribution patching) fill the writers, with labels readable on them', async () => {
    const el = await ui.mount('CircuitGraph', { nodes: small.nodes, edges, nodeScores: [{ node: 'embed', score: -2 }, { node: 'L0H0', score: 0.5 }, { node: 'L1H0', score: 2 }] });
    const fill = (n: string) => el.locator(`[data-node=${n}] rect`).getAttribute('fill');
    const [er, , eb] = rgb((await fill('embed'))!);
    assert.ok(eb! > er! + 60, 'a negative writer is blue');
    const [lr, , lb] = rgb((await fill('L1H0'))!);
    assert.ok(lr! > lb! + 60, 'a positive writer is red');
    assert.equal(await el.locator('[data-node=embed] > text').getAttribute('fill'), '#fff', 'white on the darkest fill');
    assert.equal(await el.locator('[data-node=L0H0] > text').getAttribute('fill'), '#222', 'dark on a light fill');
    ui.assertClean();
  });

  test('GPT-2-small scale (12 x 12 heads and MLPs): legible by default, the top 20 of every edge', async () => {
    const big = graph(12, 12, true);
    const r2 = rng(7);
    const bigEdges = big.pairs.map(([from, to]) => ({ from, to, score: (r2() - 0.5) * r2() ** 4, kept: false }));
    // 32k edges: handed over as one JSON string (playwright's argument serialisation takes seconds on that many objects).
    await ui.page.evaluate((json) => {
      const g = globalThis as unknown as { circuitscopeUI: { mount(n: string, p: unknown, el: Element): unknown } };
      const root = document.getElementById('root')!;
      root.innerHTML = '<div id="mounted"></div>';
      const { nodes, edges: es } = JSON.parse(json) as { nodes: string[]; edges: unknown[] };
      g.circuitscopeUI.mount('CircuitGraph', { nodes, edges: es, title: 'GPT-2-small shapes, random scores (no edge kept)' }, document.getElementById('mounted')!);
    }, JSON.stringify({ nodes: big.nodes, edges: bigEdges }));
    const el = ui.page.locator('#mounted');
    await ui.page.mouse.move(1, 1);
    assert.equal(await el.locator('path.cs-edge').count(), 20);
    assert.equal(await el.locator('.cs-node').count(), 1 + 144 + 12 + 1);
    const svg = (await el.locator('svg.cs-circuit').boundingBox())!;
    assert.ok(svg.width <= 960, `fits 960 px: ${svg.width}`);
    assert.match(await el.locator('.cs-graph-summary').innerText(), new RegExp(`showing 20 of ${bigEdges.length} edges`));
    // With no edge marked kept (a bare ranking), the drawn edges are solid.
    assert.deepEqual([...new Set(await el.locator('path.cs-edge').evaluateAll((ps) => ps.map((p) => p.getAttribute('stroke-dasharray'))))], [null]);
    await ui.screenshot('CircuitGraph-gpt2');
    ui.assertClean();
  });
});
