/** Messages between a page (src/browser/training.ts) and the training worker (src/browser/trainWorker.ts). */
import type { Preset } from '../train/presets.js';
import type { MetricsRecord, TrainOutcome } from '../train/trainer.js';
import type { WebRuntimeOptions } from './runtime.js';

/** What to train. */
export interface TrainingRequest {
  /** A preset's name (`attn-only-2l`, ...) or a whole preset (e.g. `getPreset(name)` with fields changed). */
  preset: string | Preset;
  /**
   * The text to train on, one string per document, instead of the Brown corpus. The corpus is split into training
   * and validation documents and tokenised as the CLI does with `--data`.
   */
  documents?: readonly string[];
  /** Where the Brown corpus file is (default: brown-corpus.json beside the worker). */
  brownUrl?: string;
  /** onnxruntime-web options inside the worker (threads, wasm location). */
  runtime?: WebRuntimeOptions;
  /** Head detector and in-context-learning scores at evaluation steps, as the CLI logs them (default true). */
  probes?: boolean;
}

export type WorkerCommand =
  | { type: 'start'; request: TrainingRequest }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'checkpoint'; id: number };

/** What the worker reports, in order: `ready`, notes, steps and metrics, then `done` (or `error`). */
export type TrainingEvent =
  | { type: 'ready'; backend: string; threads: number; crossOriginIsolated: boolean }
  | { type: 'note'; message: string }
  | { type: 'step'; step: number; loss: number; tokensPerS: number }
  /** A record of metrics.jsonl, as the CLI writes it. */
  | { type: 'metrics'; record: MetricsRecord }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'checkpoint'; id: number; step: number; files: Record<string, Uint8Array> }
  /** The run ended (`outcome.status`: done, stopped or diverged) with its files: a run directory's. */
  | { type: 'done'; outcome: TrainOutcome; files: Record<string, Uint8Array> }
  | { type: 'error'; message: string };
