import { DEFAULT_BOS_TOKEN } from './bytes.js';
import type { CharTokenizerJSON, Tokenizer } from './tokenizer.js';

/**
 * One token per character of a fixed alphabet, then BOS: the vocabulary of synthetic tasks such as "a+b=c", where
 * a token must be one digit, never a BPE chunk. `new CharTokenizer('0123456789+=')` gives '0'..'9' = 0..9,
 * '+' = 10, '=' = 11, BOS = 12. A character outside the alphabet is an error, not silently dropped.
 */
export class CharTokenizer implements Tokenizer {
  readonly name = 'chars';
  readonly vocabSize: number;
  readonly bosTokenId: number;
  readonly bosToken: string;
  readonly alphabet: string;
  private readonly chars: string[];
  private readonly ids = new Map<string, number>();

  constructor(alphabet: string, bosToken: string = DEFAULT_BOS_TOKEN) {
    // Array.from splits by code point, so a character outside the BMP is one token, not two surrogates.
    this.chars = Array.from(alphabet);
    if (this.chars.length === 0) throw new Error('chars: the alphabet is empty');
    this.chars.forEach((c, i) => {
      if (this.ids.has(c)) throw new Error(`chars: ${JSON.stringify(c)} appears twice in the alphabet`);
      this.ids.set(c, i);
    });
    this.alphabet = alphabet;
    this.bosToken = bosToken;
    this.bosTokenId = this.chars.length;
    this.vocabSize = this.chars.length + 1;
  }

  /** Rebuilds a tokenizer from `toJSON()`'s object, checking it. */
  static fromJSON(json: unknown): CharTokenizer {
    const j = json as Partial<CharTokenizerJSON> | null;
    if (j === null || typeof j !== 'object' || j.type !== 'chars') throw new Error('chars: tokenizer JSON must have type "chars"');
    if (j.version !== 1) throw new Error(`chars: unsupported tokenizer JSON version ${String(j.version)} (expected 1)`);
    if (typeof j.alphabet !== 'string' || typeof j.bosToken !== 'string') throw new Error('chars: tokenizer JSON needs "alphabet" and "bosToken" strings');
    return new CharTokenizer(j.alphabet, j.bosToken);
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const c of text) {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`chars: ${JSON.stringify(c)} is not in the alphabet ${JSON.stringify(this.alphabet)}`);
      out.push(id);
    }
    return out;
  }

  decode(ids: readonly number[]): string {
    return ids.map((id) => this.tokenToString(id)).join('');
  }

  tokenToString(id: number): string {
    if (id === this.bosTokenId) return this.bosToken;
    const c = this.chars[id];
    if (c === undefined) throw new RangeError(`chars: token id ${id} is not in the vocabulary (0..${this.vocabSize - 1})`);
    return c;
  }

  toJSON(): CharTokenizerJSON {
    return { type: 'chars', version: 1, alphabet: this.alphabet, bosToken: this.bosToken };
  }
}
