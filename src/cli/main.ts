import { installNodeRuntime, nativeRuntime } from '../io/nodeRuntime.js';
import { benchCommand } from './commands/bench.js';
import { trainCommand } from './commands/train.js';
import { analyzeCommand } from './commands/analyze.js';
import { reproduceCommand } from './commands/reproduce.js';
import { reportCommand } from './commands/report.js';
import { discoverCommand } from './commands/discover.js';
import { serveCommand } from './commands/serve.js';
import { siteCommand } from './commands/site.js';
import { tourCommand } from './commands/tour.js';
import { llcCommand } from './commands/llc.js';
import { parityCommand } from './commands/parity.js';
import { UsageError } from './errors.js';
import { describeFailure, packageVersion } from './failure.js';

const HELP = `circuitscope: mechanistic interpretability of transformers, in TypeScript

Usage: circuitscope <command> [options]   (circuitscope <command> --help for each; circuitscope --version)

Commands:
  tour        the main job: train the framework's 0/1/2-layer models, check its claims, then show them in the UI
  serve       the UI for one or more model directories, on 127.0.0.1
  site        the whole UI as a static site (drop a model folder, or train one in the page)
  reproduce   train 0-, 1- and 2-layer attention-only models and check the framework's claims on them
  train       train a toy model (attn-only-0l/1l/2l, gelu-1l/2l) on the embedded corpus or your text
  analyze     the framework's analyses of a model directory (summary, or --json)
  report      one self-contained HTML file with a model's figures (opens from disk, no network)
  discover    find the circuit behind a task (attribution patching, EAP, EAP-IG, ACDC)
  llc         the local learning coefficient at every checkpoint of a run and its stages (SGLD, as devinterp)
  parity      compare a model's logits with reference logits (e.g. from Hugging Face transformers)
  bench       benchmark workloads, side by side with the PyTorch peer`;

type Command = (argv: string[]) => Promise<number>;
const COMMANDS: Readonly<Record<string, Command>> = { bench: benchCommand, train: trainCommand, analyze: analyzeCommand, reproduce: reproduceCommand, report: reportCommand, serve: serveCommand, site: siteCommand, tour: tourCommand, discover: discoverCommand, llc: llcCommand, parity: parityCommand };

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(HELP);
    return cmd ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
    console.log(await packageVersion());
    return 0;
  }
  const run = COMMANDS[cmd];
  if (!run) throw new UsageError(`unknown command ${cmd} (try circuitscope --help)`);
  installNodeRuntime();
  if (!nativeRuntime) console.error('note: onnxruntime-node is not installed, so this runs on onnxruntime-web\'s WebAssembly kernels (slower); see the README, Troubleshooting');
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const { line, code } = describeFailure(err, process.argv[2]);
    console.error(line);
    process.exit(code);
  },
);
