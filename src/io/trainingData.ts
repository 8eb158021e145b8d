import { InputError } from '../engine/errors.js';
import { tokenizerFromJSON, type Tokenizer } from '../tokenize/index.js';
import { prepareDocuments, type TrainingData } from '../train/trainingData.js';
import type { DataSpec } from '../train/presets.js';
import { BROWN_CORPUS, readCorpus } from './corpus.js';

export type { TrainingData };

/**
 * The embedded corpus prepared for each tokenizer spec, once a process: `reproduce` trains three models on Brown
 * with the same BPE, which takes seconds to learn. (Brown does not change; the user's own text might, so it is
 * read each time.) Nothing downstream writes into a TrainingData's arrays.
 */
const preparedBrown = new Map<string, Promise<TrainingData>>();

/**
 * Reads a corpus (`brown` or a path to a .txt file or folder), splits it into train and validation documents,
 * trains the tokenizer on the training documents (or takes the given one, when resuming), and tokenises both.
 */
export async function prepareTrainingData(source: string, spec: DataSpec['tokenizer'], existing?: unknown, onProgress?: (msg: string) => void): Promise<TrainingData> {
  if (source === BROWN_CORPUS && existing === undefined) {
    const key = spec.kind === 'bpe' ? `bpe-${spec.vocabSize}` : spec.kind;
    let p = preparedBrown.get(key);
    if (!p) {
      p = prepare(source, spec, undefined, onProgress);
      preparedBrown.set(key, p);
      p.catch(() => preparedBrown.delete(key));
    }
    return p;
  }
  return prepare(source, spec, existing, onProgress);
}

async function prepare(source: string, spec: DataSpec['tokenizer'], existing?: unknown, onProgress?: (msg: string) => void): Promise<TrainingData> {
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
