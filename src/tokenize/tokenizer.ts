/**
 * The tokenizer interface and TransformerLens's to_tokens / to_str_tokens. BOS handling is explicit: strings get
 * BOS prepended unless `prependBos: false`, token arrays are used as given, and BOS is never added twice
 * (DESIGN.md, "Exact semantics"). The policy itself is the model's `withBos`, shared with HookedTransformer.toTokens.
 */
import { withBos } from '../model/tokens.js';

/** The serialised form of every tokenizer, saved beside a model as tokenizer.json. */
export type TokenizerJSON = BytesTokenizerJSON | Gpt2TokenizerJSON | BpeTokenizerJSON | CharTokenizerJSON | HfTokenizerJSON;

/** One step of a Hugging Face tokenizer.json's normalizer or pre-tokenizer (the fields HfBpeTokenizer reads). */
export interface HfTokenizerStep {
  type: string;
  pretokenizers?: HfTokenizerStep[];
  normalizers?: HfTokenizerStep[];
  pattern?: { Regex?: string; String?: string };
  content?: string;
  prepend?: string;
  replacement?: string;
  prepend_scheme?: string;
  add_prefix_space?: boolean;
  use_regex?: boolean;
}

/** A Hugging Face `tokenizers` tokenizer.json (BPE models), as far as HfBpeTokenizer reads it. */
export interface HfTokenizerJSON {
  type?: undefined;
  model: {
    type: string; vocab?: Record<string, number>; merges?: (string | [string, string])[];
    byte_fallback?: boolean; unk_token?: string | null; ignore_merges?: boolean;
  };
  added_tokens?: { id: number; content: string; special?: boolean }[];
  normalizer?: HfTokenizerStep | null;
  pre_tokenizer?: HfTokenizerStep | null;
  post_processor?: {
    single?: { SpecialToken?: { id: string } }[];
    processors?: { single?: { SpecialToken?: { id: string } }[] }[];
  } | null;
}

export interface BytesTokenizerJSON {
  type: 'bytes';
  version: 1;
}

export interface Gpt2TokenizerJSON {
  type: 'gpt2';
  version: 1;
}

export interface CharTokenizerJSON {
  type: 'chars';
  version: 1;
  /** Token i is the i-th character (code point) of the alphabet; BOS comes after them. */
  alphabet: string;
  bosToken: string;
}

export interface BpeTokenizerJSON {
  type: 'bpe';
  version: 1;
  /** 256 byte tokens + merges + BOS; stored to check the file against the merges. */
  vocabSize: number;
  bosToken: string;
  /** The pre-tokenisation rule; only GPT-2's regex exists so far. */
  pretokenizer: 'gpt2';
  /** Merge k makes token 256 + k from the pair [left id, right id], in the order they were learnt. */
  merges: [number, number][];
}

export interface Tokenizer {
  /** 'bytes', 'bpe', 'gpt2' or 'chars'. */
  readonly name: string;
  /** Number of token ids, BOS included (the model's d_vocab must be at least this). */
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  /** The string BOS decodes to ('<|BOS|>', or '<|endoftext|>' for GPT-2); null when there is no BOS. */
  readonly bosToken: string | null;
  /** Text to ids. Never adds BOS, and treats text that looks like a special token as plain text. */
  encode(text: string): number[];
  /** Ids to text; BOS becomes `bosToken`. `decode(encode(t)) === t` for every string without lone surrogates. */
  decode(ids: readonly number[]): string;
  /** One token's text for views (U+FFFD where a token holds part of a UTF-8 character, as Hugging Face shows it). */
  tokenToString(id: number): string;
  /** The JSON object `tokenizerFromJSON` turns back into an equal tokenizer. */
  toJSON(): TokenizerJSON;
}

export interface TokenizeOptions {
  /** Prepend BOS: default true for strings; token arrays are used as given unless this is explicitly true. */
  prependBos?: boolean;
}

/**
 * TransformerLens's `to_tokens`: a string is encoded with BOS prepended by default; a token array is checked and
 * returned as given, except that `prependBos: true` adds BOS to it when its first token is not BOS already.
 * Asking for BOS from a tokenizer that has none is an error rather than a silent no-op.
 */
export function toTokens(tok: Tokenizer, input: string | readonly number[], opts: TokenizeOptions = {}): number[] {
  if (typeof input === 'string') return withBos(tok, tok.encode(input), { text: true, prepend: opts.prependBos });
  for (const [i, id] of input.entries()) {
    if (!Number.isInteger(id) || id < 0 || id >= tok.vocabSize) {
      throw new RangeError(`${tok.name}: token id ${id} at position ${i} is outside the vocabulary (0..${tok.vocabSize - 1})`);
    }
  }
  return withBos(tok, input, { text: false, prepend: opts.prependBos });
}

/**
 * TransformerLens's `to_str_tokens`: the string of each token of `toTokens(tok, input, opts)`, so a prepended
 * BOS is visible as the first entry.
 */
export function toStrTokens(tok: Tokenizer, input: string | readonly number[], opts: TokenizeOptions = {}): string[] {
  return toTokens(tok, input, opts).map((id) => tok.tokenToString(id));
}
