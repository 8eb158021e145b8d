// Every op with a gradient rule has a finite-difference check: the registry (every op the library defines,
// loaded through its entry point) against the lists in gradCoverage.ts, whose claims each grad test file checks
// against the ops its gradchecks actually went through (assertGradchecked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/index.js';
import { differentiableOps } from '../../src/engine/graph.js';
import { GRADCHECKED } from './gradCoverage.js';

const listed = new Set<string>(Object.values(GRADCHECKED).flat());

test('every op with a gradient rule has a finite-difference check', () => {
  const unchecked = differentiableOps().filter((op) => !listed.has(op));
  assert.deepEqual(unchecked, [], 'ops with a vjp and no gradcheck: add one to a test/engine/grad-*.test.ts and list the op in gradCoverage.ts');
});

test('gradCoverage.ts lists only ops that exist and have a gradient rule', () => {
  const ops = new Set(differentiableOps());
  assert.deepEqual([...listed].filter((op) => !ops.has(op)), []);
});

test('the registry is loaded (the check above is not vacuous)', () => {
  for (const op of ['add', 'matmul', 'softmaxCrossEntropy', 'gather']) assert.ok(differentiableOps().includes(op), op);
});
