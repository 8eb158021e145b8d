import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAdditionJSON } from '../../../src/ui/report/addition.js';
import { InputError } from '../../../src/engine/errors.js';
import { digitAttentionFromPattern } from '../../../src/analysis/addition/attention.js';

// A 1-digit pattern (BOS d + e = A1 A0, 6 positions): one head, from A1's predictor (4) all on D0 (1), from A0's
// predictor (5) half on D0 and half on D'0 (3).
const pattern = { dtype: 'float32' as const, shape: [1, 1, 6, 6], data: new Float32Array(36) };
pattern.data[4 * 6 + 1] = 1;
pattern.data[5 * 6 + 1] = 0.5;
pattern.data[5 * 6 + 3] = 0.5;
const attention = digitAttentionFromPattern(pattern, 1);

test('report --addition reads reproduce --suite addition --json (or the bare analysis): the tables and the claims', () => {
  const claims = [{ claim: 'c', measured: '0.9', holds: true }];
  const r = parseAdditionJSON(JSON.stringify({ claims, data: [], analysis: { attention } }), 'a.json');
  assert.deepEqual(r, { layer: 0, problems: 1, rowLabels: ['A1', 'A0'], colLabels: ['D0', "D'0"], table: [[[1, 0], [0.5, 0.5]]], claims });
  assert.deepEqual(parseAdditionJSON(JSON.stringify({ attention }), 'b.json').claims, []);
});

test('and a file that is not that output is a one-line error naming it', () => {
  const bad = (text: string, message: RegExp) => assert.throws(() => parseAdditionJSON(text, 'x.json'), (e: Error) => e instanceof InputError && message.test(e.message) && !e.message.includes('\n'));
  bad('{', /^x\.json: not JSON; expected the output of circuitscope reproduce --suite addition --json$/);
  bad('[1]', /^x\.json: expected a JSON object/);
  bad('{"claims": []}', /^x\.json: no "attention" field/);
  bad(JSON.stringify({ claims: [], seeds: [{ attention }, { attention }] }), /^x\.json: holds 2 seeds \(reproduce --seeds\); the report shows one run: give the output of circuitscope reproduce --suite addition --models RUN --json$/);
  bad(JSON.stringify({ attention: { ...attention, rows: [{ label: 1 }] } }), /attention\.rows and attention\.columns must be arrays of \{ label \}/);
  bad(JSON.stringify({ attention: { ...attention, table: [[[1, 0]]] } }), /attention\.table must be \[head\]\[2 answer digits\]\[2 operand digits\] numbers/);
});
