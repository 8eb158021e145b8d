import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HookedTransformerConfig } from '../model/config.js';
import { parseSafetensors } from '../model/safetensors.js';
import type { StateDict } from '../model/weights.js';
import { InputError } from '../engine/errors.js';
import { parseTrainerState } from '../train/checkpoint.js';
import type { Checkpoint, MetricsRecord } from '../train/trainer.js';
import { writeFilesAtomically } from './modelDir.js';
import { checkpointToFiles, STATE_WEIGHTS } from '../model/import/modelFiles.js';

/**
 * A training run's directory. It is also a model directory (config.json + model.safetensors, TransformerLens
 * names), so `analyze` and `loadModel` read it as it is; beside them: tokenizer.json, trainer_state.safetensors
 * (AdamW moments, step, data position), run.json (preset, training config, data) and metrics.jsonl.
 * Every file but metrics.jsonl is replaced atomically; the trainer state is written last, so a crash between
 * files leaves a state whose step is never ahead of the weights it was saved with.
 */
/** Prefix of the weights' copy inside trainer_state.safetensors. */

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
      throw new InputError(`${this.path(name)}: no such file`);
    });
    try {
      return JSON.parse(text);
    } catch {
      throw new InputError(`${this.path(name)}: not valid JSON`);
    }
  }

  /**
   * Saves config, weights and trainer state (the checkpoint), renamed in that order. The trainer state also holds
   * a copy of the weights (`weights.<name>`): a process killed between the two renames leaves new weights beside
   * the previous state, and resuming then takes the state's own weights, so it continues exactly.
   */
  async saveCheckpoint(cfg: HookedTransformerConfig, c: Checkpoint): Promise<void> {
    await writeFilesAtomically(this.dir, checkpointToFiles(cfg, c));
  }

  /** The checkpoint to resume from: the weights and the trainer state saved with them. */
  async loadCheckpoint(): Promise<Checkpoint> {
    const where = this.path('model.safetensors');
    const bytes = await readFile(where).catch(() => {
      throw new Error(`${this.dir}: no checkpoint to resume (model.safetensors is missing)`);
    });
    const model = parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), where);
    const stateWhere = this.path('trainer_state.safetensors');
    const state = await readFile(stateWhere).catch(() => {
      throw new InputError(`${this.dir}: no trainer state to resume (trainer_state.safetensors is missing)`);
    });
    const stateBytes = new Uint8Array(state.buffer, state.byteOffset, state.byteLength);
    const parsed = parseSafetensors(stateBytes, stateWhere);
    let weights = model.tensors as StateDict;
    if (model.metadata['step'] !== parsed.metadata['step']) {
      // Killed between the renames of a checkpoint: the state is the previous checkpoint's, with its weights.
      const own: StateDict = {};
      for (const name of Object.keys(weights)) {
        const t = parsed.tensors[`${STATE_WEIGHTS}${name}`];
        if (!t) throw new InputError(`${this.dir}: model.safetensors is at step ${model.metadata['step']} but trainer_state.safetensors at step ${parsed.metadata['step']}, without its own weights; the run cannot continue exactly`);
        own[name] = t as StateDict[string];
      }
      weights = own;
    }
    return parseTrainerState(stateBytes, weights, stateWhere);
  }

  async appendMetrics(r: MetricsRecord): Promise<void> {
    await appendFile(this.path('metrics.jsonl'), `${JSON.stringify(r)}\n`);
  }

  /** Metrics records already written (resuming keeps those up to the checkpoint's step and drops the rest). */
  async readMetrics(): Promise<MetricsRecord[]> {
    const text = await readFile(this.path('metrics.jsonl'), 'utf8').catch(() => '');
    // A process killed (or a disk filled) mid-append leaves a torn last line: it is dropped, as it was never logged.
    const out: MetricsRecord[] = [];
    for (const l of text.split('\n')) {
      if (!l.trim()) continue;
      try {
        out.push(JSON.parse(l) as MetricsRecord);
      } catch {
        // torn line
      }
    }
    return out;
  }

  async rewriteMetrics(records: readonly MetricsRecord[]): Promise<void> {
    await writeFilesAtomically(this.dir, { 'metrics.jsonl': records.map((r) => `${JSON.stringify(r)}\n`).join('') });
  }
}
