/** A document of running text: one Brown corpus file, or one of the user's `.txt` files. */
export interface Document {
  /** Stable name: the Brown file id (`ca01`) or the path relative to the corpus folder. */
  readonly id: string;
  readonly text: string;
}

export interface DocumentSplit {
  readonly train: Document[];
  readonly validation: Document[];
}

/**
 * A fixed train/validation split by document: sorted by id, every document whose index i has
 * `floor((i + 1) f) > floor(i f)` is held out (f the validation fraction), so held-out documents are spread evenly
 * over the corpus (in the Brown corpus, over its genres) and the split never depends on a seed or on input order.
 * With too few documents to hold one out, each document's tail (cut at a line or space boundary) is held out.
 */
export function splitDocuments(docs: readonly Document[], validationFraction = 0.1): DocumentSplit {
  if (!(validationFraction >= 0 && validationFraction < 1)) throw new Error(`splitDocuments: validation fraction must be in [0, 1), got ${validationFraction}`);
  const sorted = [...docs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (validationFraction === 0) return { train: sorted, validation: [] };
  if (Math.floor(sorted.length * validationFraction) === 0) return splitWithinDocuments(sorted, validationFraction);
  const train: Document[] = [];
  const validation: Document[] = [];
  sorted.forEach((d, i) => {
    (Math.floor((i + 1) * validationFraction) > Math.floor(i * validationFraction) ? validation : train).push(d);
  });
  return { train, validation };
}

function splitWithinDocuments(docs: readonly Document[], f: number): DocumentSplit {
  const train: Document[] = [];
  const validation: Document[] = [];
  for (const d of docs) {
    const cut = cutPoint(d.text, Math.round(d.text.length * (1 - f)));
    train.push({ id: `${d.id}#train`, text: d.text.slice(0, cut) });
    if (cut < d.text.length) validation.push({ id: `${d.id}#validation`, text: d.text.slice(cut) });
  }
  return { train, validation };
}

/** The start of the line (else the word) at or after `at`, so no word is cut in two. */
function cutPoint(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  if (nl >= 0 && nl - at < 2000) return nl + 1;
  const sp = text.indexOf(' ', at);
  return sp >= 0 ? sp + 1 : at;
}

/** Total characters of a set of documents. */
export function totalChars(docs: readonly Document[]): number {
  let n = 0;
  for (const d of docs) n += d.text.length;
  return n;
}
