/**
 * Models from and to files in the browser: the bytes of a model directory, or the `File`s of a dropped folder (or
 * an `<input type="file" webkitdirectory>`), in any format Node's `loadModel` reads.
 */
import { HookedTransformer } from '../model/hookedTransformer.js';
import {
  CONFIG_FILE, modelToFiles, readModelFiles, shardNames, TOKENIZER_FILE, tokenizerFromFiles, WEIGHTS_FILE, TRAINER_STATE_FILE,
  WEIGHTS_INDEX_FILE,
} from '../model/import/modelFiles.js';
import { processWeights, type ProcessOptions } from '../model/processing.js';
import type { Tokenizer } from '../tokenize/index.js';
import { loadGpt2Vocabulary } from './gpt2Vocabulary.js';

/** A model directory's files: bytes by file name, or `File`s (a dropped folder's, or from a file input). */
export type ModelFileInput = Readonly<Record<string, Uint8Array>> | Iterable<File> | ArrayLike<File>;

export interface LoadFromFilesOptions {
  /** As Node's `loadModel`: TransformerLens's weight processing (default false: weights as stored). */
  processWeights?: boolean | ProcessOptions;
}

/** The files a model directory is read from; others (metrics.jsonl, reference data...) are never read. */
const MODEL_FILES = [CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE, TRAINER_STATE_FILE, WEIGHTS_INDEX_FILE];

/**
 * Loads a model from its files, detecting the format as Node's `loadModel` does (a circuitscope run with its
 * tokenizer, a TransformerLens state dict, a Hugging Face GPT-2), and returns the same `HookedTransformer`. For
 * `File`s only the top-level `config.json`, `model.safetensors` (or, without it, `model.safetensors.index.json` and
 * the shards it names) and `tokenizer.json` are read. Errors are one line naming the file.
 */
export async function loadModelFromFiles(input: ModelFileInput, opts: LoadFromFilesOptions = {}): Promise<HookedTransformer> {
  const { files, where } = await filesToBytes(input);
  let { config, weights } = readModelFiles(files, where);
  if (opts.processWeights) {
    const p = processWeights(config, weights, opts.processWeights === true ? {} : opts.processWeights);
    config = p.config;
    weights = p.weights;
  }
  // GPT-2's own vocabulary gets the native GPT-2 tokenizer even beside a Hugging Face tokenizer.json.
  if (config.tokenizer_name === 'gpt2') await loadGpt2Vocabulary();
  return new HookedTransformer(config, weights, tokenizerFromFiles(files, config.tokenizer_name, where));
}

/**
 * A model as the files of a model directory (`config.json`, `model.safetensors`, and `tokenizer.json` when its
 * tokenizer is one of circuitscope's): the same bytes Node's `writeModelDir` writes, which Node's `loadModel` and
 * `loadModelFromFiles` read back.
 */
export function saveModelToFiles(model: HookedTransformer, extraFiles: Readonly<Record<string, Uint8Array | string>> = {}): Record<string, Uint8Array> {
  const tok = model.tokenizer as Partial<Tokenizer> | null;
  const extra: Record<string, Uint8Array | string> = { ...extraFiles };
  if (tok && typeof tok.toJSON === 'function' && !(TOKENIZER_FILE in extra)) extra[TOKENIZER_FILE] = `${JSON.stringify(tok.toJSON(), null, 2)}\n`;
  return modelToFiles(model.cfg, model.weights, extra, 'saveModelToFiles');
}

/** The model files among `input` as bytes by bare name, and how to name them in errors (with the folder, if any). */
export async function filesToBytes(input: ModelFileInput): Promise<{ files: Record<string, Uint8Array>; where: (name: string) => string }> {
  const list = fileArray(input);
  if (!list) {
    const files: Record<string, Uint8Array> = {};
    for (const [name, bytes] of Object.entries(input as Record<string, unknown>)) {
      if (!(bytes instanceof Uint8Array)) throw new Error(`${name}: expected the file's bytes as a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
      files[name] = bytes;
    }
    return { files, where: (n) => n };
  }
  const byName = new Map<string, File>();
  let folder = '';
  for (const f of list) {
    const rel = f.webkitRelativePath || f.name;
    const parts = rel.split('/');
    // A dropped folder's files are "folder/name"; deeper files belong to sub-folders, not to this model.
    if (parts.length > 2 || !(MODEL_FILES.includes(f.name) || f.name.endsWith('.safetensors'))) continue;
    if (parts.length === 2) folder = `${parts[0]}/`;
    if (byName.has(f.name)) throw new Error(`${rel}: two files named ${f.name}; give the files of one model folder`);
    byName.set(f.name, f);
  }
  const files: Record<string, Uint8Array> = {};
  const where = (n: string): string => `${folder}${n}`;
  for (const [name, f] of byName) if (MODEL_FILES.includes(name)) files[name] = new Uint8Array(await f.arrayBuffer());
  // A sharded checkpoint: only the shards its index names (never other .safetensors, e.g. reference logits).
  const index = files[WEIGHTS_INDEX_FILE];
  if (index && !files[WEIGHTS_FILE]) {
    for (const name of shardNames(index, where)) {
      const f = byName.get(name);
      if (f) files[name] = new Uint8Array(await f.arrayBuffer());
    }
  }
  return { files, where };
}

/** The `File`s of a FileList, an array or any iterable; null for a record of bytes. */
function fileArray(x: ModelFileInput): File[] | null {
  if (Symbol.iterator in Object(x)) return [...(x as Iterable<File>)];
  if (typeof (x as ArrayLike<File>).length === 'number' && !((x as Record<string, unknown>)['length'] instanceof Uint8Array)) return Array.from(x as ArrayLike<File>);
  return null;
}
