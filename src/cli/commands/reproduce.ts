import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkOutputDir } from '../../io/outputPath.js';
import type { Claim } from '../../analysis/claims.js';
import type { AnalysisReport } from '../../analysis/analyzeModel.js';
import { numberOption, parseCommandArgs } from '../args.js';
import { ADDITION_PRESET, ADDITION_SUITE } from '../additionSuite.js';
import { UsageError } from '../errors.js';
import { formatTime } from '../progress.js';
import {
  claimsOverSeeds, ensureFrameworkRuns, frameworkClaims, GROKKING_PRESET, grokkingClaims, llcStageClaims, printClaims, printClaimsOverSeeds,
  REPRODUCE_LLC, runOneRunSuite, TWO_LAYER_CHECKPOINTS, type LLCStageSummary, type OneRunSuite,
} from '../frameworkRuns.js';

export const REPRODUCE_HELP = `circuitscope reproduce [--suite framework|grokking|addition] [--seeds N] [--out DIR] [--models DIR...] [--json]

Trains zero-, one- and two-layer attention-only models on the embedded Brown corpus (presets attn-only-0l, -1l,
-2l; a run already in DIR is reused or resumed, and one that finished an older preset with fewer steps is
reused with a note: delete it to train the current preset) or takes them from --models, then checks the claims of "A
Mathematical Framework for Transformer Circuits" on them, printing the measured number behind each. The
two-layer run keeps ${TWO_LAYER_CHECKPOINTS.count} log-spaced checkpoints, and two more claims compare its local learning coefficient
(LLC, at up to ${REPRODUCE_LLC.maxCheckpoints} checkpoints around where its induction head forms) with its induction score (docs/llc.md).
Exits 1 when a claim fails (on any seed).
  --suite NAME     framework (default) or grokking: trains ${GROKKING_PRESET} (modular addition, a checkpoint
                   every 50 steps) and checks Nanda et al. 2023's progress-measure claims (docs/grokking.md);
                   addition: trains ${ADDITION_PRESET} (3-digit sums) and checks Quirke and Barez 2023's claims
                   on how one layer adds: per-digit streams, carries, cascades (docs/addition.md)
  --seeds N        the suite on seeds 0..N-1 (default 1); prints each claim once with its number on every seed
                   and how many it held on. Framework: seed 0's models in DIR/0l, 1l, 2l, seed K's in DIR/seed-K/;
                   grokking and addition: seed 0's run in DIR, seed K's in DIR-seed-K
  --out DIR        where the runs go (default runs/reproduce, runs/reproduce-grokking, runs/reproduce-addition)
  --models A B C   analyse these model directories (zero-, one-, two-layer) instead of training; with
                   --suite grokking, one grokking run with checkpoints; with --suite addition, one addition run. The LLC claims run when C holds
                   checkpoints (train --checkpoints log:N)`;

export async function reproduceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('reproduce', {
    args: argv, allowPositionals: true,
    options: { suite: { type: 'string' }, seeds: { type: 'string' }, out: { type: 'string' }, models: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(REPRODUCE_HELP);
    return 0;
  }
  // `--models A B C` as written in the help, or `--models A --models B --models C`.
  if (positionals.length > 0 && !values.models) throw new UsageError(`reproduce: unexpected argument ${positionals[0]} (model directories follow --models)`);
  const models = values.models ? [...values.models, ...positionals] : undefined;
  if (models && values.out !== undefined) throw new UsageError('reproduce: --models analyses given models and trains nothing, so --out has no use with it');
  const suite = values.suite ?? 'framework';
  if (suite !== 'framework' && suite !== 'grokking' && suite !== 'addition') throw new UsageError(`reproduce: --suite ${suite}: expected framework, grokking or addition`);
  const seeds = numberOption('reproduce', 'seeds', values.seeds, { integer: true, min: 1, max: 100 });
  if (seeds !== undefined && models) throw new UsageError('reproduce: --seeds trains the models on each seed; --models analyses given ones, so the two do not go together');
  if (suite === 'grokking') return runOneRunSuite(GROKKING_SUITE, models, values.out, values.json ?? false, seeds);
  if (suite === 'addition') return runOneRunSuite(ADDITION_SUITE, models, values.out, values.json ?? false, seeds);
  if (models) return givenModels(models, values.json ?? false);
  const out = values.out ?? join('runs', 'reproduce');
  await checkOutputDir(out, '--out');
  const perSeed: SeedResult[] = [];
  const seen: string[] = [];
  for (let seed = 0; seed < (seeds ?? 1); seed++) {
    const started = performance.now();
    const runs = await ensureFrameworkRuns(out, { seed });
    if ('code' in runs) return runs.code;
    seen.push(...runs.seen);
    const { claims, reports } = await frameworkClaims(runs.dirs);
    const llc = await llcStageClaims(runs.dirs[2]!);
    perSeed.push({ seed, dirs: runs.dirs, claims: [...claims, ...llc.claims], reports, llc: llc.llc });
    process.stderr.write(`seed ${seed}: trained (or reused) and checked in ${formatTime((performance.now() - started) / 1000)} (min:s)\n`);
  }
  const claims = claimsOverSeeds(perSeed);
  if (values.json) console.log(JSON.stringify({ claims, data: seen, seeds: perSeed }));
  else printClaimsOverSeeds(claims, seen);
  return claims.every((c) => c.holds) ? 0 : 1;
}

/** One seed's models, claims and reports, and its LLC-stage check (null when it could not run). */
interface SeedResult {
  seed: number;
  dirs: string[];
  claims: Claim[];
  reports: AnalysisReport[];
  llc: LLCStageSummary | null;
}

/** `--models A B C`: the claims on given models; the LLC claims only when C holds checkpoints. */
async function givenModels(models: string[], json: boolean): Promise<number> {
  if (models.length !== 3) throw new UsageError(`reproduce: --models takes three directories, the zero-, one- and two-layer models (got ${models.length})`);
  for (const d of models) {
    const st = await stat(d).catch(() => null);
    if (!st?.isDirectory()) throw new UsageError(`reproduce: --models ${d}: no such model folder`);
  }
  const { claims, reports } = await frameworkClaims(models);
  const withCheckpoints = (await stat(join(models[2]!, 'checkpoints')).catch(() => null))?.isDirectory() ?? false;
  const llc = withCheckpoints ? await llcStageClaims(models[2]!) : null;
  const all = [...claims, ...(llc?.claims ?? [])];
  if (json) console.log(JSON.stringify({ claims: all, data: [], reports, llc: llc?.llc ?? null }));
  else {
    printClaims(all, []);
    if (!withCheckpoints) console.log(`(the LLC-stage claims need checkpoints: ${models[2]} has none; train it with --checkpoints log:N)`);
  }
  return all.every((c) => c.holds) ? 0 : 1;
}

/** `reproduce --suite grokking`: Nanda et al. 2023's progress-measure claims on a grokking run's checkpoints. */
const GROKKING_SUITE: OneRunSuite = {
  suite: 'grokking', given: 'one grokking run with checkpoints', preset: GROKKING_PRESET, data: 'modular-addition',
  defaultOut: join('runs', 'reproduce-grokking'),
  claims: async (dir) => {
    const { claims, measures } = await grokkingClaims(dir);
    return { claims, details: { measures } };
  },
};
