import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClaims } from '../../src/analysis/claims.js';
import { ANALYSIS_SCHEMA, type AnalysisReport } from '../../src/analysis/analyzeModel.js';

test('checkClaims on reports that lack sections: every claim fails with its reason, none throws', () => {
  const report = (layers: number): AnalysisReport => ({ schema: ANALYSIS_SCHEMA, model: { name: `${layers}l`, n_layers: layers, n_heads: 2, d_model: 8, d_vocab: 12, n_ctx: 8, attn_only: true } });
  const claims = checkClaims(report(0), report(1), report(2));
  assert.ok(claims.length >= 5);
  const k = claims.find((c) => c.claim.includes('K-composes'));
  assert.ok(k, 'the K-composition claim is there');
  assert.equal(k.holds, false);
  assert.equal(k.measured, 'no K-composition scores in the two-layer report');
});

/** A two-layer report with 2 heads per layer: L0H1 is the previous-token head, L1H0 the induction head. */
function twoLayer(k: number[][], adds: { head: number; virtual: number }): AnalysisReport {
  return {
    schema: ANALYSIS_SCHEMA,
    model: { name: '2l', n_layers: 2, n_heads: 2, d_model: 8, d_vocab: 12, n_ctx: 8, attn_only: true },
    detectors: {
      induction: [[0, 0], [0.9, 0.2]], previousToken: [[0.1, 0.95], [0, 0]], duplicateToken: [[0, 0], [0, 0]],
    },
    composition: { scores: { q: k, k, v: k }, baseline: { q: 0.1, k: 0.1, v: 0.1 } },
    // What each order of terms adds (the loss with the direct path alone, + single heads, + virtual heads); the
    // removals by kind are deliberately equal, so a claim that read them would fail.
    termImportance: {
      loss: 2, expansionLoss: 2, terms: [], byKind: { direct: 0.5, head: 5, virtual: 5 },
      byOrder: { direct: 2 + adds.head + adds.virtual, head: 2 + adds.virtual, virtual: 2 },
    },
  } as unknown as AnalysisReport;
}

test('the K-composition claim asks which layer-0 head the induction head K-composes with most', () => {
  // Flat head index: L0H0 0, L0H1 1, L1H0 2, L1H1 3. The strongest pair overall is L0H0 -> L1H1 (0.5), but into the
  // induction head L1H0 the previous-token head L0H1 leads (0.3 vs 0.2): the paper's claim holds.
  const k = [[0, 0, 0.2, 0.5], [0, 0, 0.3, 0.1], [0, 0, 0, 0], [0, 0, 0, 0]];
  const claim = (kk: number[][]) => checkClaims(twoLayer([], { head: 1, virtual: 0.1 }), twoLayer([], { head: 1, virtual: 0.1 }), twoLayer(kk, { head: 1, virtual: 0.1 }))
    .find((c) => c.claim.includes('K-composes'))!;
  assert.equal(claim(k).holds, true, claim(k).measured);
  assert.match(claim(k).measured, /L0H0 0\.200, L0H1 0\.300/);
  // L0H0 leads into the induction head: fails
  assert.equal(claim([[0, 0, 0.4, 0], [0, 0, 0.3, 0], [0, 0, 0, 0], [0, 0, 0, 0]]).holds, false);
  // the previous-token head leads but not above the random baseline (0.1): fails
  assert.equal(claim([[0, 0, 0.05, 0], [0, 0, 0.08, 0], [0, 0, 0, 0], [0, 0, 0, 0]]).holds, false);
});

test('with two previous-token heads (both >= 0.3) the induction head may K-compose most with either, not with another head', () => {
  const k = [[0, 0, 0.4, 0], [0, 0, 0.3, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
  const report = (prev0: number) => {
    const r = twoLayer(k, { head: 1, virtual: 0.1 });
    r.detectors!.previousToken = [[prev0, 0.95], [0, 0]];
    return r;
  };
  const claim = (prev0: number) => checkClaims(report(prev0), report(prev0), report(prev0)).find((c) => c.claim.includes('K-composes'))!;
  // L0H0 (0.4) leads into L1H0 and scores 0.6 as a previous-token head, below L0H1's 0.95: a previous-token head all the same.
  assert.equal(claim(0.6).holds, true, claim(0.6).measured);
  assert.match(claim(0.6).measured, /previous-token heads L0H0, L0H1$/);
  // At 0.2 it is no previous-token head: the claim fails.
  assert.equal(claim(0.2).holds, false);
  assert.match(claim(0.2).measured, /previous-token head L0H1$/);
});

test('the virtual-head claim compares what every virtual head adds with what every single head adds, order by order', () => {
  const k = [[0, 0, 0.2, 0.5], [0, 0, 0.3, 0.1], [0, 0, 0, 0], [0, 0, 0, 0]];
  const claim = (adds: { head: number; virtual: number }) => checkClaims(twoLayer(k, adds), twoLayer(k, adds), twoLayer(k, adds))
    .find((c) => c.claim.includes('virtual heads'))!;
  assert.equal(claim({ head: 1, virtual: 0.2 }).holds, true);
  assert.match(claim({ head: 1, virtual: 0.2 }).measured, /direct path alone 3\.200 nats, \+ single heads 2\.200 \(-1\.000\), \+ virtual heads 2\.000 \(-0\.200; ratio 0\.200\)/);
  assert.match(claim({ head: 1, virtual: 0.2 }).measured, /all virtual \+5\.000, all single \+5\.000/);
  assert.equal(claim({ head: 1, virtual: 0.3 }).holds, false);
  assert.equal(claim({ head: 0.56, virtual: 0.77 }).holds, false);
  assert.equal(claim({ head: -0.1, virtual: -0.5 }).holds, false, 'single heads that do not lower the loss');
});
