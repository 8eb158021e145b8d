import { gpt2Vocabulary } from './gpt2Vocabulary.js';
import type { Gpt2TokenizerJSON, Tokenizer } from './tokenizer.js';
import { decodeTokenBytes, utf8Decode, utf8Encode } from './utf8.js';

const END_OF_TEXT = '<|endoftext|>';
const END_OF_TEXT_ID = 50256;
// Special-token strings in the text are encoded as plain text (no token may be injected by user text).
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * GPT-2's BPE (the r50k_base encoding, shipped inside the gpt-tokenizer package, so it works offline): 50,257 ids,
 * BOS = `<|endoftext|>` = 50256, as in TransformerLens. Encoding is gpt-tokenizer's; decoding is done here from
 * the token bytes, because gpt-tokenizer's decode keeps one streaming UTF-8 decoder for all calls, so the bytes
 * of a token that ends mid-character leak into the next call's result.
 */
export class Gpt2Tokenizer implements Tokenizer {
  readonly name = 'gpt2';
  readonly vocabSize = 50257;
  readonly bosTokenId = END_OF_TEXT_ID;
  readonly bosToken = END_OF_TEXT;
  private readonly special = new Map([[END_OF_TEXT_ID, END_OF_TEXT]]);
  private table: Uint8Array[] | null = null;

  encode(text: string): number[] {
    return gpt2Vocabulary.encode(text, AS_PLAIN_TEXT);
  }

  decode(ids: readonly number[]): string {
    const table = this.bytesTable();
    return decodeTokenBytes(ids, (id) => table[id], this.special, this.name);
  }

  tokenToString(id: number): string {
    if (id === END_OF_TEXT_ID) return END_OF_TEXT;
    const b = this.bytesTable()[id];
    if (b === undefined) throw new RangeError(`gpt2: token id ${id} is not in the vocabulary (0..50256)`);
    return utf8Decode(b);
  }

  toJSON(): Gpt2TokenizerJSON {
    return { type: 'gpt2', version: 1 };
  }

  // Built on first use: 50k small arrays are not worth making for a tokenizer that only encodes.
  private bytesTable(): Uint8Array[] {
    if (this.table === null) {
      const r50kRanks = gpt2Vocabulary.ranks;
      if (r50kRanks.length !== END_OF_TEXT_ID) throw new Error(`gpt2: expected ${END_OF_TEXT_ID} BPE ranks in gpt-tokenizer, found ${r50kRanks.length}`);
      this.table = r50kRanks.map((t) => (typeof t === 'string' ? utf8Encode(t) : Uint8Array.from(t)));
    }
    return this.table;
  }
}
