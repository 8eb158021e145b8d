import type { Tensor } from '../engine/tensor.js';

/**
 * What a tokenizer must offer the model (a structural type: src/tokenize implements it, and the model, which sits
 * below tokenize in the house, needs only this much).
 */
export interface TokenizerLike {
  readonly name: string;
  readonly bosTokenId: number | null;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

/**
 * The one BOS policy (TransformerLens's to_tokens), for the model's `toTokens` and tokenize's: encoded `text`
 * gets BOS in front unless `prepend` is false (its default is `defaultPrepend`, a model's default_prepend_bos);
 * token ids are used as given unless `prepend` is true, and then get BOS only when it is not already first.
 * Asking for BOS from a tokenizer without one is an error rather than a silent no-op.
 */
export function withBos(
  tok: Pick<TokenizerLike, 'name' | 'bosTokenId'>, ids: readonly number[], o: { text: boolean; prepend?: boolean | undefined; defaultPrepend?: boolean },
): number[] {
  const prepend = o.text ? (o.prepend ?? o.defaultPrepend ?? true) : o.prepend === true;
  if (!prepend) return [...ids];
  if (tok.bosTokenId === null) throw new Error(`tokenizer ${tok.name} has no BOS token; pass prependBos: false`);
  return !o.text && ids[0] === tok.bosTokenId ? [...ids] : [tok.bosTokenId, ...ids];
}

/** Token ids in any of the forms the model accepts: a batch of id arrays, one id array, or an integer tensor. */
export type TokenIds = readonly (readonly number[])[] | readonly number[] | Tensor<'int64'> | Tensor<'int32'>;

/** Converts token ids to an int64 [batch, pos] tensor, checking ids against the vocabulary. */
export function toTokenTensor(tokens: TokenIds, dVocab: number, where = 'tokens'): Tensor<'int64'> {
  if (!Array.isArray(tokens)) {
    const t = tokens as Tensor<'int64'> | Tensor<'int32'>;
    if (t.shape.length !== 2) throw new Error(`${where}: expected [batch, pos], got [${t.shape.join(', ')}]`);
    const data = t.dtype === 'int64' ? (t.data as BigInt64Array) : BigInt64Array.from(t.data as Int32Array, (v) => BigInt(v));
    for (const v of data) if (v < 0n || v >= BigInt(dVocab)) throw new Error(`${where}: token id ${v} is outside the vocabulary (0..${dVocab - 1})`);
    return { dtype: 'int64', shape: [...t.shape], data };
  }
  const rows = (tokens.length > 0 && Array.isArray(tokens[0]) ? tokens : [tokens]) as readonly (readonly number[])[];
  const T = rows[0]?.length ?? 0;
  if (rows.length === 0 || T === 0) throw new Error(`${where}: expected at least one non-empty sequence`);
  const data = new BigInt64Array(rows.length * T);
  rows.forEach((r, b) => {
    if (r.length !== T) throw new Error(`${where}: sequence ${b} has ${r.length} tokens, sequence 0 has ${T} (a batch must be rectangular)`);
    r.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= dVocab) throw new Error(`${where}: token id ${v} at [${b}, ${i}] is outside the vocabulary (0..${dVocab - 1})`);
      data[b * T + i] = BigInt(v);
    });
  });
  return { dtype: 'int64', shape: [rows.length, T], data };
}
