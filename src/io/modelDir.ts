/**
 * Model directories on disk: `config.json` + `model.safetensors`. Reading detects the format (ours,
 * TransformerLens's, Hugging Face GPT-2) and imports it; writing is atomic per file, so a crash leaves either the
 * previous file or the new one, never a torn one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../engine/errors.js';
import { ConfigError, type HookedTransformerConfig } from '../model/config.js';
import { importModel, type ModelFormat } from '../model/import/index.js';
import { parseSafetensors, serializeSafetensors } from '../model/safetensors.js';
import { checkWeights, type StateDict } from '../model/weights.js';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';

/** A model read from a directory, with the format it was stored in. */
export interface LoadedModel {
  config: HookedTransformerConfig;
  weights: StateDict;
  format: ModelFormat;
}

/**
 * Reads `dir/config.json` and `dir/model.safetensors`, detects the format and imports it to a validated config and
 * a checked float32 StateDict in TransformerLens layout. Errors name the file and the field or tensor.
 */
export async function readModelDir(dir: string): Promise<LoadedModel> {
  const configPath = join(dir, CONFIG_FILE);
  const weightsPath = join(dir, WEIGHTS_FILE);
  // One after the other, so a directory missing both files always reports config.json first.
  const configText = await readOrExplain(configPath, 'utf8');
  const weightBytes = await readOrExplain(weightsPath);
  let json: unknown;
  try {
    json = JSON.parse(configText);
  } catch (e) {
    throw new InputError(`${configPath}: not valid JSON (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  const { tensors } = parseSafetensors(weightBytes, weightsPath);
  const where = { config: configPath, weights: weightsPath };
  try {
    return importModel(json, tensors, where);
  } catch (e) {
    // Some config errors are phrased "config field x: ..."; make sure every message says which file.
    const msg = (e as Error).message;
    if (msg.includes(configPath) || msg.includes(weightsPath)) throw e;
    const Same = e instanceof ConfigError ? ConfigError : e instanceof InputError ? InputError : Error;
    throw new Same(`${configPath}: ${msg}`, { cause: e });
  }
}

async function readOrExplain(path: string): Promise<Uint8Array>;
async function readOrExplain(path: string, encoding: 'utf8'): Promise<string>;
async function readOrExplain(path: string, encoding?: 'utf8'): Promise<Uint8Array | string> {
  try {
    if (encoding) return await readFile(path, encoding);
    const b = await readFile(path);
    // A view, not `new Uint8Array(b)`, which would copy a model-sized buffer.
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${path}: no such file` : `${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Writes `config.json` and `model.safetensors` (plus `extraFiles`, e.g. a tokenizer) into `dir`, creating it.
 * The weights are checked against the config first, so a directory that would not read back is never written.
 * See `writeFilesAtomically` for what a crash can and cannot leave behind.
 */
export async function writeModelDir(
  dir: string,
  config: HookedTransformerConfig,
  weights: StateDict,
  extraFiles: Readonly<Record<string, Uint8Array | string>> = {},
): Promise<void> {
  checkWeights(config, weights, `writeModelDir ${dir}`);
  for (const name of Object.keys(extraFiles)) {
    if (name === CONFIG_FILE || name === WEIGHTS_FILE) throw new Error(`writeModelDir ${dir}: extra file ${name} would replace the model's own`);
  }
  const files: Record<string, Uint8Array | string> = { ...extraFiles };
  files[WEIGHTS_FILE] = serializeSafetensors(weights, { format: 'pt' });
  // config.json last: it is renamed last, so a reader never sees a new config beside weights still being written.
  files[CONFIG_FILE] = `${JSON.stringify(config, null, 2)}\n`;
  await writeFilesAtomically(dir, files);
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
