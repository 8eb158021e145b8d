import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { attentionHeads, fragment, heatmap, page, setUiBundle } from '../../src/ui/fragments.js';
import { installUiBundle } from '../../src/io/uiBundle.js';
import { browserSkip, guardPage, launchChromium } from '../browser/chromium.js';
import { causalPattern } from './data.js';

test('a fragment without a bundle says how to get one', () => {
  setUiBundle('');
  assert.throws(() => fragment('Heatmap', { values: [[1]] }), /no UI bundle; call setUiBundle/);
});

describe('fragments in chromium', { skip: browserSkip() }, () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'cs-frag-')); await installUiBundle(); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  test('two fragments on one page render from inlined code and data, with no request anywhere', async () => {
    const tokens = ['<bos>', 'x', '</script>', 'y'];
    const attention = [causalPattern(4, 1), causalPattern(4, 2)];
    const a = attentionHeads({ tokens, attention, headLabels: ['L0H0', 'L0H1'] });
    const b = heatmap({ values: [[1, -2], [3, 4]], rowLabels: ['r0', 'r1'], colLabels: ['c0', 'c1'], title: 'Second' });
    for (const f of [a, b]) {
      // No external script or stylesheet, no URL but XML namespaces (strings, never fetched).
      const external = f.match(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org\/)[^\s"'`)]*/g);
      assert.equal(external, null);
      assert.equal((f.match(/<\/script>/g) ?? []).length, 2, 'a token "</script>" is escaped in the data');
    }
    const file = join(dir, 'fragments.html');
    await writeFile(file, page('Fragments', a, b));
    const url = pathToFileURL(file).href;
    const browser = await launchChromium();
    try {
      const p = await browser.newPage();
      const guard = guardPage(p, url);
      const others: string[] = [];
      p.on('request', (r) => { if (r.url() !== url && !r.url().startsWith('data:')) others.push(r.url()); });
      await p.goto(url);
      await p.waitForSelector('.cs-figure[data-figure="Second"]');
      assert.deepEqual(await p.locator('.cs-mini-title').allTextContents(), ['L0H0', 'L0H1']);
      assert.deepEqual(await p.locator('.cs-strip .cs-token').allTextContents(), ['<bos>', 'x', '</script>', 'y']);
      assert.deepEqual(await p.locator('.cs-figure[data-figure="Second"] .cs-axis-label[data-axis=col]').allTextContents(), ['c0', 'c1']);
      // The bundle ran once for both fragments: one stylesheet.
      assert.equal(await p.locator('style[data-circuitscope]').count(), 1);
      guard.assertClean();
      assert.deepEqual(others, []);
    } finally {
      await browser.close();
    }
  });
});
