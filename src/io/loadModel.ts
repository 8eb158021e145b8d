import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HookedTransformer } from '../model/hookedTransformer.js';
import { TOKENIZER_FILE, tokenizerFromFiles } from '../model/import/modelFiles.js';
import { processWeights, type ProcessOptions } from '../model/processing.js';
import { readModelDir } from './modelDir.js';

export interface LoadOptions {
  /**
   * Apply TransformerLens's weight processing (fold LayerNorm, centre writing weights, centre unembed, fold value
   * biases), as from_pretrained does by default; each step leaves log-probabilities unchanged. Default false:
   * the weights are used exactly as stored.
   */
  processWeights?: boolean | ProcessOptions;
}

/**
 * Loads a model directory in any format circuitscope reads, detected from its files: circuitscope's own (a
 * training run), a TransformerLens state dict saved as safetensors with its config, or a Hugging Face GPT-2
 * (config.json + model.safetensors). The tokenizer comes from tokenizer.json beside the weights, or is GPT-2's
 * for GPT-2 checkpoints. (The browser's `loadModelFromFiles` does the same on the files' bytes.)
 */
export async function loadModel(dir: string, opts: LoadOptions = {}): Promise<HookedTransformer> {
  const loaded = await readModelDir(dir);
  let { config, weights } = loaded;
  if (opts.processWeights) {
    const p = processWeights(config, weights, opts.processWeights === true ? {} : opts.processWeights);
    config = p.config;
    weights = p.weights;
  }
  // An unreadable tokenizer.json counts as none, as a missing one does.
  const tok = await readFile(join(dir, TOKENIZER_FILE)).catch(() => null);
  const files: Record<string, Uint8Array> = tok ? { [TOKENIZER_FILE]: new Uint8Array(tok.buffer, tok.byteOffset, tok.byteLength) } : {};
  const tokenizer = tokenizerFromFiles(files, config.tokenizer_name, (name) => join(dir, name));
  return new HookedTransformer(config, weights, tokenizer);
}
