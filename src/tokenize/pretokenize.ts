/**
 * GPT-2's pre-tokenisation: text is cut into words (a leading space belongs to the word after it), numbers,
 * punctuation runs and whitespace; BPE merges never cross these cuts. The alternatives together match every
 * character, so concatenating the pieces gives the text back.
 */
export const GPT2_PRETOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** The pre-tokens of `text`, in order. */
export function pretokenize(text: string): string[] {
  return Array.from(text.matchAll(GPT2_PRETOKENIZE), (m) => m[0]);
}
