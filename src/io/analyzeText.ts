import { analyzeModel, type AnalysisReport } from '../analysis/analyzeModel.js';
import { splitDocuments, tokenizeDocuments } from '../data/index.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import type { StreamTokenizer } from '../data/index.js';
import { readCorpus } from './corpus.js';

/**
 * Every applicable analysis of a model, with held-out text read from `text` (`brown` or a path: the validation
 * split, tokenised by the model's own tokenizer, when it has one) and the prompt's token ids when given.
 */
export async function analyzeWithText(model: HookedTransformer, text: string | null, prompt?: readonly number[]): Promise<AnalysisReport> {
  const tok = model.tokenizer;
  const stream = tok && text ? await heldOutTokens(tok, text) : undefined;
  return analyzeModel(model, {
    ...(stream ? { text: stream } : {}),
    ...(prompt ? { prompt: [...prompt] } : {}),
    ...(tok ? { decode: (ids: readonly number[]) => tok.decode(ids) } : {}),
  });
}

/** The held-out text of a corpus (`brown` or a path): its validation split (or all of it, when too small), tokenised. */
export async function heldOutTokens(tok: StreamTokenizer, source: string): Promise<Int32Array> {
  const split = splitDocuments(await readCorpus(source), 0.1);
  return tokenizeDocuments(tok, split.validation.length > 0 ? split.validation : split.train);
}
