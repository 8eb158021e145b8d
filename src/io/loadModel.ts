import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../engine/errors.js';
import { HookedTransformer } from '../model/hookedTransformer.js';
import { processWeights, type ProcessOptions } from '../model/processing.js';
import { Gpt2Tokenizer, tokenizerFromJSON, type Tokenizer } from '../tokenize/index.js';
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
 * for GPT-2 checkpoints.
 */
export async function loadModel(dir: string, opts: LoadOptions = {}): Promise<HookedTransformer> {
  const loaded = await readModelDir(dir);
  let { config, weights } = loaded;
  if (opts.processWeights) {
    const p = processWeights(config, weights, opts.processWeights === true ? {} : opts.processWeights);
    config = p.config;
    weights = p.weights;
  }
  return new HookedTransformer(config, weights, await tokenizerFor(dir, config.tokenizer_name));
}

async function tokenizerFor(dir: string, name: string | null): Promise<Tokenizer | null> {
  const path = join(dir, 'tokenizer.json');
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text !== null) {
    try {
      return tokenizerFromJSON(JSON.parse(text));
    } catch (e) {
      throw new InputError(`${path}: ${(e as Error).message}`, { cause: e });
    }
  }
  // The importer names GPT-2's tokenizer only for GPT-2's own 50257-token vocabulary.
  return name === 'gpt2' ? new Gpt2Tokenizer() : null;
}
