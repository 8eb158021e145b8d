import type { Document } from './documents.js';

/** What a token stream needs of a tokenizer (any circuitscope tokenizer, or a model's `TokenizerLike`). */
export interface StreamTokenizer {
  readonly bosTokenId: number | null;
  encode(text: string): number[];
}

/**
 * The documents' tokens as one stream, each document preceded by BOS (when the tokenizer has one) so a window
 * that crosses a document boundary sees where the new document starts, as in TransformerLens's training data.
 */
export function tokenizeDocuments(tok: StreamTokenizer, docs: readonly (Document | string)[]): Int32Array {
  const chunks: number[][] = [];
  let n = 0;
  for (const d of docs) {
    const ids = tok.encode(typeof d === 'string' ? d : d.text);
    if (tok.bosTokenId !== null) n++;
    n += ids.length;
    chunks.push(ids);
  }
  const out = new Int32Array(n);
  let o = 0;
  for (const ids of chunks) {
    if (tok.bosTokenId !== null) out[o++] = tok.bosTokenId;
    out.set(ids, o);
    o += ids.length;
  }
  return out;
}
