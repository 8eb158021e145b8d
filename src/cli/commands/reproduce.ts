import { parseArgs } from 'node:util';
import { join } from 'node:path';
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
  const { values } = parseArgs({
    args: argv, allowPositionals: false,
    options: { out: { type: 'string' }, models: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(REPRODUCE_HELP);
    return 0;
  }
  let dirs: string[];
  let seen: string[] = [];
  if (values.models) {
    if (values.models.length !== 3) throw new UsageError('reproduce: --models takes three directories: the zero-, one- and two-layer models (repeat --models for each)');
    dirs = values.models;
  } else {
    const runs = await ensureFrameworkRuns(values.out ?? join('runs', 'reproduce'));
    if ('code' in runs) return runs.code;
    ({ dirs, seen } = runs);
  }
  const { claims, reports } = await frameworkClaims(dirs);
  if (values.json) console.log(JSON.stringify({ claims, data: seen, reports }));
  else printClaims(claims, seen);
  return claims.every((c) => c.holds) ? 0 : 1;
}
