/**
 * A run's checkpoints over training: `RUN/checkpoints/step-<step, 7 digits>/`, each a model directory
 * (config.json + model.safetensors, plus tokenizer.json when the run has one), so every analysis reads a checkpoint
 * as it reads any model. The run's own top-level model is its latest state; the checkpoints are the history kept by
 * `train --checkpoints log:N|every:K`.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../engine/errors.js';

export const CHECKPOINTS_DIR = 'checkpoints';

/** One kept checkpoint: its training step and its model directory. */
export interface CheckpointEntry {
  step: number;
  dir: string;
}

/** The directory name of the checkpoint at `step` (zero-padded, so names sort by step). */
export function checkpointName(step: number): string {
  if (!Number.isInteger(step) || step < 0) throw new Error(`checkpointName: step must be a non-negative integer, got ${step}`);
  return `step-${String(step).padStart(7, '0')}`;
}

/** The model directory for `step` inside `runDir`. */
export function checkpointDir(runDir: string, step: number): string {
  return join(runDir, CHECKPOINTS_DIR, checkpointName(step));
}

/**
 * The checkpoints kept in `runDir`, in increasing step order. Directories that do not hold both config.json and
 * model.safetensors (a write killed midway) are skipped. An error if the run has no checkpoints folder.
 */
export async function listCheckpoints(runDir: string): Promise<CheckpointEntry[]> {
  const root = join(runDir, CHECKPOINTS_DIR);
  const names = await readdir(root).catch(() => {
    throw new InputError(`${runDir}: no ${CHECKPOINTS_DIR}/ folder (train with --checkpoints log:N or every:K to keep checkpoints over training)`);
  });
  const out: CheckpointEntry[] = [];
  for (const name of names) {
    const m = /^step-(\d+)$/.exec(name);
    if (!m) continue;
    const dir = join(root, name);
    const complete = await Promise.all(['config.json', 'model.safetensors'].map((f) => stat(join(dir, f)).then((s) => s.isFile(), () => false)));
    if (complete.every(Boolean)) out.push({ step: Number(m[1]), dir });
  }
  return out.sort((a, b) => a.step - b.step);
}
