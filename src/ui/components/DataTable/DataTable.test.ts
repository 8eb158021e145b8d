import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, openComponentPage, type ComponentPage } from '../../../../test/ui/harness.js';

describe('DataTable in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const words = [' the', ' of', ' and', ' to', ' a', ' in', ' is', ' it', ' that', ' was', ' he', ' for', ' on', ' are', ' with'];
  const rows = words.map((w, i) => ({ head: `L0H${i % 4}`, src: w, dest: words[(i + 3) % words.length]!, out: w, score: Math.round(Math.sin(i + 1) * 1000) / 100 }));
  const columns = [{ key: 'head', label: 'head' }, { key: 'src', label: 'source', kind: 'token' }, { key: 'dest', label: 'destination', kind: 'token' },
    { key: 'out', label: 'output', kind: 'token' }, { key: 'score', label: 'score', kind: 'number' }];

  test('sorts by a clicked column, filters by search, pages long tables', async () => {
    const el = await ui.mount('DataTable', { columns, rows, title: 'Skip-trigrams', pageSize: 10 });
    const scores = async () => (await el.locator('td[data-key=score]').allTextContents()).map(Number);
    assert.deepEqual(await scores(), rows.slice(0, 10).map((r) => r.score));
    await el.locator('th[data-key=score]').click();
    const desc = rows.map((r) => r.score).sort((a, b) => b - a);
    assert.deepEqual(await scores(), desc.slice(0, 10));
    await el.locator('th[data-key=score]').click();
    assert.deepEqual(await scores(), [...desc].reverse().slice(0, 10));
    await el.locator('.cs-show-all').click();
    assert.equal((await scores()).length, rows.length);
    await el.locator('input.cs-search').fill('L0H1');
    const expected = rows.filter((r) => r.head === 'L0H1' || r.src.includes('L0H1')).map((r) => r.score).sort((a, b) => a - b);
    assert.deepEqual(await scores(), expected);
    assert.deepEqual(await el.locator('td[data-key=src] .cs-tok').allTextContents(), rows.filter((r) => r.head === 'L0H1').sort((a, b) => a.score - b.score).map((r) => r.src.replace(/ /g, '·')));
    await el.locator('input.cs-search').fill('');
    await ui.screenshot('DataTable');
    ui.assertClean();
  });
});
