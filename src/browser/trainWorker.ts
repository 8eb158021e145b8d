/**
 * The training worker (started by `startTraining`): prepares the preset's data (the Brown corpus fetched from beside
 * the bundle, or the page's documents), builds the preset's recipe (src/train/recipes.ts, as the CLI does), trains,
 * and posts steps, metrics records and finally the run directory's files. Pausing stops after the current step
 * with a checkpoint in memory; resuming continues from it exactly (the trainer's resume).
 */
import { trainingProbes } from '../analysis/trainingProbes.js';
import { brownDocuments, type Document } from '../data/index.js';
import { getRuntime, setRuntime, type Runtime } from '../engine/runtime.js';
import { HookedTransformer } from '../model/hookedTransformer.js';
import { checkpointToFiles, jsonFile, TOKENIZER_FILE } from '../model/import/modelFiles.js';
import type { Tokenizer } from '../tokenize/index.js';
import { getPreset, type Preset } from '../train/presets.js';
import { buildRecipe, type Recipe } from '../train/recipes.js';
import { prepareDocuments } from '../train/trainingData.js';
import { train, type Checkpoint, type MetricsRecord, type TrainOutcome } from '../train/trainer.js';
import type { TrainingEvent, TrainingRequest, WorkerCommand } from './protocol.js';
import { installWebRuntime } from './runtime.js';

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<WorkerCommand>) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;

function post(e: TrainingEvent): void {
  const transfer = e.type === 'done' || e.type === 'checkpoint' ? Object.values(e.files).map((b) => b.buffer as ArrayBuffer) : [];
  scope.postMessage(e, transfer);
}

/** A macrotask boundary: lets pause/stop messages in between a step's graph runs (promises alone never yield). */
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldToMessages = () => new Promise<void>((r) => { waiting.push(r); channel.port2.postMessage(null); });

function yieldingRuntime(inner: Runtime): Runtime {
  return {
    name: inner.name,
    async createSession(model) {
      const s = await inner.createSession(model);
      return {
        run: async (feeds, outputs, pre) => {
          await yieldToMessages();
          return s.run(feeds, outputs, pre);
        },
        release: () => s.release(),
      };
    },
  };
}

interface Run {
  preset: Preset;
  model: HookedTransformer;
  recipe: Recipe;
  tokenizer: Tokenizer;
  records: MetricsRecord[];
  description: string;
  probes: boolean;
  last: Checkpoint | null;
  ctrl: AbortController;
  /** Why the current stop was asked for. */
  stopFor: 'pause' | 'stop' | 'checkpoint' | null;
  checkpointIds: number[];
  paused: boolean;
  running: Promise<void> | null;
}

let run: Run | null = null;

scope.onmessage = (m) => {
  const c = m.data;
  if (c.type === 'start') {
    start(c.request).catch((e: unknown) => post({ type: 'error', message: (e as Error).message ?? String(e) }));
    return;
  }
  if (!run) return;
  if (c.type === 'pause' && !run.paused) {
    run.stopFor ??= 'pause';
    run.ctrl.abort();
  } else if (c.type === 'resume' && run.paused) {
    run.paused = false;
    post({ type: 'resumed', step: run.last?.step ?? 0 });
    runFrom(run, run.last ?? undefined);
  } else if (c.type === 'stop') {
    if (run.paused) finish(run, { status: 'stopped', step: run.last?.step ?? 0, tokens: run.last?.tokens ?? 0, finalLoss: run.records.at(-1)?.loss ?? NaN, message: `stopped at step ${run.last?.step ?? 0}` });
    else {
      run.stopFor = 'stop';
      run.ctrl.abort();
    }
  } else if (c.type === 'checkpoint') {
    if (run.paused) post({ type: 'checkpoint', id: c.id, step: run.last?.step ?? 0, files: runFiles(run) });
    else {
      run.checkpointIds.push(c.id);
      run.stopFor ??= 'checkpoint';
      run.ctrl.abort();
    }
  }
};

async function start(req: TrainingRequest): Promise<void> {
  const info = await installWebRuntime(req.runtime ?? {});
  setRuntime(yieldingRuntime(getRuntime()));
  post({ type: 'ready', backend: info.backend, threads: info.threads, crossOriginIsolated: info.crossOriginIsolated });
  const preset = typeof req.preset === 'string' ? getPreset(req.preset) : structuredClone(req.preset);
  // The grokking presets train on modular addition from the CLI (io/trainRun.ts); the page trains text presets.
  if (preset.data.task) throw new Error(`training: preset ${preset.name} is modular addition, which trains from the command line (circuitscope train --preset ${preset.name}), not in the page`);
  const docs = req.documents
    ? req.documents.map((text, i): Document => ({ id: `document ${i + 1}`, text: text.replace(/\r\n?/g, '\n') }))
    : await brown(req.brownUrl ?? new URL('./brown-corpus.json', import.meta.url).href);
  if (docs.length === 0 || docs.every((d) => d.text.trim() === '')) throw new Error('training: the documents are empty');
  const { tokenizer, train: trainTokens, validation, description } = prepareDocuments(docs, preset.data.tokenizer, req.documents ? 'documents' : 'brown', {
    onProgress: (message) => post({ type: 'note', message }),
  });
  post({ type: 'note', message: description });
  const recipe = buildRecipe(preset, { tokenizer, train: trainTokens, validation });
  run = {
    preset, recipe, tokenizer, description, records: [], probes: req.probes ?? true, last: null, ctrl: new AbortController(),
    model: new HookedTransformer(recipe.config, recipe.initialWeights?.(), tokenizer), stopFor: null, checkpointIds: [], paused: false, running: null,
  };
  runFrom(run);
}

function runFrom(r: Run, resume?: Checkpoint): void {
  r.ctrl = new AbortController();
  r.stopFor = null;
  r.running = train(r.model, r.recipe.train, r.recipe.validation, r.preset.train, {
    signal: r.ctrl.signal,
    onStep: (step, loss, tokensPerS) => post({ type: 'step', step, loss, tokensPerS }),
    saveCheckpoint: async (c) => { r.last = c; },
    probe: async (m, step) => (r.probes && r.recipe.probeAt(step) ? trainingProbes(m, r.recipe.icl, r.recipe.trainedContext?.(step)) : {}),
    onMetrics: async (record) => {
      r.records.push(record);
      post({ type: 'metrics', record });
    },
  }, resume).then((outcome) => afterRun(r, outcome), (e: unknown) => post({ type: 'error', message: (e as Error).message ?? String(e) }));
}

function afterRun(r: Run, outcome: TrainOutcome): void {
  if (outcome.status !== 'stopped' || r.stopFor === 'stop') {
    finish(r, outcome);
    return;
  }
  const step = r.last?.step ?? 0;
  for (const id of r.checkpointIds.splice(0)) post({ type: 'checkpoint', id, step, files: runFiles(r) });
  if (r.stopFor === 'pause') {
    r.paused = true;
    post({ type: 'paused', step });
  } else {
    runFrom(r, r.last ?? undefined);
  }
}

function finish(r: Run, outcome: TrainOutcome): void {
  for (const id of r.checkpointIds.splice(0)) post({ type: 'checkpoint', id, step: r.last?.step ?? 0, files: runFiles(r) });
  post({ type: 'done', outcome, files: runFiles(r) });
  run = null;
}

/** The run directory's files, as the CLI writes them: the checkpoint, tokenizer.json, metrics.jsonl, run.json. */
function runFiles(r: Run): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {
    [TOKENIZER_FILE]: jsonFile(r.tokenizer.toJSON()),
    'run.json': jsonFile({ preset: r.preset, data: 'browser', dataDescription: r.description, mix: r.recipe.train.describe() }),
    'metrics.jsonl': new TextEncoder().encode(r.records.filter((x) => x.step <= (r.last?.step ?? 0)).map((x) => `${JSON.stringify(x)}\n`).join('')),
  };
  if (r.last) Object.assign(files, checkpointToFiles(r.model.cfg, r.last));
  return files;
}

async function brown(url: string): Promise<Document[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${res.statusText} (the Brown corpus file is built beside the bundle by npm run build)`);
  const files = (await res.json()) as Record<string, string>;
  return brownDocuments(Object.entries(files).map(([name, contents]) => ({ name, contents })));
}
