import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installNodeRuntime } from '../../../src/io/nodeRuntime.js';
import { EdgeRunner, inductionTask } from '../../../src/analysis/discovery/index.js';
import { smallGpt2 } from './smallModel.js';

installNodeRuntime();

const PYTHON = '/usr/bin/python3';
const PEER = join(import.meta.dirname, '../../../scripts/peer/eap_peer.py');

/** A message when Debian's python3 has no torch (outside CI); under CI=true the peer must be there. */
function torchSkip(): string | false {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.status === 0) return false;
  if (process.env['CI'] === 'true') throw new Error(`peer test: ${PYTHON} cannot import torch under CI (apt-get install python3-torch)`);
  return `peer test skipped: ${PYTHON} has no torch (apt-get install python3-torch libopenblas0-pthread)`;
}

test('the PyTorch peer (scripts/peer/eap_peer.py --check) gives our EAP scores on the same weights and prompts', { skip: torchSkip() }, async () => {
  const model = smallGpt2();
  const task = inductionTask(model.cfg, { batch: 3, length: 6, seed: 5 });
  const runner = new EdgeRunner(model, task);
  const ours = await runner.edgeGradScores('logit_diff', 1);
  const dir = mkdtempSync(join(tmpdir(), 'eap-peer-'));
  try {
    const { n_layers, d_model, n_heads, d_head, d_mlp, d_vocab, n_ctx, eps } = model.cfg;
    const weights = Object.fromEntries(Object.entries(model.weights).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.data) }]));
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify({
      cfg: { n_layers, d_model, n_heads, d_head, d_mlp, d_vocab, n_ctx, eps }, weights, clean: task.clean, corrupt: task.corrupt, targets: task.targets,
    }));
    const r = spawnSync(PYTHON, [PEER, '--check', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const peer = JSON.parse(r.stdout) as { scores: number[][]; value: number; fan_in: number[] };
    assert.ok(Math.abs(peer.value - ours.value) < 1e-4, `metric: peer ${peer.value}, ours ${ours.value}`);
    assert.deepEqual(peer.fan_in, runner.graph.groups.map((g) => g.fanIn));
    assert.equal(peer.scores.length, runner.nR);
    let largest = 0;
    runner.graph.readers.forEach((reader, r) => {
      runner.graph.writers.forEach((writer, w) => {
        const a = ours.scores[r * runner.nW + w]!;
        const b = peer.scores[r]![w]!;
        largest = Math.max(largest, Math.abs(b));
        assert.ok(Math.abs(a - b) < 1e-4 + 1e-3 * Math.abs(b), `${writer}->${reader}: ours ${a}, peer ${b}`);
      });
    });
    assert.ok(largest > 0.05, `the comparison needs edges that matter (largest ${largest})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
