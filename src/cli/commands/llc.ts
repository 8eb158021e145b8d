import { basename, dirname, resolve } from 'node:path';
import { LLC_DEFAULTS, defaultNbeta, type LLCOverTraining } from '../../analysis/llc/index.js';
import { llcOverTrainingRun } from '../../io/llcRun.js';
import { writeFilesAtomically } from '../../io/modelDir.js';
import { checkOutputFile } from '../../io/outputPath.js';
import { numberOption, parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';

const CLI_DEFAULTS = { chains: 4, draws: 100, burnin: 200, batchSize: 8, batches: 64 };

export const LLC_HELP = `circuitscope llc RUN [options] [--json | --out FILE]

Estimates the local learning coefficient (LLC) at every checkpoint of a training run (train --checkpoints
log:N|every:K) by SGLD as devinterp computes it, on the run's own training data, and marks the stages where the
smoothed LLC curve turns (docs/llc.md). Prints step, LLC ± std over chains, the initial loss and warnings.
  --chains N          chains per checkpoint (default ${CLI_DEFAULTS.chains}; devinterp's is ${LLC_DEFAULTS.numChains})
  --draws N           draws per chain (default ${CLI_DEFAULTS.draws})
  --burnin N          burn-in steps per chain before the draws (default ${CLI_DEFAULTS.burnin})
  --steps-between N   SGLD steps between draws (default 1)
  --epsilon X         SGLD step size (default ${LLC_DEFAULTS.epsilon})
  --gamma X           localization strength (default ${LLC_DEFAULTS.gamma})
  --nbeta X           inverse temperature (default m / ln m for batch size m: ${defaultNbeta(CLI_DEFAULTS.batchSize).toFixed(2)} at ${CLI_DEFAULTS.batchSize})
  --batch-size N      sequences per SGLD batch (default ${CLI_DEFAULTS.batchSize}; a grokking run: its full batch; an addition run: 64 problems)
  --batches N         distinct batches drawn from the run's training mix and cycled (default ${CLI_DEFAULTS.batches})
  --seed N            seeds the SGLD noise (default 0)
  --at STEPS          only these checkpoints (comma-separated steps)
  --essential-dynamics  also PCA of the log-probabilities on a fixed probe (8 validation windows) across checkpoints
  --json              print the whole result (per-chain loss traces included) as JSON
  --out FILE          write that JSON to FILE (the table is still printed)
Each checkpoint costs chains x (burnin + draws x steps-between) SGLD steps, each about one training step.`;

export async function llcCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('llc', {
    args: argv, allowPositionals: true,
    options: {
      chains: { type: 'string' }, draws: { type: 'string' }, burnin: { type: 'string' }, 'steps-between': { type: 'string' }, epsilon: { type: 'string' },
      gamma: { type: 'string' }, nbeta: { type: 'string' }, 'batch-size': { type: 'string' }, batches: { type: 'string' }, seed: { type: 'string' }, at: { type: 'string' },
      'essential-dynamics': { type: 'boolean' }, json: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) {
    console.log(LLC_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('llc: expected one run directory (circuitscope llc RUN)');
  const int = (flag: string, min: number, max: number) => numberOption('llc', flag, v[flag as keyof typeof v] as string | undefined, { integer: true, min, max });
  const num = (flag: string, min: number, max: number) => numberOption('llc', flag, v[flag as keyof typeof v] as string | undefined, { min, max });
  const chains = int('chains', 1, 1000) ?? CLI_DEFAULTS.chains;
  const draws = int('draws', 1, 1e6) ?? CLI_DEFAULTS.draws;
  const burnin = int('burnin', 0, 1e7) ?? CLI_DEFAULTS.burnin;
  const between = int('steps-between', 1, 1e4) ?? 1;
  const epsilon = num('epsilon', 0, 1) ?? LLC_DEFAULTS.epsilon;
  const gamma = num('gamma', 0, 1e9) ?? LLC_DEFAULTS.gamma;
  const nbeta = num('nbeta', 1e-9, 1e12);
  const batchSize = int('batch-size', 1, 4096) ?? CLI_DEFAULTS.batchSize;
  const distinct = int('batches', 1, 1e5) ?? CLI_DEFAULTS.batches;
  const seed = int('seed', 0, 2 ** 31 - 1) ?? 0;
  if (v.out !== undefined) await checkOutputFile(v.out, '--out');

  const dir = positionals[0]!;
  let at: number[] | undefined;
  if (v.at !== undefined) {
    at = v.at.split(',').map((x) => Number(x.trim()));
    if (at.length === 0 || at.some((x) => !Number.isInteger(x) || x < 0)) throw new UsageError(`llc: --at expects comma-separated checkpoint steps (e.g. 0,100,1000), got ${v.at}`);
  }
  const steps = chains * (burnin + draws * between);
  const result = await llcOverTrainingRun(dir, {
    llc: { numChains: chains, numDraws: draws, numBurninSteps: burnin, numStepsBetweenDraws: between, epsilon, gamma, seed, ...(nbeta !== undefined ? { nbeta } : {}) },
    ...(v['batch-size'] !== undefined ? { batchSize } : {}), batches: distinct, essentialDynamics: v['essential-dynamics'] === true, ...(at ? { steps: at } : {}),
    onStart: (n, m, describe) => {
      if (!v.json) console.error(`llc: ${n} checkpoints, ${chains} chains x ${burnin + draws * between} SGLD steps each, batches of ${m}: ${describe}`);
    },
    onCheckpoint: (step, i, n, p) => {
      if (!v.json) console.error(`  [${i + 1}/${n}] step ${step}: LLC ${p.llcMean.toFixed(3)} (${steps} steps)`);
    },
  });
  const json = JSON.stringify({ run: dir, ...result });
  if (v.out) await writeFilesAtomically(dirname(resolve(v.out)), { [basename(v.out)]: json });
  if (v.json) {
    console.log(json);
    return 0;
  }
  printTable(result);
  if (v.out) console.log(`wrote ${v.out}`);
  return 0;
}

function printTable(r: LLCOverTraining): void {
  const o = r.options!;
  console.log(`LLC by SGLD: ${o.numChains} chains, ${o.numBurninSteps} burn-in + ${o.numDraws} draws, epsilon ${o.epsilon}, gamma ${o.gamma}, nbeta ${o.nbeta.toFixed(3)} (batch ${o.batchSize}), ${r.numParams} parameters`);
  console.log(`${'step'.padStart(8)}  ${'LLC'.padStart(9)}  ${'± std'.padStart(8)}  ${'init loss'.padStart(9)}  warnings`);
  const turns = new Map(r.stages.boundaries.map((b) => [b.step, b]));
  for (const p of r.points) {
    const turn = turns.get(p.step);
    const flat = turn && turn.flat.from !== turn.flat.to ? `; flat over steps ${turn.flat.from}-${turn.flat.to}` : '';
    const mark = turn ? `  <- stage boundary (smoothed LLC ${turn.kind === 'max' ? 'peaks' : 'bottoms out'}${flat})` : '';
    const chainWarnings = p.warnings.filter((w) => w.startsWith('chain'));
    console.log(`${String(p.step).padStart(8)}  ${p.llcMean.toFixed(3).padStart(9)}  ${p.llcStd.toFixed(3).padStart(8)}  ${p.initLoss.toFixed(4).padStart(9)}  ${chainWarnings.length}${mark}`);
  }
  const notes = [...new Set(r.points.flatMap((p) => p.warnings.map((w) => `step ${p.step}: ${w}`)))];
  for (const w of notes.slice(0, 20)) console.log(`warning: ${w}`);
  if (notes.length > 20) console.log(`... and ${notes.length - 20} more warnings (--json has them all)`);
  console.log(`stages (the smoothed LLC turns, bandwidth ${r.stages.bandwidth.toFixed(2)} in ln step): ${r.stages.stages.map((s) => `${s.start}-${s.end} ${s.trend}`).join(', ')}`);
  const ed = r.essentialDynamics;
  if (ed) {
    console.log(`essential dynamics (PCA of log-probs on ${ed.probe.rows} x ${ed.probe.positions} probe tokens): explained variance ${ed.explainedVarianceRatio.map((x) => `${(100 * x).toFixed(1)}%`).join(', ')}`);
    for (const [i, s] of ed.steps.entries()) console.log(`  ${String(s).padStart(8)}  ${ed.trajectory[i]!.map((x) => x.toFixed(3).padStart(9)).join(' ')}${turns.has(s) ? '  <- stage boundary' : ''}`);
  }
}

