import { InputError } from '../engine/errors.js';
import { splitDocuments, tokenizeDocuments } from '../data/index.js';
import { ByteTokenizer, trainBpe, tokenizerFromJSON, type Tokenizer } from '../tokenize/index.js';
import type { DataSpec } from '../train/presets.js';
import { readCorpus } from './corpus.js';

export interface TrainingData {
  tokenizer: Tokenizer;
  train: Int32Array;
  validation: Int32Array;
  /** e.g. "brown: 450 documents, 1.41M train tokens, 0.16M validation tokens (bpe 2048)" */
  description: string;
}

/**
 * Reads a corpus (`brown` or a path to a .txt file or folder), splits it into train and validation documents,
 * trains the tokenizer on the training documents (or takes the given one, when resuming), and tokenises both.
 */
export async function prepareTrainingData(source: string, spec: DataSpec['tokenizer'], existing?: unknown, onProgress?: (msg: string) => void): Promise<TrainingData> {
  const docs = await readCorpus(source);
  const split = splitDocuments(docs, 0.1);
  let tokenizer: Tokenizer;
  if (existing !== undefined) {
    try {
      tokenizer = tokenizerFromJSON(existing);
    } catch (e) {
      throw new InputError(`the run's tokenizer.json: ${(e as Error).message}`, { cause: e });
    }
  }
  else if (spec.kind === 'bytes') tokenizer = new ByteTokenizer();
  else {
    onProgress?.(`training a ${spec.vocabSize}-token BPE on ${split.train.length} documents`);
    tokenizer = trainBpe(split.train.map((d) => d.text), { vocabSize: spec.vocabSize });
  }
  const train = tokenizeDocuments(tokenizer, split.train);
  const validation = tokenizeDocuments(tokenizer, split.validation.length > 0 ? split.validation : split.train.slice(-1));
  const m = (n: number) => `${(n / 1e6).toFixed(2)}M`;
  return {
    tokenizer, train, validation,
    description: `${source}: ${docs.length} documents, ${m(train.length)} train tokens, ${m(validation.length)} validation tokens (${tokenizer.name} ${tokenizer.vocabSize})`,
  };
}
