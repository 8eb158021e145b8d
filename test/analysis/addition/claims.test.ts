import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAdditionClaims } from '../../../src/analysis/addition/claims.js';
import type { AdditionAnalysis } from '../../../src/analysis/addition/analyze.js';
import type { DigitCarryAccuracy, DigitTally } from '../../../src/analysis/addition/carries.js';
import { pairReads } from '../../../src/analysis/addition/pairs.js';
import type { DigitAttention } from '../../../src/analysis/addition/attention.js';

const t = (count: number, correct: number): DigitTally => ({ count, correct, accuracy: correct / count });
const carries = (none: DigitTally, make: DigitTally, cascade: DigitTally): DigitCarryAccuracy => ({ none, make, cascade, byDepth: { 1: cascade } });

/**
 * 2-digit attention: H0 on pair i (A2: none), H1 on pair i - 1, as `own` and `below` shares; at A0, where there is
 * no pair below, H1 puts `up` on pair 1, the pair above (outside A0's stream).
 */
function attention(own: number, below: number, up: number): DigitAttention {
  const pair = [0, 1].map((h) => [0, 1, 2].map((i) => [0, 1].map((j) => (h === 0 ? (j === i ? own : 0) : i === 0 ? (j === 1 ? up : 0) : j === i - 1 ? below : 0))));
  return { digits: 2, layer: 0, problems: 1, columns: [], rows: [], table: [], pair };
}

function analysis(o: { accuracy?: number; own?: number; below?: number; up?: number; ablatedNone?: number; ablatedCarry?: number; cascade?: number } = {}): AdditionAnalysis {
  const att = attention(o.own ?? 0.99, o.below ?? 0.9, o.up ?? 0.2);
  const clean = carries(t(1000, 999), t(800, 799), t(100, o.cascade ?? 90));
  return {
    digits: 2, model: { n_layers: 1, n_heads: 2, d_model: 8 },
    accuracy: { digits: 2, count: 1000, accuracy: o.accuracy ?? 0.995, loss: 0.01, perDigit: [1, 1, 1], byCase: { none: { count: 1, accuracy: 1 }, simple: { count: 1, accuracy: 1 }, cascade: { count: 1, accuracy: 0.9 } } },
    carries: clean, deepCascades: null, attention: att, reads: pairReads(att, 0.5),
    carryAblation: { offset: 1, heads: [0, 1], kind: 'mean', meanOf: 'no-carry', clean, ablated: carries(t(1000, o.ablatedNone ?? 1000), t(800, o.ablatedCarry ?? 0), t(100, 0)) },
  };
}

test('the addition claims hold on a model that does what Quirke and Barez find, each with its number', () => {
  const claims = checkAdditionClaims(analysis());
  assert.equal(claims.length, 6);
  assert.deepEqual(claims.map((c) => c.holds), [true, true, true, true, true, true]);
  assert.match(claims[0]!.measured, /^0\.995 exact match on 1000 held-out sums/);
  assert.equal(claims[1]!.measured, 'A0: H0 0.990, A1: H0 0.990');
  assert.equal(claims[2]!.measured, 'A1: H1 0.900, A2: H1 0.900');
  // H0 at A0 and A1 (all on its own pair), H1 at A1 and A2: every share 1; H1 at A0 (0.2 on operands) is left out.
  assert.equal(claims[3]!.measured, 'lowest share 1.000 (A0, H0, which puts 0.990 of its attention on operands); per head, the pair offsets i - j read: H0 [0,0,null], H1 [null,1,1]');
  assert.match(claims[4]!.measured, /no carry-in 0\.999 -> 1\.000 \(1000\/1000\); carry-in 0\.988 -> 0\.000 \(0\/900\)/);
  // Cascading errors 10/100 = 0.1 vs 2/1800: 90x.
  assert.match(claims[5]!.measured, /cascading 0\.900 \(90\/100\), other digits 0\.999 \(1798\/1800\); error rate 0\.100 vs 0\.001 \(90\.000x\)/);
});

test('and each fails when its finding is missing', () => {
  const fails = (o: Parameters<typeof analysis>[0]) => checkAdditionClaims(analysis(o)).map((c, i) => (c.holds ? -1 : i)).filter((i) => i >= 0);
  assert.deepEqual(fails({ accuracy: 0.98 }), [0]);
  assert.deepEqual(fails({ own: 0.4 }), [1]); // no head reads the own pair
  assert.deepEqual(fails({ below: 0.3 }), [2]);
  assert.deepEqual(fails({ up: 0.6 }), [3]); // at A0, H1 reads the pair above: not A0's stream
  assert.deepEqual(fails({ ablatedNone: 900 }), [4]); // the ablation breaks digits without a carry too
  assert.deepEqual(fails({ ablatedCarry: 400 }), [4]); // or leaves carried digits right
  assert.deepEqual(fails({ cascade: 100 }), [5]); // no cascading error at all
  assert.deepEqual(fails({ cascade: 100 - 0.5 }), [5]); // 0.5% cascading errors against 0.11%: under 5x
});
