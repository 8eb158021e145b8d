import type { BytesTokenizerJSON, Tokenizer } from './tokenizer.js';
import { decodeTokenBytes, utf8Decode, utf8Encode } from './utf8.js';

/** The BOS string of the tokenizers circuitscope trains (TransformerLens's toy models use the same). */
export const DEFAULT_BOS_TOKEN = '<|BOS|>';

const BYTE_TOKENS: readonly Uint8Array[] = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));

/** Byte-level tokenizer: token b (0..255) is the UTF-8 byte b, and token 256 is BOS. */
export class ByteTokenizer implements Tokenizer {
  readonly name = 'bytes';
  readonly vocabSize = 257;
  readonly bosTokenId = 256;
  readonly bosToken = DEFAULT_BOS_TOKEN;
  private readonly special = new Map([[256, DEFAULT_BOS_TOKEN]]);

  encode(text: string): number[] {
    return Array.from(utf8Encode(text));
  }

  decode(ids: readonly number[]): string {
    return decodeTokenBytes(ids, (id) => BYTE_TOKENS[id], this.special, this.name);
  }

  tokenToString(id: number): string {
    if (id === this.bosTokenId) return this.bosToken;
    const b = BYTE_TOKENS[id];
    if (b === undefined) throw new RangeError(`bytes: token id ${id} is not in the vocabulary (0..256)`);
    return utf8Decode(b);
  }

  toJSON(): BytesTokenizerJSON {
    return { type: 'bytes', version: 1 };
  }
}
