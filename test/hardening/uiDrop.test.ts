// Bad model folders opened in the browser app (the "open a model folder" input, which a drop feeds the same way)
// get, in the page, the same one-line message as `circuitscope analyze` gives for the same folder on the command
// line: the CLI's line less its "circuitscope: " prefix and the folder's parent path (the page sees only the
// folder's name), and less the " (line L column C)" that Chromium's JSON.parse adds to Node's wording of a JSON
// syntax error. The browser UI takes no corpus file (the Train view trains on the Brown corpus built with the
// site), so corpora are checked on the command line only (fuzz.test.ts, test/cli/arguments.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { browserSkip, launchChromium } from '../browser/chromium.js';
import { openApp } from '../ui/appPage.js';
import { SCREENSHOTS } from '../ui/harness.js';
import { buildSite } from '../../scripts/build-site.mjs';
import { startUiServer, type UiServer } from '../../src/io/uiServer.js';
import { cli, ROOT } from '../cli/run.js';
import { droppedFiles, type DropEntry, type DropItem } from '../../src/ui/app/drop.js';

const skip = browserSkip();

test('a dropped folder is read through its entries: the files directly in it, all batches; dropped files as they are', async () => {
  const file = (name: string, text: string): DropEntry => ({ isFile: true, isDirectory: false, name, file: (ok) => ok(new File([text], name)) });
  const dir = (name: string, batches: DropEntry[][]): DropEntry => ({
    isFile: false, isDirectory: true, name,
    createReader: () => { let i = 0; return { readEntries: (ok) => ok(batches[i++] ?? []) }; },
  });
  // readEntries hands a folder out in batches (Chromium: 100 at a time) until it returns none.
  const model = dir('my-run', [[file('config.json', '{}'), file('model.safetensors', 'w')], [file('metrics.jsonl', 'm'), dir('checkpoints', [[file('x', 'y')]])]]);
  // A browser's item for a dropped folder: getAsFile gives the unreadable folder itself.
  const item = (entry: DropEntry | null, f: File | null): DropItem => ({ kind: 'file', webkitGetAsEntry: () => entry, getAsFile: () => f });
  const folder = await droppedFiles([item(model, new File([], 'my-run'))]);
  assert.equal(folder.folder, 'my-run');
  assert.deepEqual(folder.files.map((f) => f.name), ['config.json', 'model.safetensors', 'metrics.jsonl']);
  assert.equal(await folder.files[0]!.text(), '{}');
  const loose = await droppedFiles([item(null, new File(['{}'], 'config.json')), { kind: 'string', webkitGetAsEntry: () => null, getAsFile: () => null }]);
  assert.deepEqual([loose.folder, loose.files.map((f) => f.name)], [null, ['config.json']]);
});
const FIXTURE = join(ROOT, 'test/fixtures/attn-only-2l');

describe('bad files opened in the browser app', { skip }, () => {
  let dir: string;
  let browser: Browser;
  let server: UiServer;

  /** A copy of a good model folder with one file replaced (or removed, for null). */
  const folder = async (name: string, file: string, body: string | Uint8Array | null): Promise<string> => {
    const d = join(dir, name);
    await cp(FIXTURE, d, { recursive: true });
    await rm(join(d, 'reference.safetensors'), { force: true });
    if (body === null) await rm(join(d, file));
    else await writeFile(join(d, file), body);
    return d;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cs-drop-'));
    await mkdir(SCREENSHOTS, { recursive: true });
    const site = await buildSite({ outdir: join(dir, 'site'), minify: true });
    server = await startUiServer({ siteDir: site, models: [] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a bad safetensors, config.json or tokenizer.json: the CLI\'s one line, in the page', { timeout: 300_000 }, async () => {
    const weights = new Uint8Array(await readFile(join(FIXTURE, 'model.safetensors')));
    const config = JSON.parse(await readFile(join(FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>;
    const folders = [
      await folder('truncated-weights', 'model.safetensors', weights.subarray(0, Math.floor(weights.length / 2))),
      await folder('header-beyond-file', 'model.safetensors', Uint8Array.from([0xff, 0xff, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d])),
      await folder('wrong-config', 'config.json', JSON.stringify({ ...config, n_heads: 'two' })),
      await folder('not-json-config', 'config.json', '{"n_layers": 2,'),
      await folder('bad-tokenizer', 'tokenizer.json', '{"type": "bytes", "version": 99}'),
      await folder('no-weights', 'model.safetensors', null),
    ];
    // The CLI's line for each folder (three processes at a time: two cores).
    const expected: string[] = [];
    for (let i = 0; i < folders.length; i += 3) {
      const rs = await Promise.all(folders.slice(i, i + 3).map((f) => cli(['analyze', f])));
      for (const [j, r] of rs.entries()) {
        assert.equal(r.code, 2, `${folders[i + j]}: ${r.stderr}`);
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, r.stderr);
        expected.push(lines[0]!.replace(/^circuitscope: /, '').split(`${dir}/`).join(''));
      }
    }
    const { page } = await openApp(browser, server.url, '#/model');
    for (const [i, f] of folders.entries()) {
      await page.setInputFiles('input[type=file][webkitdirectory]', f);
      const shown = page.locator('.app-error');
      await shown.waitFor({ timeout: 60_000 });
      await page.waitForFunction((want) => document.querySelector('.app-error')?.textContent?.replace(/ \(line \d+ column \d+\)/, '') === want, expected[i]!, { timeout: 60_000 })
        .catch(async () => assert.fail(`${f}: the page says ${JSON.stringify(await shown.textContent())}, the CLI ${JSON.stringify(expected[i])}`));
      if (i === 0) await page.screenshot({ path: join(SCREENSHOTS, 'app-bad-folder.png'), fullPage: true });
    }
    // The same files dropped on the page (as files: a test cannot drop a folder): the same line, named without
    // the folder, which a drop of loose files does not have.
    const bytes = async (f: string) => Array.from(await readFile(join(folders[0]!, f)));
    await page.evaluate(async (files) => {
      const dt = new DataTransfer();
      for (const [name, data] of files) dt.items.add(new File([new Uint8Array(data)], name));
      document.querySelector('.app')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, [['config.json', await bytes('config.json')], ['model.safetensors', await bytes('model.safetensors')]] as [string, number[]][]);
    const dropped = expected[0]!.replace('truncated-weights/', '');
    await page.waitForFunction((want) => document.querySelector('.app-error')?.textContent === want, dropped, { timeout: 60_000 })
      .catch(async () => assert.fail(`dropped: the page says ${JSON.stringify(await page.locator('.app-error').textContent())}, want ${JSON.stringify(dropped)}`));
    await page.close();
  });
});
