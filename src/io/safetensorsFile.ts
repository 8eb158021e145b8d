/**
 * safetensors files read from disk piecewise: the header at once, then each tensor's byte range straight into its
 * own array when the importer asks for it (`fs.readSync` at the tensor's offset), so a checkpoint's bytes are never
 * all in memory at once. The validation and messages are the core's (`parseSafetensorsSource`).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../engine/errors.js';
import { parseSafetensorsSource, type Safetensors } from '../model/safetensors.js';

/** An open safetensors file: its tensors read from the file while it is open; `close` when done importing. */
export interface SafetensorsFile extends Safetensors {
  close(): void;
}

/**
 * Opens `path` and parses its header; null when the file does not exist. Read errors name the path (one line).
 * The caller must `close()` it; its tensors cannot be read after that.
 */
export function openSafetensorsFile(path: string): SafetensorsFile | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`${path}: ${(e as Error).message}`, { cause: e });
  }
  let open = true;
  const close = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  try {
    const byteLength = fstatSync(fd).size;
    const source = {
      byteLength,
      read(offset: number, into: Uint8Array): void {
        if (!open) throw new Error(`${path}: read after close`);
        let done = 0;
        try {
          while (done < into.length) {
            const n = readSync(fd, into, done, into.length - done, offset + done);
            if (n === 0) throw new Error(`file ended at byte ${offset + done} (changed while reading?)`);
            done += n;
          }
        } catch (e) {
          throw new InputError(`${path}: ${(e as Error).message}`, { cause: e });
        }
      },
    };
    const { tensors, metadata } = parseSafetensorsSource(source, path);
    return { tensors, metadata, close };
  } catch (e) {
    close();
    throw e;
  }
}

/** Reads a whole safetensors file eagerly (every tensor in its own array) and closes it; null when missing. */
export function readSafetensorsFile(path: string): Safetensors | null {
  const f = openSafetensorsFile(path);
  if (!f) return null;
  try {
    const tensors: Safetensors['tensors'] = {};
    for (const [k, t] of Object.entries(f.tensors)) tensors[k] = t;
    return { tensors, metadata: f.metadata };
  } finally {
    f.close();
  }
}
