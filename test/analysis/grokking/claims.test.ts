import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGrokkingClaims, type GrokkingSeries } from '../../../src/analysis/grokking/claims.js';

/** Synthetic progress measures shaped as the paper's: memorise by 100, circuits form, grok at 1000, clean up. */
function synthetic(): GrokkingSeries & { series: Record<string, number[]> } {
  const steps = [0, 50, 100, 200, 400, 600, 800, 1000, 1200, 1500];
  return {
    steps,
    series: {
      train_accuracy: [0.01, 0.6, 1, 1, 1, 1, 1, 1, 1, 1],
      test_accuracy: [0.01, 0.02, 0.05, 0.05, 0.1, 0.3, 0.8, 0.995, 1, 1],
      test_loss: [4.6, 6, 8, 8, 7.5, 6, 2, 0.3, 0.05, 0.02],
      restricted_loss: [4.6, 4, 3, 2, 1, 0.4, 0.1, 0.05, 0.02, 0.01],
      excluded_loss: [4.6, 2, 0.5, 1, 2, 3, 4, 5, 6, 6],
      sum_squared_weights: [1000, 1500, 2000, 1800, 1500, 1200, 900, 700, 600, 580],
    },
    keyFrequencies: [4, 11, 14, 26, 35],
    frequencyShares: { embedding: Array.from({ length: 56 }, (_, i) => ([4, 11, 14, 26, 35].includes(i + 1) ? 0.18 : 0.1 / 51)) },
  };
}

test('every grokking claim holds on series shaped like the paper\'s, with the numbers behind them', () => {
  const claims = checkGrokkingClaims(synthetic());
  assert.equal(claims.length, 5);
  for (const c of claims) assert.ok(c.holds, `${c.claim}: ${c.measured}`);
  assert.match(claims[0]!.measured, /train at step 100, test at step 1000: a gap of 900 steps/);
  assert.match(claims[2]!.measured, /restricted loss at step 600, test loss at step 1000/);
  assert.match(claims[3]!.measured, /0\.500 at memorisation \(step 100\), 4\.000 at step 800 where test loss is 2\.000/);
  assert.match(claims[4]!.measured, /2000\.000 at step 100, 700\.000 at step 1000/);
});

test('each claim fails when its series says otherwise', () => {
  const check = (edit: (g: ReturnType<typeof synthetic>) => void, index: number) => {
    const g = synthetic();
    edit(g);
    const c = checkGrokkingClaims(g)[index]!;
    assert.equal(c.holds, false, `${c.claim} should fail: ${c.measured}`);
  };
  check((g) => { g.series['test_accuracy'] = [0.01, 0.5, 0.995, 1, 1, 1, 1, 1, 1, 1]; }, 0); // generalises at once
  check((g) => { g.series['test_accuracy'] = g.series['test_accuracy']!.map((v) => Math.min(v, 0.9)); }, 0); // never groks
  check((g) => { g.frequencyShares = { embedding: Array.from({ length: 56 }, () => 1 / 56) }; }, 1); // spread out
  check((g) => { g.keyFrequencies = Array.from({ length: 12 }, (_, i) => i + 1); }, 1); // too many key frequencies
  check((g) => { g.series['restricted_loss'] = g.series['test_loss']!.slice(); }, 2); // falls with test loss, not before
  check((g) => { g.series['excluded_loss'] = [4.6, 2, 0.5, 0.4, 0.4, 0.3, 0.3, 0.3, 0.3, 0.3]; }, 3); // never rises
  check((g) => { g.series['sum_squared_weights'] = [1000, 1500, 2000, 2100, 2200, 2300, 2400, 2500, 2600, 2700]; }, 4);
});
