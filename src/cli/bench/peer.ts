import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './timing.js';

/** Where the PyTorch peer lives: `--peer PATH`, else ../shared/peer/torch_peer.py beside the checkout. */
export function findPeer(explicit?: string): string | null {
  const p = resolve(explicit ?? '../shared/peer/torch_peer.py');
  return existsSync(p) ? p : null;
}

/** A peer script of this repository (`scripts/peer/NAME`, beside `src/` and `dist/` in a clone), or null when absent. */
export function repoPeer(name: string): string | null {
  const p = fileURLToPath(new URL(`../../../scripts/peer/${name}`, import.meta.url));
  return existsSync(p) ? p : null;
}

/** Runs a PyTorch peer script on the given workloads (its own process, so it never shares threads with us). */
export function runPeer(path: string, workloads: readonly string[]): BenchResult[] | string {
  const r = spawnSync('/usr/bin/python3', [path, ...workloads], { encoding: 'utf8', timeout: 30 * 60 * 1000 });
  if (r.status !== 0) return `the PyTorch peer failed (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); its header says how to set it up`;
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as BenchResult);
}

/** A workload the peer runs: by torch_peer.py, or by the repository's own peer script it names. */
export interface PeerWorkload {
  name: string;
  /** A script under scripts/peer/ (e.g. `eap_peer.py`); torch_peer.py when absent. */
  peerScript?: string;
}

/**
 * Runs every workload's peer, one process per script, in the workloads' order of scripts. `torchPeer` is
 * torch_peer.py's path (null when not found). Returns the peers' result lines and what could not be run.
 */
export function runPeers(workloads: readonly PeerWorkload[], torchPeer: string | null): { results: BenchResult[]; problems: string[] } {
  const byScript = new Map<string, string[]>();
  const problems: string[] = [];
  for (const w of workloads) {
    const path = w.peerScript ? repoPeer(w.peerScript) : torchPeer;
    if (!path) {
      problems.push(w.peerScript ? `no peer script scripts/peer/${w.peerScript} for ${w.name} (it ships in a clone, not the package)` : `no PyTorch peer found for ${w.name} (pass --peer PATH)`);
      continue;
    }
    byScript.set(path, [...(byScript.get(path) ?? []), w.name]);
  }
  const results: BenchResult[] = [];
  for (const [path, names] of byScript) {
    const r = runPeer(path, names);
    if (typeof r === 'string') problems.push(r);
    else results.push(...r);
  }
  return { results, problems };
}
