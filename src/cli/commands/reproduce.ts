import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { checkClaims } from '../../analysis/claims.js';
import type { AnalysisReport } from '../../analysis/analyzeModel.js';
import { analyzeWithText } from '../../io/analyzeText.js';
import { loadModel } from '../../io/loadModel.js';
import { readRunMeta, runStatus, type RunMeta } from '../../io/trainRun.js';
import { getPreset } from '../../train/presets.js';
import { UsageError } from '../errors.js';
import { trainInTerminal } from '../training.js';

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
  const seen: string[] = [];
  if (values.models) {
    if (values.models.length !== 3) throw new UsageError('reproduce: --models takes three directories: the zero-, one- and two-layer models (repeat --models for each)');
    dirs = values.models;
  } else {
    const out = values.out ?? join('runs', 'reproduce');
    dirs = [];
    for (const layers of [0, 1, 2]) {
      const dir = join(out, `${layers}l`);
      const preset = getPreset(`attn-only-${layers}l`);
      const status = await runStatus(dir, preset.train.steps);
      if (status === 'done') process.stderr.write(`reusing ${dir}\n`);
      else {
        process.stderr.write(status === 'partial' ? `resuming ${dir}\n` : `training ${preset.name} into ${dir}\n`);
        const target = status === 'partial' ? { resume: dir } : { preset, out: dir, data: 'brown' };
        const r = await trainInTerminal(target, { json: false, quietResult: true });
        if (r.code !== 0) return r.code;
      }
      const meta: Partial<RunMeta> = await readRunMeta(dir); // read defensively, as ever: a hand-made run.json may lack these
      seen.push(`${preset.name}: ${meta.dataDescription ?? '?'}; mix ${meta.mix ?? '?'}`);
      dirs.push(dir);
    }
  }
  const reports: AnalysisReport[] = [];
  for (const d of dirs) {
    process.stderr.write(`analysing ${d}\n`);
    reports.push(await analyzeWithText(await loadModel(d, { processWeights: true }), 'brown'));
  }
  const claims = checkClaims(reports[0]!, reports[1]!, reports[2]!);
  if (values.json) console.log(JSON.stringify({ claims, data: seen, reports }));
  else {
    if (seen.length) console.log(`data the models saw:\n${seen.map((s) => `  ${s}`).join('\n')}\n`);
    for (const c of claims) console.log(`${c.holds ? 'HOLDS ' : 'FAILS '} ${c.claim}\n        measured: ${c.measured}`);
    const failed = claims.filter((c) => !c.holds);
    console.log(failed.length === 0 ? `\nall ${claims.length} claims hold` : `\n${failed.length} of ${claims.length} claims failed: ${failed.map((c) => c.claim).join('; ')}`);
  }
  return claims.every((c) => c.holds) ? 0 : 1;
}
