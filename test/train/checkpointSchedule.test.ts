import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCheckpointSchedule, checkpointSteps, parseCheckpointSchedule } from '../../src/train/checkpointSchedule.js';

test('log:N gives N log-spaced steps from 0 to the last, every:K every K steps with the last', () => {
  const log = checkpointSteps(parseCheckpointSchedule('log:5'), 9999);
  assert.deepEqual(log, [0, 9, 99, 999, 9999]);
  const many = checkpointSteps(parseCheckpointSchedule('log:40'), 25000);
  assert.equal(many.length, 40);
  assert.equal(many[0], 0);
  assert.equal(many.at(-1), 25000);
  for (let i = 1; i < many.length; i++) assert.ok(many[i]! > many[i - 1]!);
  // In a short run steps collide and are kept once.
  assert.deepEqual(checkpointSteps(parseCheckpointSchedule('log:20'), 3), [0, 1, 2, 3]);
  assert.deepEqual(checkpointSteps(parseCheckpointSchedule('every:4'), 10), [0, 4, 8, 10]);
});

test('a bad schedule says what was expected', () => {
  for (const bad of ['log', 'log:1', 'every:0', 'log:x', 'sometimes:3', 'log:5:6']) {
    assert.throws(() => parseCheckpointSchedule(bad), /log:N|must be|every:K/, bad);
  }
  assert.deepEqual(checkCheckpointSchedule({ kind: 'every', interval: 3 }, 'x'), { kind: 'every', interval: 3 });
  assert.throws(() => checkCheckpointSchedule({ kind: 'log', count: 1 }, 'run.json'), /log:1/);
  assert.throws(() => checkCheckpointSchedule('log:3', 'run.json preset.train.keepCheckpoints'), /run.json preset.train.keepCheckpoints: expected/);
});
