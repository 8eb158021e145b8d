import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkOutputDir } from '../../io/outputPath.js';
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { ensureFrameworkRuns, ensureGrokkingRun, frameworkClaims, GROKKING_PRESET, grokkingClaims, printClaims } from '../frameworkRuns.js';

export const REPRODUCE_HELP = `circuitscope reproduce [--suite framework|grokking] [--out DIR] [--models DIR...] [--json]

Trains zero-, one- and two-layer attention-only models on the embedded Brown corpus (presets attn-only-0l, -1l,
-2l; a run already in DIR is reused or resumed) or takes them from --models, then checks the claims of "A
Mathematical Framework for Transformer Circuits" on them, printing the measured number behind each. Exits 1
when a claim fails.
  --suite NAME     framework (default) or grokking: trains ${GROKKING_PRESET} (modular addition, a checkpoint
                   every 100 steps) and checks Nanda et al. 2023's progress-measure claims (docs/grokking.md)
  --out DIR        where the runs go (default runs/reproduce, or runs/reproduce-grokking)
  --models A B C   analyse these model directories (zero-, one-, two-layer) instead of training; with
                   --suite grokking, one grokking run with checkpoints`;

export async function reproduceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('reproduce', {
    args: argv, allowPositionals: true,
    options: { suite: { type: 'string' }, out: { type: 'string' }, models: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(REPRODUCE_HELP);
    return 0;
  }
  let dirs: string[];
  let seen: string[] = [];
  // `--models A B C` as written in the help, or `--models A --models B --models C`.
  if (positionals.length > 0 && !values.models) throw new UsageError(`reproduce: unexpected argument ${positionals[0]} (model directories follow --models)`);
  const models = values.models ? [...values.models, ...positionals] : undefined;
  if (models && values.out !== undefined) throw new UsageError('reproduce: --models analyses given models and trains nothing, so --out has no use with it');
  const suite = values.suite ?? 'framework';
  if (suite !== 'framework' && suite !== 'grokking') throw new UsageError(`reproduce: --suite ${suite}: expected framework or grokking`);
  if (suite === 'grokking') return grokkingSuite(models, values.out, values.json ?? false);
  if (models) {
    if (models.length !== 3) throw new UsageError(`reproduce: --models takes three directories, the zero-, one- and two-layer models (got ${models.length})`);
    for (const d of models) {
      const st = await stat(d).catch(() => null);
      if (!st?.isDirectory()) throw new UsageError(`reproduce: --models ${d}: no such model folder`);
    }
    dirs = models;
  } else {
    const out = values.out ?? join('runs', 'reproduce');
    await checkOutputDir(out, '--out');
    const runs = await ensureFrameworkRuns(out);
    if ('code' in runs) return runs.code;
    ({ dirs, seen } = runs);
  }
  const { claims, reports } = await frameworkClaims(dirs);
  if (values.json) console.log(JSON.stringify({ claims, data: seen, reports }));
  else printClaims(claims, seen);
  return claims.every((c) => c.holds) ? 0 : 1;
}

async function grokkingSuite(models: string[] | undefined, outDir: string | undefined, json: boolean): Promise<number> {
  let dir: string;
  let seen: string[] = [];
  if (models) {
    if (models.length !== 1) throw new UsageError(`reproduce: --suite grokking --models takes one grokking run with checkpoints (got ${models.length})`);
    const st = await stat(models[0]!).catch(() => null);
    if (!st?.isDirectory()) throw new UsageError(`reproduce: --models ${models[0]}: no such run folder`);
    dir = models[0]!;
  } else {
    const out = outDir ?? join('runs', 'reproduce-grokking');
    await checkOutputDir(out, '--out');
    const run = await ensureGrokkingRun(out);
    if ('code' in run) return run.code;
    ({ dir, seen } = run);
  }
  const { claims, measures } = await grokkingClaims(dir);
  if (json) console.log(JSON.stringify({ claims, data: seen, measures }));
  else printClaims(claims, seen);
  return claims.every((c) => c.holds) ? 0 : 1;
}
