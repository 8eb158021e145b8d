/**
 * Model directories as bytes: `{ 'config.json': Uint8Array, 'model.safetensors': Uint8Array, ... }`, wherever they
 * came from (a directory on disk, a dropped folder, a fetch, a Web Worker). Reading detects the format (ours,
 * TransformerLens's, Hugging Face GPT-2) and imports it with its tokenizer; writing gives the exact bytes Node's
 * `writeModelDir` and the trainer's run directories put on disk. No file system here: src/io reads and writes the
 * files and calls these.
 */
import { InputError } from '../../engine/errors.js';
import type { Tensor } from '../../engine/tensor.js';
import { Gpt2Tokenizer, tokenizerFromJSON, type Tokenizer } from '../../tokenize/index.js';
import { serializeTrainerState } from '../../train/checkpoint.js';
import type { Checkpoint } from '../../train/trainer.js';
import { ConfigError, type HookedTransformerConfig } from '../config.js';
import { parseSafetensors, serializeSafetensors, type Safetensors } from '../safetensors.js';
import { checkWeights, type StateDict } from '../weights.js';
import { configMetadata, configToFile, withConfigMetadata } from './configFile.js';
import { importModel, type ModelFormat } from './index.js';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TRAINER_STATE_FILE = 'trainer_state.safetensors';
/** A sharded checkpoint's index (Hugging Face): `{"weight_map": {tensor: shard file}}`. */
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

/** A model directory's files by name (no folders: `config.json`, not `run/config.json`). */
export type ModelFiles = Readonly<Record<string, Uint8Array>>;

/** A model read from files, with the format it was stored in. */
export interface LoadedModel {
  config: HookedTransformerConfig;
  weights: StateDict;
  format: ModelFormat;
}

/**
 * Weights files already parsed, by file name (`model.safetensors`, or the shards): Node's src/io passes files it
 * reads piecewise (`parseSafetensorsSource`); a file given here is used instead of bytes of the same name.
 */
export type ParsedWeights = Readonly<Record<string, Safetensors>>;

/** How to name a file in error messages (Node passes its path; default: the bare name). */
export type Where = (name: string) => string;

const bare: Where = (name) => name;

/**
 * Parses `config.json` and `model.safetensors`, detects the format and imports it to a validated config and a
 * checked float32 StateDict in TransformerLens layout. Errors are one line and name the file and the field or
 * tensor; a missing config.json is reported before a missing model.safetensors. Weights files in `parsed` are
 * taken as they are instead of from `files`.
 */
export function readModelFiles(files: ModelFiles, where: Where = bare, parsed: ParsedWeights = {}): LoadedModel {
  const configPath = where(CONFIG_FILE);
  const weightsPath = where(WEIGHTS_FILE);
  const configBytes = files[CONFIG_FILE];
  if (!configBytes) throw new InputError(`${configPath}: no such file`);
  const weightBytes = files[WEIGHTS_FILE];
  const weightsParsed = parsed[WEIGHTS_FILE];
  const indexBytes = files[WEIGHTS_INDEX_FILE];
  if (!weightBytes && !weightsParsed && !indexBytes) throw new InputError(`${weightsPath}: no such file`);
  let json: unknown;
  try {
    json = JSON.parse(utf8(configBytes));
  } catch (e) {
    throw new InputError(`${configPath}: not valid JSON (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  const { tensors, metadata } = weightsParsed ?? (weightBytes ? parseSafetensors(weightBytes, weightsPath, { lazyHalf: true }) : readShards(files, where, parsed));
  try {
    const m = importModel(json, tensors, { config: configPath, weights: weightsPath });
    return { ...m, config: withConfigMetadata(m.config, json as Record<string, unknown>, metadata, weightsPath) };
  } catch (e) {
    // Some config errors are phrased "config field x: ..."; make sure every message says which file.
    const msg = (e as Error).message;
    if (msg.includes(configPath) || msg.includes(weightsPath)) throw e;
    const Same = e instanceof ConfigError ? ConfigError : e instanceof InputError ? InputError : Error;
    throw new Same(`${configPath}: ${msg}`, { cause: e });
  }
}

/** Whether parsed tokenizer.json content is Hugging Face `tokenizers`' format rather than circuitscope's own. */
export function isHfTokenizerJson(json: unknown): boolean {
  return typeof json === 'object' && json !== null && !('type' in json) && 'model' in json;
}

/**
 * The shard file names a `model.safetensors.index.json` names, in order of first use; one line naming the index
 * when it is not one.
 */
export function shardNames(indexBytes: Uint8Array, where: Where = bare): string[] {
  const path = where(WEIGHTS_INDEX_FILE);
  let index: unknown;
  try {
    index = JSON.parse(utf8(indexBytes));
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new InputError(`${path} field weight_map: expected an object of tensor name to shard file`);
  const names: string[] = [];
  for (const [tensor, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string' || !/^[^/\\]+\.safetensors$/.test(file) || file.startsWith('.')) {
      throw new InputError(`${path} field weight_map: ${tensor} names ${JSON.stringify(file)}, expected a .safetensors file in the same folder`);
    }
    if (!names.includes(file)) names.push(file);
  }
  return names;
}

/** Every shard of a sharded checkpoint, parsed and merged; each tensor must be in the shard the index names. */
function readShards(files: ModelFiles, where: Where, parsed: ParsedWeights): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const indexBytes = files[WEIGHTS_INDEX_FILE]!;
  const map = (JSON.parse(utf8(indexBytes)) as { weight_map: Record<string, string> }).weight_map;
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  for (const name of shardNames(indexBytes, where)) {
    const bytes = files[name];
    const given = parsed[name];
    if (!bytes && !given) throw new InputError(`${where(name)}: no such file (named by ${WEIGHTS_INDEX_FILE})`);
    const shard = given ?? parseSafetensors(bytes!, where(name), { lazyHalf: true });
    metadata = { ...metadata, ...shard.metadata };
    for (const k of Object.keys(shard.tensors)) {
      if (map[k] !== name) throw new InputError(`${where(name)}: tensor ${k} is not listed for this shard in ${WEIGHTS_INDEX_FILE}`);
      // Copy the property itself, so a lazily widened tensor stays lazy.
      Object.defineProperty(tensors, k, Object.getOwnPropertyDescriptor(shard.tensors, k)!);
    }
  }
  for (const k of Object.keys(map)) if (!(k in tensors)) throw new InputError(`${where(map[k]!)}: missing ${k} (listed in ${WEIGHTS_INDEX_FILE})`);
  return { tensors, metadata };
}

/**
 * The model's tokenizer: `tokenizer.json` when the files have one, else GPT-2's for GPT-2 checkpoints (the importer
 * names it only for GPT-2's own 50257-token vocabulary), else null.
 */
export function tokenizerFromFiles(files: ModelFiles, tokenizerName: string | null, where: Where = bare): Tokenizer | null {
  const bytes = files[TOKENIZER_FILE];
  if (bytes) {
    try {
      const json = JSON.parse(utf8(bytes)) as unknown;
      // A Hugging Face tokenizer.json (a `model` object, no `type`): GPT-2's own vocabulary keeps GPT-2's native
      // tokenizer; any other is read as a Hugging Face BPE (tokenizerFromJSON).
      if (isHfTokenizerJson(json) && tokenizerName === 'gpt2') return new Gpt2Tokenizer();
      return tokenizerFromJSON(json);
    } catch (e) {
      throw new InputError(`${where(TOKENIZER_FILE)}: ${(e as Error).message}`, { cause: e });
    }
  }
  return tokenizerName === 'gpt2' ? new Gpt2Tokenizer() : null;
}

/**
 * The files of a model directory: `extraFiles` (e.g. a tokenizer) first, then `model.safetensors`, then
 * `config.json` (in that order, which is the order Node renames them in: a reader never sees a new config beside
 * weights still being written). The weights are checked against the config first, so files that would not read
 * back are never made. `label` begins error messages.
 */
export function modelToFiles(
  config: HookedTransformerConfig, weights: StateDict, extraFiles: Readonly<Record<string, Uint8Array | string>> = {}, label = 'modelToFiles',
): Record<string, Uint8Array> {
  checkWeights(config, weights, label);
  const files: Record<string, Uint8Array> = {};
  for (const [name, content] of Object.entries(extraFiles)) {
    if (name === CONFIG_FILE || name === WEIGHTS_FILE) throw new Error(`${label}: extra file ${name} would replace the model's own`);
    files[name] = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  }
  files[WEIGHTS_FILE] = serializeSafetensors(weights, { format: 'pt', ...configMetadata(config) });
  files[CONFIG_FILE] = jsonFile(configToFile(config));
  return files;
}

/**
 * A training checkpoint as the files a run directory holds for it (what `RunDir.saveCheckpoint` writes):
 * `config.json`, `model.safetensors` (with the step in its metadata) and `trainer_state.safetensors` (AdamW's
 * moments, the step, the data position). Add `tokenizer.json` and these read back with `loadModel`, and resume.
 */
export function checkpointToFiles(config: HookedTransformerConfig, c: Checkpoint): Record<string, Uint8Array> {
  checkWeights(config, c.weights as Readonly<Record<string, Tensor>>, 'checkpoint');
  // The trainer state carries its own copy of the weights (`weights.<name>`): a run killed between writing
  // model.safetensors and trainer_state.safetensors resumes from the state's weights, exactly.
  const state = parseSafetensors(serializeTrainerState(c), 'trainer state');
  const withWeights: Record<string, Tensor> = { ...state.tensors };
  for (const [name, t] of Object.entries(c.weights)) withWeights[`${STATE_WEIGHTS}${name}`] = t;
  return {
    [CONFIG_FILE]: jsonFile(configToFile(config)),
    [WEIGHTS_FILE]: serializeSafetensors(c.weights, { format: 'pt', step: String(c.step), ...configMetadata(config) }),
    [TRAINER_STATE_FILE]: serializeSafetensors(withWeights, state.metadata),
  };
}

/** The prefix of the weights' copy inside trainer_state.safetensors. */
export const STATE_WEIGHTS = 'weights.';

/** A JSON file as the CLI writes them: two-space indent and a final newline. */
export function jsonFile(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

/** UTF-8 text as Node's `readFile(path, 'utf8')` gives it: invalid bytes replaced, a byte-order mark kept. */
function utf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

