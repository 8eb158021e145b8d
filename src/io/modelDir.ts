/**
 * Model directories on disk: `config.json` + `model.safetensors`. Reading detects the format (ours,
 * TransformerLens's, Hugging Face GPT-2) and imports it; writing is atomic per file, so a crash leaves either the
 * previous file or the new one, never a torn one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../engine/errors.js';
import type { HookedTransformerConfig } from '../model/config.js';
import {
  CONFIG_FILE, modelToFiles, readModelFiles, shardNames, WEIGHTS_FILE, WEIGHTS_INDEX_FILE, type LoadedModel,
} from '../model/import/modelFiles.js';
import type { StateDict } from '../model/weights.js';
import { openSafetensorsFile, type SafetensorsFile } from './safetensorsFile.js';

export { CONFIG_FILE, WEIGHTS_FILE, type LoadedModel };

/**
 * Reads `dir/config.json` and `dir/model.safetensors` (or the shards `model.safetensors.index.json` names), detects
 * the format and imports it to a validated config and a checked float32 StateDict in TransformerLens layout (the
 * core's `readModelFiles`). The weights are streamed: each file's header is read and validated, then each tensor is
 * read from its offset into its own array as the importer converts it, so the files' bytes are never all in memory
 * and peak memory stays near the float32 model's size. Errors name the file and the field or tensor.
 */
export async function readModelDir(dir: string): Promise<LoadedModel> {
  const where = (name: string) => join(dir, name);
  const files = await readFiles(dir, [CONFIG_FILE]);
  if (!files[CONFIG_FILE]) return readModelFiles(files, where);
  const open: SafetensorsFile[] = [];
  try {
    const parsed: Record<string, SafetensorsFile> = {};
    const whole = openSafetensorsFile(where(WEIGHTS_FILE));
    if (whole) {
      open.push(whole);
      parsed[WEIGHTS_FILE] = whole;
    } else {
      // A sharded Hugging Face checkpoint: model.safetensors.index.json names the shards.
      Object.assign(files, await readFiles(dir, [WEIGHTS_INDEX_FILE]));
      const index = files[WEIGHTS_INDEX_FILE];
      for (const name of index ? shardNames(index, where) : []) {
        const shard = openSafetensorsFile(where(name));
        if (!shard) continue; // the core names the missing shard
        open.push(shard);
        parsed[name] = shard;
      }
    }
    return readModelFiles(files, where, parsed);
  } finally {
    for (const f of open) f.close();
  }
}

/**
 * The named files of `dir` that exist, as bytes (views, not copies). A missing file is simply absent, so the core
 * reports it; any other read error names the path.
 */
export async function readFiles(dir: string, names: readonly string[]): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  // One after the other, so memory holds one model-sized buffer being read at a time.
  for (const name of names) {
    const path = join(dir, name);
    try {
      const b = await readFile(path);
      // A view, not `new Uint8Array(b)`, which would copy a model-sized buffer.
      out[name] = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      throw new InputError(`${path}: ${(e as Error).message}`, { cause: e });
    }
  }
  return out;
}

/**
 * Writes `config.json` and `model.safetensors` (plus `extraFiles`, e.g. a tokenizer) into `dir`, creating it: the
 * bytes of the core's `modelToFiles`. The weights are checked against the config first, so a directory that would
 * not read back is never written. See `writeFilesAtomically` for what a crash can and cannot leave behind.
 */
export async function writeModelDir(
  dir: string,
  config: HookedTransformerConfig,
  weights: StateDict,
  extraFiles: Readonly<Record<string, Uint8Array | string>> = {},
): Promise<void> {
  await writeFilesAtomically(dir, modelToFiles(config, weights, extraFiles, `writeModelDir ${dir}`));
}

const TEMP = /^\.(.+)\.[0-9a-f]{16}\.tmp$/;

/**
 * Writes several files into `dir` so that each is replaced whole or not at all. Every file first goes to a hidden
 * temporary name in the same directory (`.name.<random>.tmp`, same file system, so the rename is atomic) and is
 * fsynced; only when all are on disk are they renamed over their targets, in the order given, and the directory
 * fsynced. If anything fails before the renames, the temporaries are removed and the previous files are untouched.
 * A process killed mid-write leaves the previous files plus a stale temporary, which the next write to the same
 * names removes. What per-file renames cannot give is a joint switch: a crash in the microseconds between two
 * renames pairs the new first file with the old later ones.
 */
export async function writeFilesAtomically(dir: string, files: Readonly<Record<string, Uint8Array | string>>): Promise<void> {
  for (const name of Object.keys(files)) {
    if (name === '' || name.startsWith('.') || /[/\\]/.test(name)) throw new Error(`${dir}: ${JSON.stringify(name)} is not a plain file name`);
  }
  await mkdir(dir, { recursive: true });
  await removeStaleTemporaries(dir, new Set(Object.keys(files)));
  const temps: [string, string][] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const tmp = join(dir, `.${name}.${randomBytes(8).toString('hex')}.tmp`);
      temps.push([tmp, join(dir, name)]);
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(content);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    // A directory in a target's place would make its rename fail after earlier renames succeeded: refuse first.
    for (const [, target] of temps) {
      const st = await stat(target).catch(() => null);
      if (st?.isDirectory()) throw new InputError(`${target}: is a directory, cannot replace it with a file`);
    }
  } catch (e) {
    await Promise.all(temps.map(([tmp]) => unlink(tmp).catch(() => undefined)));
    // A write's error (ENOSPC, EIO) names no file: name the one being written.
    const err = e as NodeJS.ErrnoException;
    if (err.code && !err.path && temps.length > 0) err.path = temps.at(-1)![1];
    throw e;
  }
  for (const [tmp, target] of temps) await rename(tmp, target);
  await syncDir(dir);
}

async function removeStaleTemporaries(dir: string, names: ReadonlySet<string>): Promise<void> {
  const entries = await readdir(dir);
  await Promise.all(entries.map((e) => {
    const m = TEMP.exec(e);
    return m && names.has(m[1]!) ? unlink(join(dir, e)).catch(() => undefined) : undefined;
  }));
}

/** Makes the renames themselves durable; platforms that cannot fsync a directory (Windows) just skip it. */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // best effort
  } finally {
    await fh?.close();
  }
}
