/**
 * Training in a Web Worker, driven from the page: the trainer and its presets run in the worker (the page stays
 * responsive), report steps and metrics records as they come, pause, resume and stop, and hand back the run as the
 * files of a run directory, which Node's `loadModel` and `circuitscope analyze` read.
 */
import type { MetricsRecord, TrainOutcome } from '../train/trainer.js';
import type { TrainingEvent, TrainingRequest, WorkerCommand } from './protocol.js';

export type { TrainingEvent, TrainingRequest } from './protocol.js';

export interface TrainingJob {
  /** Every event, in order (steps, metrics, notes, pauses...). */
  onEvent(listener: (e: TrainingEvent) => void): void;
  /** The metrics records so far: the lines metrics.jsonl would hold. */
  readonly metrics: readonly MetricsRecord[];
  /** Pauses after the current step (resolves with that step); `resume()` continues exactly where it stopped. */
  pause(): Promise<number>;
  resume(): void;
  /** Stops after the current step; `result` then resolves with status `stopped` and the files so far. */
  stop(): void;
  /** The run's files as they are now (weights, trainer state, tokenizer, metrics); training continues. */
  checkpoint(): Promise<Record<string, Uint8Array>>;
  /** The outcome and the run directory's files, when training ends; rejects with the worker's error. */
  readonly result: Promise<{ outcome: TrainOutcome; files: Record<string, Uint8Array> }>;
  /** Ends the worker at once (no files). */
  terminate(): void;
}

export interface StartOptions {
  /** The worker script (default: the one beside this module, circuitscope-worker.js in the prebuilt bundle). */
  workerUrl?: string | URL;
}

/** Starts training `request` in a new Web Worker. */
export function startTraining(request: TrainingRequest, opts: StartOptions = {}): TrainingJob {
  const worker = opts.workerUrl
    ? new Worker(opts.workerUrl, { type: 'module' })
    : new Worker(new URL('./trainWorker.js', import.meta.url), { type: 'module' });
  const listeners: ((e: TrainingEvent) => void)[] = [];
  const metrics: MetricsRecord[] = [];
  const pending = new Map<number, (files: Record<string, Uint8Array>) => void>();
  const pauses: ((step: number) => void)[] = [];
  let nextId = 1;
  let settle!: { resolve: (r: { outcome: TrainOutcome; files: Record<string, Uint8Array> }) => void; reject: (e: Error) => void };
  const result = new Promise<{ outcome: TrainOutcome; files: Record<string, Uint8Array> }>((resolve, reject) => { settle = { resolve, reject }; });
  const send = (c: WorkerCommand) => worker.postMessage(c);
  worker.onmessage = (m: MessageEvent<TrainingEvent>) => {
    const e = m.data;
    if (e.type === 'metrics') metrics.push(e.record);
    if (e.type === 'paused') pauses.splice(0).forEach((r) => r(e.step));
    if (e.type === 'checkpoint') {
      pending.get(e.id)?.(e.files);
      pending.delete(e.id);
    }
    for (const l of listeners) l(e);
    if (e.type === 'done') {
      settle.resolve({ outcome: e.outcome, files: e.files });
      worker.terminate();
    }
    if (e.type === 'error') {
      settle.reject(new Error(e.message));
      worker.terminate();
    }
  };
  worker.onerror = (e) => {
    e.preventDefault();
    settle.reject(new Error(`training worker: ${e.message || 'failed to load'}`));
  };
  send({ type: 'start', request });
  return {
    onEvent: (l) => listeners.push(l),
    metrics,
    pause: () => new Promise<number>((r) => { pauses.push(r); send({ type: 'pause' }); }),
    resume: () => send({ type: 'resume' }),
    stop: () => send({ type: 'stop' }),
    checkpoint: () => new Promise((r) => {
      const id = nextId++;
      pending.set(id, r);
      send({ type: 'checkpoint', id });
    }),
    result,
    terminate: () => worker.terminate(),
  };
}
