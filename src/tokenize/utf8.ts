/**
 * UTF-8 helpers shared by the byte-level tokenizers. TextEncoder/TextDecoder are globals in Node and in browsers,
 * so nothing here needs a Node built-in.
 */

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the output: the default decoder strips it, which would break the round trip
// of any text that starts with one. Not fatal: ids a model samples need not form valid UTF-8, and views show U+FFFD.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The UTF-8 bytes of a string (lone surrogates become U+FFFD, the one case without a round trip). */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8 bytes; invalid or truncated sequences become U+FFFD (each call starts fresh, no carried state). */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Decodes ids whose bytes are given by `bytesOf`, with special tokens (BOS) written as their strings. Bytes are
 * gathered across tokens before decoding, because one character's UTF-8 bytes may be split over several tokens.
 */
export function decodeTokenBytes(
  ids: readonly number[], bytesOf: (id: number) => Uint8Array | undefined, special: ReadonlyMap<number, string>, name: string,
): string {
  let buf = new Uint8Array(Math.max(16, ids.length * 4));
  let len = 0;
  let out = '';
  for (const id of ids) {
    const s = special.get(id);
    if (s !== undefined) {
      if (len > 0) out += utf8Decode(buf.subarray(0, len));
      len = 0;
      out += s;
      continue;
    }
    const b = bytesOf(id);
    if (b === undefined) throw new RangeError(`${name}: token id ${id} is not in the vocabulary`);
    if (len + b.length > buf.length) {
      const bigger = new Uint8Array(Math.max(buf.length * 2, len + b.length));
      bigger.set(buf.subarray(0, len));
      buf = bigger;
    }
    buf.set(b, len);
    len += b.length;
  }
  if (len > 0) out += utf8Decode(buf.subarray(0, len));
  return out;
}
