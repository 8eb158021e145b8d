import { BpeTokenizer } from './bpe.js';
import { ByteTokenizer } from './bytes.js';
import { CharTokenizer } from './chars.js';
import { Gpt2Tokenizer } from './gpt2.js';
import { HfBpeTokenizer } from './hfBpe.js';
import type { HfTokenizerJSON, Tokenizer } from './tokenizer.js';

export { BpeTokenizer, MAX_BPE_VOCAB } from './bpe.js';
export { trainBpe, type TrainBpeOptions } from './bpeTrain.js';
export { ByteTokenizer, DEFAULT_BOS_TOKEN } from './bytes.js';
export { CharTokenizer } from './chars.js';
export { Gpt2Tokenizer } from './gpt2.js';
export { HfBpeTokenizer } from './hfBpe.js';
export { GPT2_PRETOKENIZE, pretokenize } from './pretokenize.js';
export {
  toStrTokens, toTokens,
  type BpeTokenizerJSON, type BytesTokenizerJSON, type HfTokenizerJSON, type CharTokenizerJSON, type Gpt2TokenizerJSON, type TokenizeOptions, type Tokenizer, type TokenizerJSON,
} from './tokenizer.js';

/** The kinds of tokenizer, as tokenizer.json's `type` and the CLI's `--tokenizer` spell them. */
export const TOKENIZER_NAMES = ['bytes', 'bpe', 'gpt2', 'chars'] as const;
export type TokenizerName = (typeof TOKENIZER_NAMES)[number];

/**
 * A tokenizer by name, for the kinds that need no data: 'bytes' (256 bytes + BOS) or 'gpt2' (GPT-2's BPE). A
 * 'bpe' tokenizer is learnt from a corpus (`trainBpe`, or its tokenizer.json through `tokenizerFromJSON`); a
 * 'chars' one needs its alphabet (`new CharTokenizer(alphabet)`).
 */
export function tokenizerByName(name: string): Tokenizer {
  switch (name) {
    case 'bytes': return new ByteTokenizer();
    case 'gpt2': return new Gpt2Tokenizer();
    case 'bpe': throw new Error('a "bpe" tokenizer is trained on a corpus (trainBpe) or loaded from its tokenizer.json (tokenizerFromJSON)');
    case 'chars': throw new Error('a "chars" tokenizer needs its alphabet: new CharTokenizer(alphabet)');
    default: throw new Error(`unknown tokenizer ${JSON.stringify(name)} (known: ${TOKENIZER_NAMES.join(', ')})`);
  }
}

/** Rebuilds any tokenizer from its `toJSON()` object (the content of tokenizer.json), dispatching on `type`. */
export function tokenizerFromJSON(json: unknown): Tokenizer {
  const type = json !== null && typeof json === 'object' ? (json as { type?: unknown }).type : undefined;
  // Hugging Face tokenizers' tokenizer.json: a `model` object and no `type`.
  if (type === undefined && json !== null && typeof json === 'object' && 'model' in json) return new HfBpeTokenizer(json as HfTokenizerJSON);
  const version = (json as { version?: unknown } | null)?.version;
  switch (type) {
    case 'bytes':
    case 'gpt2':
      if (version !== 1) throw new Error(`tokenizer JSON of type "${type}" has unsupported version ${String(version)} (expected 1)`);
      return tokenizerByName(type);
    case 'bpe': return BpeTokenizer.fromJSON(json);
    case 'chars': return CharTokenizer.fromJSON(json);
    default: throw new Error(`tokenizer JSON has unknown type ${JSON.stringify(type)} (known: ${TOKENIZER_NAMES.join(', ')})`);
  }
}
