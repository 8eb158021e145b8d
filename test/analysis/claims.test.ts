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
