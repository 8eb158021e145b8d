import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkOutputDir } from '../../io/outputPath.js';
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { ensureFrameworkRuns, frameworkClaims, printClaims } from '../frameworkRuns.js';

export const REPRODUCE_HELP = `circuitscope reproduce [--out DIR] [--models DIR0 DIR1 DIR2] [--json]

Trains zero-, one- and two-layer attention-only models on the embedded Brown corpus (presets attn-only-0l, -1l,
-2l; a run already in DIR is reused or resumed) or takes them from --models, then checks the claims of "A
Mathematical Framework for Transformer Circuits" on them, printing the measured number behind each. Exits 1
when a claim fails.
  --out DIR        where the three runs go (default runs/reproduce)
  --models A B C   analyse these model directories (zero-, one-, two-layer) instead of training`;

export async function reproduceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('reproduce', {
    args: argv, allowPositionals: true,
    options: { out: { type: 'string' }, models: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
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
