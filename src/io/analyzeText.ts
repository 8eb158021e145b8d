import { analyzeModel, type AnalysisReport } from '../analysis/analyzeModel.js';
import { splitDocuments, tokenizeDocuments } from '../data/index.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import { readCorpus } from './corpus.js';

/**
 * Every applicable analysis of a model, with held-out text read from `text` (`brown` or a path: the validation
 * split, tokenised by the model's own tokenizer, when it has one) and the prompt's token ids when given.
 */
export async function analyzeWithText(model: HookedTransformer, text: string | null, prompt?: readonly number[]): Promise<AnalysisReport> {
  const tok = model.tokenizer;
  let stream: Int32Array | undefined;
  if (tok && text) {
    const docs = await readCorpus(text);
    const split = splitDocuments(docs, 0.1);
    stream = tokenizeDocuments(tok, split.validation.length > 0 ? split.validation : split.train);
  }
  return analyzeModel(model, {
    ...(stream ? { text: stream } : {}),
    ...(prompt ? { prompt: [...prompt] } : {}),
    ...(tok ? { decode: (ids: readonly number[]) => tok.decode(ids) } : {}),
  });
}
