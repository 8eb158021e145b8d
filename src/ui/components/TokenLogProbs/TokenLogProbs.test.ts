import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { browserSkip, openComponentPage, rng, type ComponentPage } from '../../../../test/ui/harness.js';

// Predictions from random logits over a small vocabulary, computed here: softmax, top-k, the next token's rank.
const vocab = ['<bos>', 'The', ' cat', ' sat', ' on', ' the', ' mat', '.', ' dog', ' ran'];
const ids = [0, 1, 2, 3, 4, 5, 6, 7];
const tokens = ids.map((i) => vocab[i]!);
const r = rng(11);
const predictions = ids.map((_, pos) => {
  const logits = vocab.map(() => r() * 4);
  const z = Math.log(logits.reduce((s, x) => s + Math.exp(x), 0));
  const logp = logits.map((x) => x - z);
  const order = logp.map((_, i) => i).sort((a, b) => logp[b]! - logp[a]!);
  const next = ids[pos + 1];
  return {
    logProb: next === undefined ? null : logp[next]!,
    rank: next === undefined ? null : order.indexOf(next),
    top: order.slice(0, 5).map((i) => ({ token: vocab[i]!, prob: Math.exp(logp[i]!) })),
  };
});

describe('TokenLogProbs in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  test('tokens coloured by the loss of the next token; hover shows the top-k and the next token\'s rank', async () => {
    const el = await ui.mount('TokenLogProbs', { tokens, predictions });
    const vals = await el.locator('.cs-tokens .cs-token').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-value')));
    assert.deepEqual(vals.map((v) => (v === null ? null : Number(v))), predictions.map((p) => (p.logProb === null ? null : -p.logProb)));
    for (const i of [2, 5]) {
      await el.locator(`.cs-tokens .cs-token[data-index="${i}"]`).hover();
      const tip = el.locator('.cs-tooltip');
      assert.equal(await tip.getAttribute('data-index'), String(i));
      assert.deepEqual(await tip.locator('.cs-topk-token').allTextContents(), predictions[i]!.top.map((t) => t.token.replace(/ /g, '·')));
      const probs = (await tip.locator('.cs-topk-prob').allTextContents()).map((s) => Number(s.replace('%', '')) / 100);
      probs.forEach((p, k) => assert.ok(Math.abs(p - predictions[i]!.top[k]!.prob) < 0.0006));
      assert.equal(await tip.locator('.cs-correct-token').textContent(), tokens[i + 1]!.replace(/ /g, '·'));
      assert.equal(Number(await tip.locator('.cs-correct-rank').textContent()), predictions[i]!.rank! + 1);
      assert.ok(Math.abs(Number(await tip.locator('.cs-correct-logprob').textContent()) - predictions[i]!.logProb!) < 1e-3);
      // The next token is marked in the list when it is among the top k.
      const marked = await tip.locator('.cs-topk-row[data-correct=true] .cs-topk-token').allTextContents();
      assert.deepEqual(marked, predictions[i]!.rank! < 5 ? [tokens[i + 1]!.replace(/ /g, '·')] : []);
    }
    // The last token has no next token: its top-k only.
    await el.locator(`.cs-tokens .cs-token[data-index="${tokens.length - 1}"]`).hover();
    assert.equal(await el.locator('.cs-tooltip .cs-correct').count(), 0);
    assert.equal(await el.locator('.cs-tooltip .cs-topk-row').count(), 5);
    const mean = predictions.slice(0, -1).reduce((s, p) => s - p.logProb!, 0) / (tokens.length - 1);
    assert.match((await el.locator('.cs-subtitle').textContent())!, new RegExp(`mean loss ${mean.toPrecision(4)}`));
    await el.locator('.cs-tokens .cs-token[data-index="3"]').click();
    await el.locator('.cs-tokens .cs-token[data-index="3"]').hover();
    await ui.screenshot('TokenLogProbs');
    await ui.page.mouse.move(0, 0);
    assert.deepEqual(await el.locator('.cs-pinned-detail .cs-topk-token').allTextContents(), predictions[3]!.top.map((t) => t.token.replace(/ /g, '·')));
    const [dl] = await Promise.all([ui.page.waitForEvent('download'), el.locator('.cs-export button', { hasText: 'PNG' }).click()]);
    const png = await readFile((await dl.path())!);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.equal(png.readUInt32BE(16), 1800); // 900 CSS px at 2x
    ui.assertClean();
  });
});
