import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HookedTransformerConfig } from '../model/config.js';
import { parseSafetensors, serializeSafetensors } from '../model/safetensors.js';
import type { StateDict } from '../model/weights.js';
import { parseTrainerState, serializeTrainerState } from '../train/checkpoint.js';
import type { Checkpoint, MetricsRecord } from '../train/trainer.js';
import { writeFilesAtomically } from './modelDir.js';

/**
 * A training run's directory. It is also a model directory (config.json + model.safetensors, TransformerLens
 * names), so `analyze` and `loadModel` read it as it is; beside them: tokenizer.json, trainer_state.safetensors
 * (AdamW moments, step, data position), run.json (preset, training config, data) and metrics.jsonl.
 * Every file but metrics.jsonl is replaced atomically; the trainer state is written last, so a crash between
 * files leaves a state whose step is never ahead of the weights it was saved with.
 */
export class RunDir {
  constructor(readonly dir: string) {}

  static async create(dir: string): Promise<RunDir> {
    await mkdir(dir, { recursive: true });
    return new RunDir(dir);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  async exists(name: string): Promise<boolean> {
    try {
      await stat(this.path(name));
      return true;
    } catch {
      return false;
    }
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    await writeFilesAtomically(this.dir, { [name]: `${JSON.stringify(value, null, 2)}\n` });
  }

  async readJson(name: string): Promise<unknown> {
    const text = await readFile(this.path(name), 'utf8').catch(() => {
      throw new Error(`${this.path(name)}: no such file`);
    });
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${this.path(name)}: not valid JSON`);
    }
  }

  /** Saves weights, config and trainer state (the checkpoint), in that order. */
  async saveCheckpoint(cfg: HookedTransformerConfig, c: Checkpoint): Promise<void> {
    // Renamed in this order: the trainer state, whose step says how far the run got, comes last.
    await writeFilesAtomically(this.dir, {
      'config.json': `${JSON.stringify(cfg, null, 2)}\n`,
      'model.safetensors': serializeSafetensors(c.weights, { format: 'pt', step: String(c.step) }),
      'trainer_state.safetensors': serializeTrainerState(c),
    });
  }

  /** The checkpoint to resume from: the weights and the trainer state saved with them. */
  async loadCheckpoint(): Promise<Checkpoint> {
    const where = this.path('model.safetensors');
    const bytes = await readFile(where).catch(() => {
      throw new Error(`${this.dir}: no checkpoint to resume (model.safetensors is missing)`);
    });
    const weights = parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), where).tensors as StateDict;
    const stateWhere = this.path('trainer_state.safetensors');
    const state = await readFile(stateWhere).catch(() => {
      throw new Error(`${this.dir}: no trainer state to resume (trainer_state.safetensors is missing)`);
    });
    return parseTrainerState(new Uint8Array(state.buffer, state.byteOffset, state.byteLength), weights, stateWhere);
  }

  async appendMetrics(r: MetricsRecord): Promise<void> {
    await appendFile(this.path('metrics.jsonl'), `${JSON.stringify(r)}\n`);
  }

  /** Metrics records already written (resuming keeps those up to the checkpoint's step and drops the rest). */
  async readMetrics(): Promise<MetricsRecord[]> {
    const text = await readFile(this.path('metrics.jsonl'), 'utf8').catch(() => '');
    return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as MetricsRecord);
  }

  async rewriteMetrics(records: readonly MetricsRecord[]): Promise<void> {
    await writeFilesAtomically(this.dir, { 'metrics.jsonl': records.map((r) => `${JSON.stringify(r)}\n`).join('') });
  }
}
