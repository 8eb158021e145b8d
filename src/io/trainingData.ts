import { InputError } from '../engine/errors.js';
import { tokenizerFromJSON, type Tokenizer } from '../tokenize/index.js';
import { prepareDocuments, type TrainingData } from '../train/trainingData.js';
import type { DataSpec } from '../train/presets.js';
import { readCorpus } from './corpus.js';

export type { TrainingData };

/**
 * Reads a corpus (`brown` or a path to a .txt file or folder), splits it into train and validation documents,
 * trains the tokenizer on the training documents (or takes the given one, when resuming), and tokenises both.
 */
export async function prepareTrainingData(source: string, spec: DataSpec['tokenizer'], existing?: unknown, onProgress?: (msg: string) => void): Promise<TrainingData> {
  const docs = await readCorpus(source);
  let tokenizer: Tokenizer | undefined;
  if (existing !== undefined) {
    try {
      tokenizer = tokenizerFromJSON(existing);
    } catch (e) {
      throw new InputError(`the run's tokenizer.json: ${(e as Error).message}`, { cause: e });
    }
  }
  return prepareDocuments(docs, spec, source, { ...(tokenizer ? { tokenizer } : {}), ...(onProgress ? { onProgress } : {}) });
}
