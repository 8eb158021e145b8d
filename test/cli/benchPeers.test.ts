import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPeer, runPeers } from '../../src/cli/bench/peer.js';

test('bench peers: a workload runs its own peer script, the others torch_peer.py, one process per script', { skip: existsSync('/usr/bin/python3') ? false : 'no /usr/bin/python3' }, () => {
  assert.ok(repoPeer('eap_peer.py')?.endsWith(join('scripts', 'peer', 'eap_peer.py')));
  assert.equal(repoPeer('nope.py'), null);
  const dir = mkdtempSync(join(tmpdir(), 'bench-peers-'));
  try {
    // A stand-in for torch_peer.py: one line per workload, naming the process that ran it.
    const fake = join(dir, 'fake_peer.py');
    writeFileSync(fake, 'import json, os, sys\nfor w in sys.argv[1:]:\n    print(json.dumps({"workload": w, "config": str(os.getpid()), "ms": 1.0, "tokens_per_s": None}))\n');
    const { results, problems } = runPeers([{ name: 'toy-train' }, { name: 'gpt2-cache' }, { name: 'gpt2-eap', peerScript: 'nope.py' }], fake);
    assert.deepEqual(results.map((r) => r.workload), ['toy-train', 'gpt2-cache']);
    assert.equal(results[0]!.config, results[1]!.config, 'one process for both workloads of one script');
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /no peer script scripts\/peer\/nope\.py for gpt2-eap/);
    const none = runPeers([{ name: 'toy-train' }], null);
    assert.deepEqual(none.results, []);
    assert.match(none.problems[0]!, /no PyTorch peer found for toy-train \(pass --peer PATH\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
