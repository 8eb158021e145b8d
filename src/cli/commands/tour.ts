import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { getPreset } from '../../train/presets.js';
import { ensureFrameworkRuns, frameworkClaims, FRAMEWORK_PRESETS, printClaims } from '../frameworkRuns.js';
import { parsePort, serveModels, untilInterrupted } from '../serving.js';

export const TOUR_HELP = `circuitscope tour [--out DIR] [--model DIR] [--port N] [--no-serve]

The main job on a fresh machine: trains (or reuses) the zero-, one- and two-layer attention-only models of "A
Mathematical Framework for Transformer Circuits" on the embedded Brown corpus, checks the paper's claims on them
(as reproduce does), then serves the UI with all three and prints the URL and what to look at first.
  --out DIR     where the runs go (default runs/reproduce, shared with reproduce)
  --model DIR   tour this model directory instead (no training)
  --port N      the UI's port (default: any free one)
  --no-serve    stop after the claims`;

export async function tourCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' }, model: { type: 'string', multiple: true }, port: { type: 'string' }, 'no-serve': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(TOUR_HELP);
    return 0;
  }
  const port = parsePort(values.port);
  let dirs: string[];
  let claimsCode = 0;
  if (values.model) {
    dirs = values.model;
  } else {
    const steps = FRAMEWORK_PRESETS.map((n) => `${n} ${getPreset(n).train.steps} steps`).join(', ');
    console.log(`circuitscope tour: the framework's three toy models (${steps}).\nBudget: about 8 minutes of training on two cores the first time; later tours reuse the runs in ${values.out ?? join('runs', 'reproduce')}.\n`);
    const runs = await ensureFrameworkRuns(values.out ?? join('runs', 'reproduce'));
    if ('code' in runs) return runs.code;
    dirs = runs.dirs;
    const { claims } = await frameworkClaims(dirs);
    printClaims(claims, runs.seen);
    claimsCode = claims.every((c) => c.holds) ? 0 : 1;
  }
  if (values['no-serve']) return claimsCode;
  const server = await serveModels(dirs, port !== undefined ? { port } : {});
  const two = server.models.length === 3 ? server.models[2]! : server.models[0]!;
  console.log(`
What to look at first:
  ${server.url}#/heads?model=${two.id}      the two-layer model's heads: an induction head in layer 1 (click it)
  ${server.url}#/model?model=${two.id}      its training curves: the induction score's phase change
  ${server.url}#/attention?model=${two.id}  attention on a repeated sentence: layer 1 looks one token past the earlier copy
  ${server.url}#/circuits?model=${server.models[0]!.id}     the zero- and one-layer models' circuits: bigrams and skip-trigrams
Ctrl-C stops the server.`);
  return untilInterrupted(server);
}
