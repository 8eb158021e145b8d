import { validateConfig, type ConfigInput } from '../../model/config.js';
import { getPreset, PRESETS, setAdditionDigits, type Preset } from '../../train/presets.js';
import type { TrainConfig } from '../../train/trainer.js';
import { parseCheckpointSchedule } from '../../train/checkpointSchedule.js';
import { checkOutputDir } from '../../io/outputPath.js';
import { numberOption, parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { trainInTerminal } from '../training.js';

export const TRAIN_HELP = `circuitscope train --preset NAME --out DIR [options]
circuitscope train --resume DIR [--steps N]

Trains one of the framework's toy models and writes a run directory (config.json, model.safetensors,
tokenizer.json, trainer_state.safetensors, metrics.jsonl, run.json) that analyze and loadModel read.

  --preset NAME        ${Object.keys(PRESETS).join(', ')} (default attn-only-2l)
  --out DIR            where the run goes (must not already hold a run; use --resume to continue one)
  --resume DIR         continue a stopped run exactly where it stopped; with --steps N, extend a finished one
                       (the cosine schedule then ends at step N; --eval-every, --log-every, --json may change too)
  --data PATH          a .txt file or a folder of .txt files instead of the embedded Brown corpus
  --tokenizer KIND     'bytes' (257 ids: the 256 bytes and BOS) or 'bpe-N' (a byte-level BPE of N ids trained
                       on the corpus, N from 258 to 65536); default the preset's (bpe-2048 for the text presets)
  --steps N --lr X --batch-size N --warmup N --seed N   override the preset
  --min-lr X           the learning rate the cosine decay ends at (default the preset's; lr / 10 if it has none)
  --decay N            hold the learning rate after the warm-up and decay it over the last N steps only (warm-up,
                       stable, decay); 'none': decay over the whole run after the warm-up
  --repeat-fraction X         share of text windows with a span repeated later in them
  --random-repeat-fraction X  share of random-token sequences with a repeated span (the induction task)
  --curriculum-steps N        steps of the induction task on a 256-token alphabet first (0: none); with
                              --curriculum-until, the most it may last
  --curriculum-until X        end the curriculum at the first metrics line (every --log-every steps) whose
                              training loss is below X nats (an induction head: 256 random ids give ln 256 = 5.55
                              without one); 'none': always run its steps
  --curriculum-ids WHICH      which 256 ids the curriculum draws: 'first' (ids 0-255, the bytes; the default) or
                              'frequent' (the 256 most frequent in the training text: for a BPE model, mostly its
                              merges, which a head trained on raw bytes does not carry to). Over a vocabulary
                              larger than the ids drawn, the curriculum's loss is the softmax over those ids and
                              the BOS alone (metrics: loss_vocabulary)
  --seq-len-warmup LEN:STEPS[:ROWS]  train the first STEPS steps (a curriculum's included) on sequences of LEN
                              tokens (at least 16, shorter than the run's), ROWS a step (default: as many as
                              make the run's tokens a step; attn-only-2l: 32, twice its 8 x 256 after), then
                              continue at the run's length: the new positions start as copies of the trained
                              ones, AdamW and the learning-rate schedule restart; 'none': the run's length
                              throughout
  --modulus P --train-fraction X  for the grokking presets: the modulus p and the share of pairs trained on
  --digits N           for the addition preset: add N-digit numbers (3-9; the context becomes 3N + 3)
  --set KEY=VALUE      override a model config field (d_model=64, n_heads=2, ...); repeatable
  --eval-every N       validation loss and head scores every N steps
  --log-every N        a metrics line every N steps
  --checkpoint-every N a checkpoint every N steps (and at the end, and on Ctrl-C)
  --checkpoints log:N|every:K  keep the model at N log-spaced steps (step 0 and the last included) or every K
                       steps in DIR/checkpoints/step-NNNNNNN/ (model directories: analyze --over-training reads them)
  --json               machine-readable progress: one metrics JSON object per line on stdout
Ctrl-C saves a checkpoint and exits; --resume continues from it.`;

/** Flags a resumed run takes; every other one would change what the run is, so it is refused. */
const RESUMABLE = new Set(['resume', 'steps', 'eval-every', 'log-every', 'checkpoint-every', 'json', 'help']);

export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('train', {
    args: argv,
    options: {
      preset: { type: 'string' }, out: { type: 'string' }, resume: { type: 'string' }, data: { type: 'string' }, tokenizer: { type: 'string' },
      steps: { type: 'string' }, lr: { type: 'string' }, 'batch-size': { type: 'string' }, warmup: { type: 'string' }, 'min-lr': { type: 'string' }, decay: { type: 'string' },
      seed: { type: 'string' }, 'repeat-fraction': { type: 'string' }, 'random-repeat-fraction': { type: 'string' }, 'curriculum-steps': { type: 'string' }, 'curriculum-until': { type: 'string' }, 'curriculum-ids': { type: 'string' }, 'seq-len-warmup': { type: 'string' }, set: { type: 'string', multiple: true },
      'eval-every': { type: 'string' }, 'log-every': { type: 'string' }, 'checkpoint-every': { type: 'string' }, checkpoints: { type: 'string' }, modulus: { type: 'string' }, digits: { type: 'string' }, 'train-fraction': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const json = values.json ?? false;
  if (values.resume !== undefined) {
    const fixed = Object.keys(values).filter((k) => !RESUMABLE.has(k));
    if (fixed.length > 0) {
      throw new UsageError(`train: --resume continues a run as it was set up; ${fixed.map((k) => `--${k}`).join(', ')} cannot change now (only --steps, --eval-every, --log-every, --checkpoint-every and --json can)`);
    }
    const steps = num('steps', values.steps, true);
    const evalEvery = num('eval-every', values['eval-every'], true);
    const logEvery = num('log-every', values['log-every'], true);
    const checkpointEvery = num('checkpoint-every', values['checkpoint-every'], true);
    return (await trainInTerminal({
      ...(checkpointEvery !== undefined ? { checkpointEvery } : {}),
      resume: values.resume, ...(steps !== undefined ? { steps } : {}), ...(evalEvery !== undefined ? { evalEvery } : {}),
      ...(logEvery !== undefined ? { logEvery: Math.max(1, logEvery) } : {}),
    }, { json })).code;
  }
  if (!values.out) throw new UsageError('train: --out DIR is required (or --resume DIR)');
  const preset = getPresetOrUsage(values.preset ?? 'attn-only-2l');
  applyOverrides(preset, values);
  if (values.data !== undefined && values.data.trim() === '') throw new UsageError('train: --data expects a .txt file or a folder of them');
  await checkOutputDir(values.out, '--out');
  return (await trainInTerminal({ preset, out: values.out, data: values.data ?? 'brown' }, { json })).code;
}

function getPresetOrUsage(name: string): Preset {
  try {
    return getPreset(name);
  } catch (e) {
    throw new UsageError(`train: ${(e as Error).message}`);
  }
}

/** Each number flag's range: beyond it a run would not start, run out of memory, or mean nothing. */
const RANGES: Record<string, { min: number; max: number }> = {
  steps: { min: 1, max: 10_000_000 }, decay: { min: 1, max: 10_000_000 }, 'min-lr': { min: 0, max: 1e3 }, 'batch-size': { min: 1, max: 4096 }, warmup: { min: 0, max: 10_000_000 },
  'eval-every': { min: 0, max: 10_000_000 }, 'log-every': { min: 0, max: 10_000_000 }, seed: { min: 0, max: 2 ** 31 - 1 },
  lr: { min: 1e-12, max: 1e3 }, 'repeat-fraction': { min: 0, max: 1 }, 'random-repeat-fraction': { min: 0, max: 1 },
  'curriculum-steps': { min: 0, max: 10_000_000 }, 'curriculum-until': { min: 0, max: 100 }, 'checkpoint-every': { min: 0, max: 10_000_000 },
  modulus: { min: 3, max: 1000 }, 'train-fraction': { min: 0.01, max: 0.99 }, digits: { min: 3, max: 9 },
};

function num(flag: string, v: string | undefined, integer: boolean): number | undefined {
  return numberOption('train', flag, v, { integer, ...RANGES[flag]! });
}

function applyOverrides(p: Preset, v: Record<string, unknown>): void {
  const t = p.train as TrainConfig;
  const set = <K extends keyof TrainConfig>(k: K, x: TrainConfig[K] | undefined) => { if (x !== undefined) t[k] = x; };
  set('steps', num('steps', v['steps'] as string | undefined, true));
  set('lr', num('lr', v['lr'] as string | undefined, false));
  set('batchSize', num('batch-size', v['batch-size'] as string | undefined, true));
  set('warmup', num('warmup', v['warmup'] as string | undefined, true));
  set('minLr', num('min-lr', v['min-lr'] as string | undefined, false));
  const decay = v['decay'] as string | undefined;
  if (decay === 'none') delete t.decay;
  else set('decay', num('decay', decay, true));
  set('checkpointEvery', num('checkpoint-every', v['checkpoint-every'] as string | undefined, true));
  if (v['checkpoints'] !== undefined) {
    try {
      t.keepCheckpoints = parseCheckpointSchedule(v['checkpoints'] as string);
    } catch (e) {
      throw new UsageError(`train: --checkpoints: ${(e as Error).message}`);
    }
  }
  set('evalEvery', num('eval-every', v['eval-every'] as string | undefined, true));
  set('logEvery', Math.max(1, num('log-every', v['log-every'] as string | undefined, true) ?? t.logEvery));
  const seed = num('seed', v['seed'] as string | undefined, true);
  if (seed !== undefined) p.model['seed'] = seed;
  const rf = num('repeat-fraction', v['repeat-fraction'] as string | undefined, false);
  if (rf !== undefined) p.data.repeatFraction = rf;
  const rr = num('random-repeat-fraction', v['random-repeat-fraction'] as string | undefined, false);
  if (rr !== undefined) p.data.randomRepeatFraction = rr;
  const cs = num('curriculum-steps', v['curriculum-steps'] as string | undefined, true);
  if (cs !== undefined) p.data.curriculum = { ...p.data.curriculum, vocab: p.data.curriculum?.vocab ?? 256, steps: cs };
  const until = v['curriculum-until'] as string | undefined;
  if (until !== undefined) {
    if (!p.data.curriculum || p.data.curriculum.steps === 0) throw new UsageError(`train: --curriculum-until: preset ${p.name} has no curriculum; give --curriculum-steps N too`);
    if (until === 'none') delete p.data.curriculum.untilLoss;
    else p.data.curriculum.untilLoss = num('curriculum-until', until, false)!;
  }
  const ids = v['curriculum-ids'] as string | undefined;
  if (ids !== undefined) {
    if (ids !== 'first' && ids !== 'frequent') throw new UsageError(`train: --curriculum-ids ${ids}: expected 'first' or 'frequent'`);
    if (!p.data.curriculum || p.data.curriculum.steps === 0) throw new UsageError(`train: --curriculum-ids: preset ${p.name} has no curriculum; give --curriculum-steps N too`);
    if (ids === 'frequent') p.data.curriculum.ids = 'frequent';
    else delete p.data.curriculum.ids;
  }
  const tokenizer = v['tokenizer'] as string | undefined;
  if (tokenizer !== undefined) {
    if (p.data.task) throw new UsageError(`train: --tokenizer: preset ${p.name} trains on a task, not text`);
    const m = /^bpe-(\d+)$/.exec(tokenizer);
    if (tokenizer === 'bytes') p.data.tokenizer = { kind: 'bytes' };
    else if (m && Number(m[1]) >= 258 && Number(m[1]) <= 65536) p.data.tokenizer = { kind: 'bpe', vocabSize: Number(m[1]) };
    else throw new UsageError(`train: --tokenizer ${tokenizer}: expected 'bytes' or 'bpe-N' with N from 258 to 65536 (e.g. bpe-2048)`);
  }
  const modulus = num('modulus', v['modulus'] as string | undefined, true);
  const fraction = num('train-fraction', v['train-fraction'] as string | undefined, false);
  if (modulus !== undefined || fraction !== undefined) {
    const task = p.data.task;
    if (!task || task.kind !== 'modular-addition') throw new UsageError(`train: --modulus and --train-fraction apply to the grokking presets (grokking, grokking-fast), not ${p.name}`);
    if (modulus !== undefined) {
      task.p = modulus;
      p.model['d_vocab'] = modulus + 1;
      p.model['d_vocab_out'] = modulus + 1;
    }
    if (fraction !== undefined) task.trainFraction = fraction;
    // Full batch: every training pair in every step.
    t.batchSize = Math.round(task.trainFraction * task.p * task.p);
    if (t.batchSize < 1 || t.batchSize >= task.p * task.p) throw new UsageError(`train: --train-fraction ${task.trainFraction} of ${task.p * task.p} pairs leaves no training or no held-out pair`);
  }
  const digits = num('digits', v['digits'] as string | undefined, true);
  if (digits !== undefined) {
    const task = p.data.task;
    if (!task || task.kind !== 'addition') throw new UsageError(`train: --digits applies to the addition preset, not ${p.name}`);
    setAdditionDigits(p, digits);
  }
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
  const warm = v['seq-len-warmup'] as string | undefined;
  if (warm === 'none') delete p.data.seqLenWarmup;
  else if (warm !== undefined) {
    const m = /^(\d+):(\d+)(?::(\d+))?$/.exec(warm);
    const [len, steps, rows] = m ? [Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : Number(m[3])] : [NaN, NaN, undefined];
    if (!m || p.data.task) throw new UsageError(`train: --seq-len-warmup ${warm}: ${p.data.task ? `preset ${p.name} trains on a task, not text` : "expected LEN:STEPS or LEN:STEPS:ROWS (e.g. 128:2000:32) or 'none'"}`);
    if (!(len >= 16 && len < t.seqLen) || !(steps >= 1 && steps <= 10_000_000)) {
      throw new UsageError(`train: --seq-len-warmup ${warm}: LEN must be from 16 to ${t.seqLen - 1} (shorter than the run's ${t.seqLen}) and STEPS at least 1`);
    }
    if (rows !== undefined && !(rows >= 1 && rows <= 4096)) throw new UsageError(`train: --seq-len-warmup ${warm}: ROWS must be from 1 to 4096`);
    p.data.seqLenWarmup = { seqLen: len, steps, ...(rows !== undefined ? { rows } : {}) };
  }
  try {
    validateConfig({ ...p.model, d_vocab: Math.max(2, (p.model['d_vocab'] as number | undefined) ?? 2) } as ConfigInput, '--set');
  } catch (e) {
    throw new UsageError(`train: ${(e as Error).message}`);
  }
}
