import r50kRanks from 'gpt-tokenizer/bpeRanks/r50k_base';
import { encode } from 'gpt-tokenizer/encoding/r50k_base';

/**
 * GPT-2's vocabulary (gpt-tokenizer's r50k_base): its encoder and the bytes of each BPE rank. Kept apart from the
 * tokenizer class because it is most of a browser bundle's size: the prebuilt browser bundle replaces this module,
 * for src/tokenize/gpt2.ts only, with one that loads it on demand (src/browser/gpt2Vocabulary.ts).
 */
export interface Gpt2Vocabulary {
  encode(text: string, opts: { disallowedSpecial: Set<string> }): number[];
  readonly ranks: readonly (string | readonly number[])[];
}

export const gpt2Vocabulary: Gpt2Vocabulary = { encode, ranks: r50kRanks };
