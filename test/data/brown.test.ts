import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brownDocuments, cleanBrownText, detokenize, untag } from '../../src/data/brown.js';

// Two paragraphs in the corpus's layout: a tab opens a paragraph, one sentence a line, blank lines between.
const TAGGED = [
  '',
  '',
  '\tThe/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at investigation/nn of/in',
  "Atlanta's/np$ primary/nn produced/vbd ``/`` no/at evidence/nn ''/'' that/cs any/dti irregularities/nns took/vbd place/nn ./.",
  '',
  '',
  'Merger/nn-hl proposed/vbn-hl ',
  'However/wrb ,/, the/at jury/nn said/vbd it/pps believes/vbz ``/`` these/dts offices/nns should/md be/be combined/vbn ;/. ;/.',
  'it/pps was/bedz won/vbn by/in Ivan/np Allen/np Jr./np ./.',
  '',
  '',
  "\tHe/pps said/vbd (/( in/in 1937/cd )/) :/: '/' Don't/do* worry/vb '/' ?/. ?/.",
  '',
].join('\n');

test('tags are stripped at the last slash, so words holding slashes survive', () => {
  assert.deepEqual(untag('Fulton/np-tl'), { word: 'Fulton', tag: 'np-tl' });
  assert.deepEqual(untag('1/2/cd'), { word: '1/2', tag: 'cd' });
  assert.deepEqual(untag("''/''"), { word: "''", tag: "''" });
});

test('cleaning gives print spacing, double quotes, one line per paragraph and per headline', () => {
  const lines = cleanBrownText(TAGGED).split('\n');
  assert.deepEqual(lines, [
    'The Fulton County Grand Jury said Friday an investigation of Atlanta\'s primary produced "no evidence" that any irregularities took place.',
    'Merger proposed',
    'However, the jury said it believes "these offices should be combined; it was won by Ivan Allen Jr.',
    "He said (in 1937): 'Don't worry'?",
  ]);
});

test('detokenize: no space before closing punctuation or after opening brackets; single quotes alternate', () => {
  assert.equal(detokenize(['a', ',', 'b', '.', 'c', ';', 'd', ':', 'e', '!', 'f', '?']), 'a, b. c; d: e! f?');
  assert.equal(detokenize(['(', 'x', ')', '[', 'y', ']']), '(x) [y]');
  assert.equal(detokenize(['``', 'hi', "''", ',', 'she', 'said']), '"hi", she said');
  assert.equal(detokenize(["'", 'a', "'", 'and', "'", 'b', "'"]), "'a' and 'b'");
  assert.equal(detokenize(['x', '--', 'y']), 'x -- y');
});

test('brownDocuments keeps one document per text file, in name order, and ignores the package\'s other files', () => {
  const docs = brownDocuments([
    { name: 'cb02', contents: '\tB/nn ./.' },
    { name: 'README', contents: 'not a text' },
    { name: 'ca01', contents: '\tA/nn ./.' },
    { name: 'cats.txt', contents: 'ca01 news' },
  ]);
  assert.deepEqual(docs, [{ id: 'ca01', text: 'A.' }, { id: 'cb02', text: 'B.' }]);
});
