import { splitDocuments, tokenizeDocuments, type Document } from '../data/index.js';
import { ByteTokenizer, trainBpe, type Tokenizer } from '../tokenize/index.js';
import type { DataSpec } from './presets.js';

export interface TrainingData {
  tokenizer: Tokenizer;
  train: Int32Array;
  validation: Int32Array;
  /** e.g. "brown: 450 documents, 1.41M train tokens, 0.16M validation tokens (bpe 2048)" */
  description: string;
}

/**
 * A corpus's documents made ready to train on, the same in Node and in a worker: 10% of the documents for
 * validation, the tokenizer trained on the training documents (or the one given, when resuming), both tokenised.
 * `source` names the corpus in the description.
 */
export function prepareDocuments(
  docs: readonly Document[], spec: DataSpec['tokenizer'], source: string,
  opts: { tokenizer?: Tokenizer; onProgress?: (msg: string) => void } = {},
): TrainingData {
  const split = splitDocuments(docs, 0.1);
  const tok = opts.tokenizer ?? (spec.kind === 'bytes' ? new ByteTokenizer() : bpe(spec.vocabSize));
  const train = tokenizeDocuments(tok, split.train);
  const validation = tokenizeDocuments(tok, split.validation.length > 0 ? split.validation : split.train.slice(-1));
  function bpe(vocabSize: number): Tokenizer {
    opts.onProgress?.(`training a ${vocabSize}-token BPE on ${split.train.length} documents`);
    return trainBpe(split.train.map((d) => d.text), { vocabSize });
  }
  const m = (n: number) => `${(n / 1e6).toFixed(2)}M`;
  return {
    tokenizer: tok, train, validation,
    description: `${source}: ${docs.length} documents, ${m(train.length)} train tokens, ${m(validation.length)} validation tokens (${tok.name} ${tok.vocabSize})`,
  };
}
