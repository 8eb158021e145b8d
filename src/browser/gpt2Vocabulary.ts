/**
 * The prebuilt browser bundle's stand-in for src/tokenize/gpt2Vocabulary.ts (scripts/build-browser.mjs substitutes
 * it for imports from src/tokenize/gpt2.ts only): GPT-2's vocabulary is most of a bundle's size, so it is a chunk
 * of its own, loaded by `loadGpt2Vocabulary()`. `loadModelFromFiles` calls it for GPT-2 models; call it yourself
 * before `new Gpt2Tokenizer()` otherwise.
 */
import type { Gpt2Vocabulary } from '../tokenize/gpt2Vocabulary.js';

let loaded: Gpt2Vocabulary | null = null;
let loading: Promise<void> | null = null;

function need(): Gpt2Vocabulary {
  if (!loaded) throw new Error("gpt2: GPT-2's vocabulary loads on demand in the browser; await loadGpt2Vocabulary() first");
  return loaded;
}

export const gpt2Vocabulary: Gpt2Vocabulary = {
  encode: (text, opts) => need().encode(text, opts),
  get ranks() {
    return need().ranks;
  },
};

/** Loads GPT-2's vocabulary (once; about 1 MB of script, from beside the bundle). */
export function loadGpt2Vocabulary(): Promise<void> {
  loading ??= import('../tokenize/gpt2Vocabulary.js').then((m) => {
    loaded = m.gpt2Vocabulary;
  });
  return loading;
}
