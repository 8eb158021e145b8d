import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitDocuments, totalChars } from '../../src/data/documents.js';
import { tokenizeDocuments } from '../../src/data/tokenStream.js';
import { readBrownCorpus, readCorpus, readTextCorpus } from '../../src/io/corpus.js';
import { prepareTrainingData } from '../../src/io/trainingData.js';

const brown = readBrownCorpus();

test('the Brown corpus reads offline as 500 clean documents', async () => {
  const docs = await brown;
  assert.equal(docs.length, 500);
  assert.equal(docs[0]!.id, 'ca01');
  assert.equal(docs[499]!.id, 'cr09');
  assert.ok(docs[0]!.text.startsWith('The Fulton County Grand Jury said Friday an investigation of'));
  const all = docs.map((d) => d.text).join('\n');
  assert.ok(all.length > 5_500_000 && all.length < 6_500_000, `${all.length} characters`);
  // No tag survives (`word/tag` with a lower-case tag), and no Penn-style spacing or quotes either.
  assert.equal(/\b[A-Za-z]+\/(at|nn|np|vbd|in|jj|cc)\b/.test(all), false);
  assert.equal((all.match(/ [,.;:!?]/g) ?? []).length <= 5, true, 'space before punctuation');
  assert.equal(all.includes('``'), false);
  assert.equal(/\( /.test(all), false);
  assert.ok((all.match(/"/g) ?? []).length > 15_000, 'quotes became double quotes');
});

test('the Brown split is fixed: every tenth document, spread over the genres, whatever the input order', async () => {
  const docs = await brown;
  const a = splitDocuments(docs);
  const b = splitDocuments([...docs].reverse());
  assert.equal(a.validation.length, 50);
  assert.equal(a.train.length, 450);
  assert.deepEqual(a.validation.map((d) => d.id), b.validation.map((d) => d.id));
  assert.equal(a.validation[0]!.id, 'ca10');
  assert.equal(new Set(a.validation.map((d) => d.id[1])).size >= 12, true, 'genres represented');
  assert.equal(new Set([...a.train, ...a.validation].map((d) => d.id)).size, 500);
  assert.ok(totalChars(a.validation) > 400_000);
});

test('a single document is split at a line boundary instead', () => {
  const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
  const { train, validation } = splitDocuments([{ id: 'one.txt', text }], 0.1);
  assert.equal(train.length, 1);
  assert.equal(validation.length, 1);
  assert.equal(train[0]!.text + validation[0]!.text, text);
  assert.ok(validation[0]!.text.startsWith('line '));
});

test('the user\'s text: a file, or a folder of .txt files in path order; errors name the path on one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-corpus-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'b.txt'), '\ufeffSecond\r\nfile\n');
  writeFileSync(join(dir, 'sub', 'a.txt'), 'Nested');
  writeFileSync(join(dir, 'notes.md'), 'ignored');
  writeFileSync(join(dir, 'empty.txt'), '  \n');
  const docs = await readTextCorpus(dir);
  assert.deepEqual(docs, [{ id: 'b.txt', text: 'Second\nfile\n' }, { id: 'sub/a.txt', text: 'Nested' }]);
  assert.deepEqual(await readCorpus(join(dir, 'sub', 'a.txt')), [{ id: 'a.txt', text: 'Nested' }]);

  const missing = join(dir, 'nope.txt');
  await assert.rejects(readTextCorpus(missing), (e: Error) => e.message === `corpus: ${missing}: no such file or folder`);
  await assert.rejects(readTextCorpus(join(dir, 'empty.txt')), (e: Error) => e.message.includes('empty.txt is empty') && !e.message.includes('\n'));
  const bare = mkdtempSync(join(tmpdir(), 'cs-corpus-'));
  await assert.rejects(readTextCorpus(bare), (e: Error) => e.message === `corpus: ${bare}: no .txt files in this folder`);
});

test('a token stream puts BOS before every document', () => {
  const tok = { bosTokenId: 9, encode: (t: string) => Array.from(t, (c) => c.charCodeAt(0) - 97) };
  assert.deepEqual(Array.from(tokenizeDocuments(tok, ['ab', 'c', { id: 'd', text: 'ba' }])), [9, 0, 1, 9, 2, 9, 1, 0]);
  assert.deepEqual(Array.from(tokenizeDocuments({ ...tok, bosTokenId: null }, ['ab', 'c'])), [0, 1, 2]);
});

test('every tokenizer round-trips the cleaned Brown corpus (a slice, to stay fast)', async () => {
  const { ByteTokenizer, Gpt2Tokenizer, trainBpe, tokenizerFromJSON } = await import('../../src/tokenize/index.js');
  const docs = (await brown).filter((_, i) => i % 10 === 3);
  const bpe = trainBpe(docs.slice(0, 10).map((d) => d.text), { vocabSize: 700 });
  assert.equal(bpe.vocabSize, 700);
  const loaded = tokenizerFromJSON(JSON.parse(JSON.stringify(bpe.toJSON())));
  for (const tok of [new ByteTokenizer(), new Gpt2Tokenizer(), bpe, loaded]) {
    for (const d of docs) assert.equal(tok.decode(tok.encode(d.text)), d.text, `${tok.name} on ${d.id}`);
  }
  const stream = tokenizeDocuments(bpe, docs);
  assert.equal(stream[0], bpe.bosTokenId);
  assert.ok(stream.length < totalChars(docs) / 2, 'BPE compresses running text');
});

test('Brown is prepared once a process for each tokenizer; the user\'s text is read again each time', async () => {
  const a = await prepareTrainingData('brown', { kind: 'bytes' });
  assert.equal(await prepareTrainingData('brown', { kind: 'bytes' }), a, 'the same Brown data, not prepared again');
  assert.match(a.description, /^brown: 500 documents/);
  const dir = mkdtempSync(join(tmpdir(), 'cs-prep-'));
  const path = join(dir, 'a.txt');
  writeFileSync(path, 'one two three four\n'.repeat(50));
  const first = await prepareTrainingData(path, { kind: 'bytes' });
  writeFileSync(path, 'five six\n'.repeat(50));
  const second = await prepareTrainingData(path, { kind: 'bytes' });
  assert.notEqual(second.train.length + second.validation.length, first.train.length + first.validation.length, 'the changed file is read again');
});
