import { parseArgs } from 'node:util';
import { BatchIterator, evaluationBatches, RepeatedRandomTokens, textMix, describeMix, tokenRows, type BatchState, type MixEntry } from '../../data/index.js';
import { detectHeads, inContextLearningScore } from '../../analysis/detectors.js';
import { HookedTransformer } from '../../model/hookedTransformer.js';
import { validateConfig, type ConfigInput } from '../../model/config.js';
import { getPreset, PRESETS, type Preset } from '../../train/presets.js';
import { train, type BatchSource, type MetricsRecord, type TrainConfig, type TrainOutcome } from '../../train/trainer.js';
import { RunDir } from '../../io/runDir.js';
import { prepareTrainingData } from '../../io/trainingData.js';
import type { Tensor } from '../../engine/tensor.js';
import { UsageError } from '../errors.js';
import { Progress } from '../progress.js';

export const TRAIN_HELP = `circuitscope train --preset NAME --out DIR [options]
circuitscope train --resume DIR

Trains one of the framework's toy models and writes a run directory (config.json, model.safetensors,
tokenizer.json, trainer_state.safetensors, metrics.jsonl, run.json) that analyze and loadModel read.

  --preset NAME        ${Object.keys(PRESETS).join(', ')} (default attn-only-2l)
  --out DIR            where the run goes (must not already hold a run; use --resume to continue one)
  --resume DIR         continue a stopped run exactly where it stopped
  --data PATH          a .txt file or a folder of .txt files instead of the embedded Brown corpus
  --steps N --lr X --batch-size N --warmup N --seed N   override the preset
  --repeat-fraction X         share of text windows with a span repeated later in them
  --random-repeat-fraction X  share of random-token sequences with a repeated span (the induction task)
  --curriculum-steps N        steps of the induction task on a 256-token alphabet first (0: none)
  --set KEY=VALUE      override a model config field (d_model=64, n_heads=2, ...); repeatable
  --eval-every N       validation loss and head scores every N steps
  --log-every N        a metrics line every N steps
  --json               machine-readable progress: one metrics JSON object per line on stdout
Ctrl-C saves a checkpoint and exits; --resume continues from it.`;

export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string' }, out: { type: 'string' }, resume: { type: 'string' }, data: { type: 'string' },
      steps: { type: 'string' }, lr: { type: 'string' }, 'batch-size': { type: 'string' }, warmup: { type: 'string' },
      seed: { type: 'string' }, 'repeat-fraction': { type: 'string' }, 'random-repeat-fraction': { type: 'string' }, 'curriculum-steps': { type: 'string' }, set: { type: 'string', multiple: true },
      'eval-every': { type: 'string' }, 'log-every': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const json = values.json ?? false;
  if (values.resume) return (await trainRun({ resume: values.resume, json })).code;
  if (!values.out) throw new UsageError('train: --out DIR is required (or --resume DIR)');
  const preset = getPresetOrUsage(values.preset ?? 'attn-only-2l');
  applyOverrides(preset, values);
  return (await trainRun({ preset, out: values.out, data: values.data ?? 'brown', json })).code;
}

export type TrainRunOptions =
  | { resume: string; json: boolean; quietResult?: boolean }
  | { preset: Preset; out: string; data: string; json: boolean; quietResult?: boolean };

/**
 * Trains a preset into a run directory, or continues one (`resume`): the whole of `circuitscope train` after
 * argument parsing, shared with `reproduce`.
 */
export async function trainRun(o: TrainRunOptions): Promise<{ code: number; run: RunDir; outcome: TrainOutcome }> {
  const json = o.json;
  let run: RunDir;
  let preset: Preset;
  let source: string;
  const resumeFrom = 'resume' in o;
  if ('resume' in o) {
    run = new RunDir(o.resume);
    const meta = (await run.readJson('run.json')) as RunMeta;
    preset = meta.preset;
    source = meta.data;
  } else {
    preset = o.preset;
    source = o.data;
    run = await RunDir.create(o.out);
    if (await run.exists('trainer_state.safetensors')) throw new UsageError(`train: ${o.out} already holds a run (use --resume ${o.out} to continue it, or another --out)`);
  }
  const progress = Progress.for(json, preset.train.steps);
  const data = await prepareTrainingData(source, preset.data.tokenizer, resumeFrom ? await run.readJson('tokenizer.json') : undefined, (m) => progress.note(m));
  progress.note(data.description);
  const tok = data.tokenizer;
  const cfg = validateConfig({ ...preset.model, d_vocab: tok.vocabSize, bos_token_id: tok.bosTokenId, tokenizer_name: tok.name } as ConfigInput, `preset ${preset.name}`);
  const model = new HookedTransformer(cfg, undefined, tok);
  const tc = preset.train;
  const length = tc.seqLen + 1;
  const randomShare = preset.data.randomRepeatFraction ?? 0;
  const mix: MixEntry[] = textMix(data.train, { length, bosTokenId: tok.bosTokenId, repeatShare: preset.data.repeatFraction / Math.max(1e-9, 1 - randomShare) })
    .map((m) => ({ ...m, share: m.share * (1 - randomShare) }));
  if (randomShare > 0) {
    const repeat = { min: 8, max: Math.floor((length - 1) / 2), exclude: [40, 50] };
    mix.push({ source: new RepeatedRandomTokens({ length, dVocab: tok.vocabSize, bosTokenId: tok.bosTokenId, repeat }), share: randomShare });
  }
  const opts = { batchSize: tc.batchSize, seed: cfg.seed ?? 0 };
  const trainSource = curriculumSource(mix, preset.data.curriculum, { length, bosTokenId: tok.bosTokenId }, opts, tok.vocabSize);
  const valBatches = evaluationBatches(data.validation, { batchSize: tc.batchSize, length, bosTokenId: tok.bosTokenId, maxBatches: tc.evalBatches });
  let valAt = 0;
  const valSource: BatchSource = {
    next: () => valBatches[valAt++ % valBatches.length]!,
    state: () => valAt,
    restore: (s) => { valAt = s as number; },
    describe: () => 'validation',
  };

  let resume;
  if (resumeFrom) {
    resume = await run.loadCheckpoint();
    await run.rewriteMetrics((await run.readMetrics()).filter((r) => r.step <= resume!.step));
    progress.note(`resuming at step ${resume.step}`);
  } else {
    await run.writeJson('tokenizer.json', tok.toJSON());
    await run.writeJson('run.json', { preset, data: source, dataDescription: data.description, mix: trainSource.describe() } satisfies RunMeta);
  }
  const icl = valBatches[0]!;
  const ctrl = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    progress.note('stopping: saving a checkpoint (Ctrl-C again to quit without saving)');
    ctrl.abort();
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  const outcome = await train(model, trainSource, valSource, tc, {
    signal: ctrl.signal,
    onStep: (s, loss, tps) => progress.step(s, loss, tps, started),
    saveCheckpoint: (c) => run.saveCheckpoint(model.cfg, c),
    probe: async (m, step) => (step % tc.evalEvery === 0 || step === tc.steps ? headProbes(m, icl) : {}),
    onMetrics: async (r: MetricsRecord) => {
      await run.appendMetrics(r);
      if (json) console.log(JSON.stringify(r));
    },
  }, resume);
  process.off('SIGINT', onSigint);
  progress.note(outcome.message);
  if (!json && !o.quietResult) console.log(`${outcome.status}: ${outcome.message}; run in ${run.dir}`);
  return { code: outcome.status === 'diverged' ? 1 : outcome.status === 'stopped' ? 130 : 0, run, outcome };
}

/**
 * The training batches: the main mix, preceded (when the preset has a curriculum) by `curriculum.steps` batches of
 * the induction task on a small alphabet. Resumable: the state says which phase and where in it.
 */
function curriculumSource(
  mix: MixEntry[], curriculum: { steps: number; vocab: number } | undefined, seq: { length: number; bosTokenId: number | null },
  opts: { batchSize: number; seed: number }, vocabSize: number,
): BatchSource {
  const warm = curriculum && curriculum.steps > 0
    ? new RepeatedRandomTokens({ length: seq.length, dVocab: Math.min(curriculum.vocab, vocabSize), bosTokenId: seq.bosTokenId, repeat: { min: 8, max: Math.floor((seq.length - 1) / 2), exclude: [40, 50] } })
    : null;
  let phase = warm ? 0 : 1;
  let it = new BatchIterator(warm && phase === 0 ? warm : mix, phase === 0 ? { ...opts, seed: opts.seed + 1 } : opts);
  return {
    next: () => {
      if (phase === 0 && it.step >= curriculum!.steps) {
        phase = 1;
        it = new BatchIterator(mix, opts);
      }
      return it.nextBatch().tokens;
    },
    state: () => ({ phase, batches: it.state() }),
    restore: (s) => {
      const st = s as { phase: number; batches: BatchState };
      phase = st.phase;
      it = new BatchIterator(phase === 0 ? warm! : mix, phase === 0 ? { ...opts, seed: opts.seed + 1 } : opts, st.batches);
    },
    describe: () => `${warm ? `first ${curriculum!.steps} steps: ${warm.describe()}; then ` : ''}${describeMix(new BatchIterator(mix, opts).describe())}`,
  };
}

interface RunMeta {
  preset: Preset;
  data: string;
  dataDescription: string;
  mix: string;
}

/** The training dynamics DESIGN.md asks for: head detector scores and the in-context-learning score. */
async function headProbes(model: HookedTransformer, icl: Tensor<'int64'>): Promise<Record<string, unknown>> {
  if (model.cfg.n_layers === 0) return {};
  const d = await detectHeads(model, { batch: 4, length: Math.min(40, Math.floor((model.cfg.n_ctx - 1) / 2)) });
  const T = model.cfg.n_ctx;
  const rows = tokenRows(icl).map((r) => r.slice(0, T));
  const per = await model.loss(rows, { perToken: true });
  return {
    induction_scores: round(d.induction), previous_token_scores: round(d.previousToken), duplicate_token_scores: round(d.duplicateToken),
    max_induction_score: Math.max(...d.induction.flat()), icl_score: inContextLearningScore(per),
  };
}

function round(m: number[][]): number[][] {
  return m.map((r) => r.map((v) => Math.round(v * 1e4) / 1e4));
}

function getPresetOrUsage(name: string): Preset {
  try {
    return getPreset(name);
  } catch (e) {
    throw new UsageError(`train: ${(e as Error).message}`);
  }
}

function num(flag: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0) throw new UsageError(`train: --${flag} expects a ${integer ? 'non-negative integer' : 'non-negative number'}, got ${v}`);
  return n;
}

function applyOverrides(p: Preset, v: Record<string, unknown>): void {
  const t = p.train as TrainConfig;
  const set = <K extends keyof TrainConfig>(k: K, x: TrainConfig[K] | undefined) => { if (x !== undefined) t[k] = x; };
  set('steps', num('steps', v['steps'] as string | undefined, true));
  set('lr', num('lr', v['lr'] as string | undefined, false));
  set('batchSize', num('batch-size', v['batch-size'] as string | undefined, true));
  set('warmup', num('warmup', v['warmup'] as string | undefined, true));
  set('evalEvery', num('eval-every', v['eval-every'] as string | undefined, true));
  set('logEvery', Math.max(1, num('log-every', v['log-every'] as string | undefined, true) ?? t.logEvery));
  const seed = num('seed', v['seed'] as string | undefined, true);
  if (seed !== undefined) p.model['seed'] = seed;
  const rf = num('repeat-fraction', v['repeat-fraction'] as string | undefined, false);
  if (rf !== undefined) p.data.repeatFraction = rf;
  const rr = num('random-repeat-fraction', v['random-repeat-fraction'] as string | undefined, false);
  if (rr !== undefined) p.data.randomRepeatFraction = rr;
  const cs = num('curriculum-steps', v['curriculum-steps'] as string | undefined, true);
  if (cs !== undefined) p.data.curriculum = { vocab: p.data.curriculum?.vocab ?? 256, steps: cs };
  if (p.data.repeatFraction + (p.data.randomRepeatFraction ?? 0) > 1) {
    throw new UsageError(`train: --repeat-fraction and --random-repeat-fraction add up to more than 1`);
  }
  for (const kv of (v['set'] as string[] | undefined) ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`train: --set expects KEY=VALUE, got ${kv}`);
    const key = kv.slice(0, eq);
    const raw = kv.slice(eq + 1);
    const value: unknown = raw === 'null' ? null : raw === 'true' ? true : raw === 'false' ? false : Number.isFinite(Number(raw)) && raw !== '' ? Number(raw) : raw;
    p.model[key] = value;
  }
  if (p.model['n_ctx'] !== undefined && (p.model['n_ctx'] as number) < t.seqLen) t.seqLen = p.model['n_ctx'] as number;
  try {
    validateConfig({ ...p.model, d_vocab: Math.max(2, (p.model['d_vocab'] as number | undefined) ?? 2) } as ConfigInput, '--set');
  } catch (e) {
    throw new UsageError(`train: ${(e as Error).message}`);
  }
}
