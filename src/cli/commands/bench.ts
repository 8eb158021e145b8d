import { numberOption, parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { benchGpt2Cache } from '../bench/gpt2Cache.js';
import { benchMatmul } from '../bench/matmul.js';
import { benchToyTrain } from '../bench/toyTrain.js';
import { benchGpt2Circuits } from '../bench/gpt2Circuits.js';
import { findPeer, runPeers } from '../bench/peer.js';
import { benchGpt2Eap } from '../bench/gpt2Eap.js';
import { onWebRuntime, webRatio } from '../bench/web.js';
import type { BenchResult } from '../bench/timing.js';

/** Workloads by name. Peer-comparable ones are those the PyTorch peer also runs (DESIGN.md, "Performance"). */
const WORKLOADS: Record<string, { run: () => Promise<BenchResult>; peer: boolean; peerScript?: string }> = {
  matmul: { run: () => benchMatmul(), peer: false },
  'toy-train': { run: () => benchToyTrain(), peer: true },
  'gpt2-cache': { run: () => benchGpt2Cache(), peer: true },
  'gpt2-circuits': { run: () => benchGpt2Circuits(), peer: true },
  'gpt2-eap': { run: () => benchGpt2Eap(), peer: true, peerScript: 'eap_peer.py' },
};

export function registerWorkload(name: string, run: () => Promise<BenchResult>, peer: boolean): void {
  WORKLOADS[name] = { run, peer };
}

export const BENCH_HELP = `circuitscope bench [WORKLOAD...] [--peer [PATH] | --no-peer] [--runtime web [--threads N]]

Runs the benchmark workloads of DESIGN.md and prints one JSON line each (workload, config, ms, tokens_per_s).
With the PyTorch peer (../shared/peer/torch_peer.py, found automatically), runs it on the same workloads in the
same run and prints the speed ratio (ours / peer; above 1 is faster than PyTorch). gpt2-eap's peer is this
repository's scripts/peer/eap_peer.py (edge attribution patching over every edge of GPT-2 small's shapes, 8 prompts
of 64 tokens, done the standard PyTorch way: hooks, one backward pass); \`bench gpt2-eap\` runs the two back to back.
--runtime web also runs each workload on onnxruntime-web's WebAssembly backend (its Node build, --threads N,
default 2) right after the native run, and prints web / native (the browser's own numbers: scripts/bench-browser.mjs).
Workloads: ${'${list}'}`;

export async function benchCommand(argv: string[]): Promise<number> {
  // `--peer` with no PATH (as the help writes it, `--peer [PATH]`): the peer at its usual place, required.
  const args = argv.map((a, i) => (a === '--peer' && (i === argv.length - 1 || argv[i + 1]!.startsWith('-') || argv[i + 1]! in WORKLOADS) ? '--peer=' : a));
  const { values, positionals } = parseCommandArgs('bench', {
    args,
    options: {
      peer: { type: 'string' }, 'no-peer': { type: 'boolean' }, runtime: { type: 'string' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(BENCH_HELP.replace('${list}', Object.keys(WORKLOADS).join(', ')));
    return 0;
  }
  const names = positionals.length > 0 ? positionals : Object.keys(WORKLOADS);
  for (const n of names) {
    if (!WORKLOADS[n]) throw new UsageError(`bench: unknown workload ${n} (expected one of ${Object.keys(WORKLOADS).join(', ')})`);
  }
  if (values.runtime !== undefined && values.runtime !== 'web') throw new UsageError(`bench: --runtime expects web, got ${values.runtime}`);
  const threads = numberOption('bench', 'threads', values.threads, { integer: true, min: 1, max: 256 }) ?? 2;
  if (values.peer !== undefined && values['no-peer']) throw new UsageError('bench: --peer and --no-peer contradict each other');
  // An asked-for peer that is not there is said before any work, not after minutes of benchmarks.
  if (values.peer !== undefined && !findPeer(values.peer || undefined)) {
    throw new UsageError(`bench: --peer ${values.peer || '(default ../shared/peer/torch_peer.py)'}: no such file; give the path of torch_peer.py`);
  }
  const ours: BenchResult[] = [];
  for (const n of names) {
    const r = await WORKLOADS[n]!.run();
    ours.push(r);
    console.log(JSON.stringify(r));
    if (values.runtime === 'web') {
      const w = await onWebRuntime(WORKLOADS[n]!.run, threads);
      console.log(JSON.stringify(w));
      console.log(JSON.stringify(webRatio(r, w)));
    }
  }
  const peerNames = names.filter((n) => WORKLOADS[n]!.peer);
  if (values['no-peer'] || peerNames.length === 0) return 0;
  const { results: peer, problems } = runPeers(peerNames.map((n) => ({ name: n, peerScript: WORKLOADS[n]!.peerScript })), findPeer(values.peer || undefined));
  for (const p of problems) console.error(`bench: ${p}; printed our numbers only`);
  for (const p of peer) {
    const o = ours.find((r) => r.workload === p.workload);
    if (!o) continue;
    console.log(JSON.stringify({ workload: p.workload, peer: 'pytorch', peer_ms: p.ms, ms: o.ms, speedup: p.ms / o.ms }));
  }
  return 0;
}
