import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BenchResult } from './timing.js';

/** Where the PyTorch peer lives: `--peer PATH`, else ../shared/peer/torch_peer.py beside the checkout. */
export function findPeer(explicit?: string): string | null {
  const p = resolve(explicit ?? '../shared/peer/torch_peer.py');
  return existsSync(p) ? p : null;
}

/** Runs the PyTorch peer on the given workloads (its own process, so it never shares threads with us). */
export function runPeer(path: string, workloads: readonly string[]): BenchResult[] | string {
  const r = spawnSync('/usr/bin/python3', [path, ...workloads], { encoding: 'utf8', timeout: 30 * 60 * 1000 });
  if (r.status !== 0) return `the PyTorch peer failed (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); its header says how to set it up`;
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as BenchResult);
}
