import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { loadModel } from '../../io/loadModel.js';
import { RunDir } from '../../io/runDir.js';
import { getPreset } from '../../train/presets.js';
import type { AnalysisReport } from '../../analysis/analyzeModel.js';
import { analyzeWithText } from './analyze.js';
import { trainRun } from './train.js';
import { UsageError } from '../errors.js';

export const REPRODUCE_HELP = `circuitscope reproduce [--out DIR] [--models DIR0 DIR1 DIR2] [--json]

Trains zero-, one- and two-layer attention-only models on the embedded Brown corpus (presets attn-only-0l, -1l,
-2l; a run already in DIR is reused or resumed) or takes them from --models, then checks the claims of "A
Mathematical Framework for Transformer Circuits" on them, printing the measured number behind each. Exits 1
when a claim fails.
  --out DIR        where the three runs go (default runs/reproduce)
  --models A B C   analyse these model directories (zero-, one-, two-layer) instead of training`;

export interface Claim {
  claim: string;
  measured: string;
  holds: boolean;
}

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
      const run = new RunDir(dir);
      const preset = getPreset(`attn-only-${layers}l`);
      if (await run.exists('trainer_state.safetensors')) {
        const done = await run.readMetrics();
        if ((done.at(-1)?.step ?? 0) < preset.train.steps) {
          process.stderr.write(`resuming ${dir}\n`);
          const r = await trainRun({ resume: dir, json: false, quietResult: true });
          if (r.code !== 0) return r.code;
        } else process.stderr.write(`reusing ${dir}\n`);
      } else {
        process.stderr.write(`training ${preset.name} into ${dir}\n`);
        const r = await trainRun({ preset, out: dir, data: 'brown', json: false, quietResult: true });
        if (r.code !== 0) return r.code;
      }
      const meta = (await run.readJson('run.json')) as { dataDescription?: string; mix?: string };
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

const f = (x: number) => x.toFixed(3);
const argmax = (xs: number[]) => xs.reduce((b, v, i) => (v > xs[b]! ? i : b), 0);

/** The framework's claims, each with the number behind it. */
export function checkClaims(zero: AnalysisReport, one: AnalysisReport, two: AnalysisReport): Claim[] {
  const claims: Claim[] = [];
  const b = zero.bigram;
  claims.push({
    claim: 'zero-layer logits track the corpus\'s bigram statistics (Pearson >= 0.5 over the most frequent tokens)',
    measured: b ? `Pearson ${f(b.pearson)}, Spearman ${f(b.spearman)}, KL ${f(b.kl)} nats over ${b.tokens.length} tokens` : 'no bigram comparison',
    holds: !!b && b.pearson >= 0.5,
  });
  const tri = one.skipTrigrams ?? [];
  const withTrigrams = tri.filter((h) => h.trigrams.length > 0 && h.trigrams[0]!.score > 0);
  claims.push({
    claim: 'one-layer heads implement skip-trigrams (every head has positive src ... dest -> out triples)',
    measured: `${withTrigrams.length}/${tri.length} heads; e.g. ${tri.map((h) => `H${h.head} ${JSON.stringify(h.trigrams[0]?.text ?? '')}`).slice(0, 2).join(', ')}`,
    holds: tri.length > 0 && withTrigrams.length === tri.length,
  });
  const copy1 = (one.copying?.scores ?? []).flat();
  const positive = copy1.filter((s) => s > 0).length;
  claims.push({
    claim: 'most one-layer heads copy (positive copying score)',
    measured: `${positive}/${copy1.length} positive: ${copy1.map(f).join(', ')}`,
    holds: copy1.length > 0 && positive > copy1.length / 2,
  });
  const det = two.detectors;
  const ind = det ? det.induction[1]! : [];
  const prev = det ? det.previousToken[0]! : [];
  const ih = argmax(ind);
  const ph = argmax(prev);
  claims.push({
    claim: 'the two-layer model has an induction head in layer 1 (induction score >= 0.4)',
    measured: `L1H${ih} induction ${f(ind[ih] ?? 0)} (layer 1: ${ind.map(f).join(', ')})`,
    holds: (ind[ih] ?? 0) >= 0.4,
  });
  claims.push({
    claim: 'and a previous-token head in layer 0 (previous-token score >= 0.3)',
    measured: `L0H${ph} previous-token ${f(prev[ph] ?? 0)} (layer 0: ${prev.map(f).join(', ')})`,
    holds: (prev[ph] ?? 0) >= 0.3,
  });
  const H = two.model.n_heads;
  const k = two.composition?.scores.k ?? [];
  let best = { a: -1, b: -1, s: -1 };
  for (let a = 0; a < H; a++) for (let bb = H; bb < 2 * H; bb++) if ((k[a]?.[bb] ?? 0) > best.s) best = { a, b: bb - H, s: k[a]![bb]! };
  claims.push({
    claim: 'the previous-token head K-composes into the induction head (the top layer-0 -> layer-1 K-composition pair)',
    measured: `top K pair L0H${best.a} -> L1H${best.b} (${f(best.s)}, random baseline ${f(two.composition?.baseline.k ?? NaN)}); L0H${ph} -> L1H${ih}: ${f(k[ph]?.[H + ih] ?? 0)}`,
    holds: best.a === ph && best.b === ih,
  });
  const copyInd = two.copying?.scores[1]?.[ih] ?? 0;
  claims.push({
    claim: 'the induction head\'s OV circuit copies (positive copying score)',
    measured: `L1H${ih} copying score ${f(copyInd)}`,
    holds: copyInd > 0,
  });
  const icl = two.inContextLearning;
  claims.push({
    claim: 'the two-layer model learns in context (loss late in the context minus early < 0)',
    measured: icl ? `${f(icl.score)} (position ${icl.late} minus ${icl.early})` : 'not measured',
    holds: !!icl && icl.score < 0,
  });
  const terms = two.termImportance?.terms ?? [];
  const meanOf = (kind: string) => {
    const xs = terms.filter((t) => t.kind === kind).map((t) => Math.abs(t.lossIncrease));
    return xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
  };
  const heads = meanOf('head');
  const virt = meanOf('virtual');
  claims.push({
    claim: 'term importance puts virtual heads far below single heads (mean |loss change| under a quarter)',
    measured: `virtual heads ${f(virt)} vs single heads ${f(heads)} nats (ratio ${f(virt / heads)})`,
    holds: terms.length > 0 && virt < heads / 4,
  });
  return claims;
}
