import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, openComponentPage, rng, type ComponentPage } from '../../../../test/ui/harness.js';

describe('TextNeuronActivations in chromium', { skip: browserSkip() }, () => {
  let ui: ComponentPage;
  before(async () => { ui = await openComponentPage(); });
  after(async () => { await ui?.close(); });

  const tokens = ['<bos>', 'The', ' cat', ' sat', ' on', ' the', ' mat'];
  const r = rng(5);
  // [pos][layer][neuron]: 2 layers of 6 neurons; layer 1 neuron 4 fires on " cat".
  const acts = tokens.map((t) => [0, 1].map((l) => Array.from({ length: 6 }, (_, k) => (l === 1 && k === 4 && t === ' cat' ? 9 : Math.round((r() * 2 - 1) * 100) / 100 + 0))));  // + 0: no -0

  test('pickers choose the layer and neuron; tokens are coloured by that neuron; the most active neuron is one click away', async () => {
    const el = await ui.mount('TextNeuronActivations', { tokens, activations: acts, neuronIds: [[10, 11, 12, 13, 14, 15], [20, 21, 22, 23, 24, 25]] });
    const shown = () => el.locator('.cs-tokens .cs-token').evaluateAll((ts) => ts.map((t) => Number(t.getAttribute('data-value'))));
    assert.deepEqual(await shown(), acts.map((p) => p[0]![0]));
    await el.locator('select.cs-layer').selectOption('1');
    // Layer 1's most active neuron is #24 (index 4), listed first.
    assert.equal(await el.locator('.cs-top-neuron').first().getAttribute('data-neuron'), '24');
    await el.locator('.cs-top-neuron').first().click();
    assert.deepEqual(await shown(), acts.map((p) => p[1]![4]));
    assert.equal(await el.locator('.cs-subtitle').textContent(), 'L1 neuron 24');
    await el.locator('.cs-token[data-index="2"]').hover();
    assert.equal(Number(await el.locator('.cs-tooltip .cs-tt-value').textContent()), 9);
    await el.locator('select.cs-neuron').selectOption({ label: '22' });
    assert.deepEqual(await shown(), acts.map((p) => p[1]![2]));
    await ui.screenshot('TextNeuronActivations');
    ui.assertClean();
  });
});
