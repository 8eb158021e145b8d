// Held-out text for the worker's views: the Brown corpus's validation split (as `analyze` and `reproduce` take it),
// fetched once from beside the app (brown-corpus.json, built with the site) and tokenised by each model's tokenizer.
import { brownDocuments, splitDocuments, tokenizeDocuments, type Document } from '../../data/index.js';
import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { corpusWindows, type NeuronCorpus } from '../../analysis/views/index.js';

let docs: Promise<Document[] | null> | null = null;
const streams = new WeakMap<HookedTransformer, { stream: Int32Array; name: string } | null>();

function validationDocs(): Promise<Document[] | null> {
  docs ??= (async () => {
    const r = await fetch(new URL('./brown-corpus.json', self.location.href)).catch(() => null);
    if (!r || !r.ok) return null;
    const files = (await r.json()) as Record<string, string>;
    const split = splitDocuments(brownDocuments(Object.entries(files).map(([name, contents]) => ({ name, contents }))), 0.1);
    return split.validation.length > 0 ? split.validation : split.train;
  })().catch(() => null);
  return docs;
}

/** The validation split as the model's tokens, or null (no tokenizer, or no corpus beside the app). */
export async function heldOutStream(model: HookedTransformer): Promise<{ stream: Int32Array; name: string } | null> {
  if (streams.has(model)) return streams.get(model)!;
  const tok = model.tokenizer;
  const d = tok ? await validationDocs() : null;
  const s = tok && d ? { stream: tokenizeDocuments(tok, d), name: `the Brown corpus's validation split (${d.length} documents)` } : null;
  streams.set(model, s);
  return s;
}

/** A small sample for the Neurons view: 64 windows of up to 32 tokens spread over the held-out text. */
export async function corpusSample(model: HookedTransformer): Promise<NeuronCorpus | null> {
  const s = await heldOutStream(model);
  if (!s) return null;
  const T = Math.min(32, model.cfg.n_ctx);
  const rows = corpusWindows(s.stream, T, 64, model.cfg.bos_token_id);
  return { rows, name: `${rows.length} windows of ${T} tokens from ${s.name}` };
}
