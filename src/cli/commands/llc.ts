import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { llcOverTraining, LLC_DEFAULTS, defaultNbeta, type LLCOverTraining, type TokenBatches } from '../../analysis/llc/index.js';
import { evaluationBatches, tokenRows } from '../../data/index.js';
import { InputError } from '../../engine/errors.js';
import type { Tensor } from '../../engine/tensor.js';
import { listCheckpoints } from '../../io/checkpoints.js';
import { loadModel } from '../../io/loadModel.js';
import { writeFilesAtomically } from '../../io/modelDir.js';
import { checkOutputFile } from '../../io/outputPath.js';
import { RunDir } from '../../io/runDir.js';
import { prepareTrainingData } from '../../io/trainingData.js';
import type { RunMeta } from '../../io/trainRun.js';
import { buildModularRecipe, buildRecipe } from '../../train/recipes.js';
import { Rng } from '../../engine/random.js';
import { numberOption, parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';

const CLI_DEFAULTS = { chains: 4, draws: 100, burnin: 100, batchSize: 8, batches: 64 };

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
  --batch-size N      sequences per SGLD batch (default ${CLI_DEFAULTS.batchSize})
  --batches N         distinct batches drawn from the run's training mix and cycled (default ${CLI_DEFAULTS.batches})
  --seed N            seeds the SGLD noise (default 0)
  --essential-dynamics  also PCA of the log-probabilities on a fixed probe (8 validation windows) across checkpoints
  --json              print the whole result (per-chain loss traces included) as JSON
  --out FILE          write that JSON to FILE (the table is still printed)
Each checkpoint costs chains x (burnin + draws x steps-between) SGLD steps, each about one training step.`;

export async function llcCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('llc', {
    args: argv, allowPositionals: true,
    options: {
      chains: { type: 'string' }, draws: { type: 'string' }, burnin: { type: 'string' }, 'steps-between': { type: 'string' }, epsilon: { type: 'string' },
      gamma: { type: 'string' }, nbeta: { type: 'string' }, 'batch-size': { type: 'string' }, batches: { type: 'string' }, seed: { type: 'string' },
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
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory()) throw new InputError(`llc: ${dir}: no such run folder`);
  const run = new RunDir(dir);
  if (!(await run.exists('run.json'))) throw new InputError(`llc: ${dir}: not a training run (no run.json); the LLC is estimated on the data a run trained on`);
  const meta = (await run.readJson('run.json')) as Partial<RunMeta>;
  if (!meta.preset?.train || typeof meta.data !== 'string') throw new InputError(`llc: ${run.path('run.json')}: no preset or data in it`);
  const checkpoints = await listCheckpoints(dir);
  if (checkpoints.length === 0) throw new InputError(`llc: ${dir}/checkpoints holds no complete checkpoint (train --checkpoints log:N keeps them)`);

  const preset = structuredClone(meta.preset);
  let pool: Tensor<'int64'>[];
  let describe: string;
  let probe: number[][] | undefined;
  let m = batchSize;
  if (preset.data.task) {
    // A synthetic task (grokking): the run trained on one full batch; --batch-size draws row subsets of it instead.
    const recipe = buildModularRecipe(preset);
    const full = recipe.train.next();
    const rows = full.shape[0]!;
    m = v['batch-size'] === undefined ? rows : Math.min(batchSize, rows);
    pool = m === rows ? [full] : sampleRows(full, m, distinct, seed);
    describe = `${recipe.train.describe()}${m === rows ? ' (the full batch, as trained)' : `, ${m} of them per batch`}`;
    if (v['essential-dynamics']) probe = tokenRows(recipe.icl).map((r) => r.slice(0, recipe.config.n_ctx));
  } else {
    const data = await prepareTrainingData(meta.data, preset.data.tokenizer, await run.readJson('tokenizer.json'));
    preset.train.batchSize = batchSize;
    const recipe = buildRecipe(preset, data);
    // The run's training mix after any curriculum: skip the curriculum's batches, then keep `distinct` to cycle.
    for (let i = 0; i < (preset.data.curriculum?.steps ?? 0); i++) recipe.train.next();
    pool = Array.from({ length: distinct }, () => recipe.train.next());
    describe = recipe.train.describe();
    if (v['essential-dynamics']) {
      const length = Math.min(32, recipe.config.n_ctx);
      const b = evaluationBatches(data.validation, { batchSize: 8, length, bosTokenId: recipe.config.bos_token_id, maxBatches: 1 })[0];
      if (!b) throw new InputError(`llc: ${meta.data}: too little validation text for the essential-dynamics probe`);
      probe = tokenRows(b);
    }
  }
  const batches = (): TokenBatches => {
    let at = 0;
    return { batchSize: m, next: () => pool[at++ % pool.length]! };
  };
  const lossFrom = (preset.train as { lossFrom?: number }).lossFrom ?? 0;
  const steps = chains * (burnin + draws * between);
  if (!v.json) console.error(`llc: ${checkpoints.length} checkpoints, ${chains} chains x ${burnin + draws * between} SGLD steps each, batches of ${m}: ${describe}`);
  const result = await llcOverTraining(checkpoints.map((c) => ({ step: c.step, load: () => loadModel(c.dir) })), {
    llc: { numChains: chains, numDraws: draws, numBurninSteps: burnin, numStepsBetweenDraws: between, epsilon, gamma, seed, ...(nbeta !== undefined ? { nbeta } : {}) },
    batches, lossFrom, ...(probe ? { probe } : {}),
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
  const turns = new Map(r.stages.boundaries.map((b) => [b.step, b.kind]));
  for (const p of r.points) {
    const turn = turns.get(p.step);
    const mark = turn ? `  <- stage boundary (smoothed LLC ${turn === 'max' ? 'peaks' : 'bottoms out'})` : '';
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

/** `count` batches of `m` rows drawn without replacement (per batch) from `full`, seeded. */
function sampleRows(full: Tensor<'int64'>, m: number, count: number, seed: number): Tensor<'int64'>[] {
  const [rows, width] = full.shape as [number, number];
  const rng = new Rng(seed + 7);
  return Array.from({ length: count }, () => {
    const pick = rng.shuffle(Array.from({ length: rows }, (_, i) => i)).slice(0, m);
    const data = new BigInt64Array(m * width);
    pick.forEach((r, i) => data.set(full.data.subarray(r * width, (r + 1) * width), i * width));
    return { dtype: 'int64' as const, shape: [m, width], data };
  });
}
