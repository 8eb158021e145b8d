import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteTokenizer } from '../../src/tokenize/bytes.js';
import { CharTokenizer } from '../../src/tokenize/chars.js';
import { brownFiles, TRICKY } from './corpusSlice.js';

const tok = new ByteTokenizer();

test('bytes: 256 byte tokens and BOS = 256', () => {
  assert.equal(tok.vocabSize, 257);
  assert.equal(tok.bosTokenId, 256);
  assert.equal(tok.bosToken, '<|BOS|>');
  assert.deepEqual(tok.encode('A\u00e9'), [65, 0xc3, 0xa9]);
  assert.equal(tok.decode([256, 65, 256]), '<|BOS|>A<|BOS|>');
});

test('bytes: decode(encode(text)) === text on the corpus and on tricky strings', () => {
  for (const text of [...brownFiles(10), ...TRICKY]) assert.equal(tok.decode(tok.encode(text)), text);
});

test('bytes: tokenToString gives U+FFFD for a byte that is part of a character, as Hugging Face does', () => {
  assert.equal(tok.tokenToString(65), 'A');
  assert.equal(tok.tokenToString(0xc3), '\ufffd');
  assert.equal(tok.tokenToString(256), '<|BOS|>');
  assert.throws(() => tok.tokenToString(257), /not in the vocabulary/);
  assert.throws(() => tok.decode([300]), /token id 300 is not in the vocabulary/);
});

test('bytes: a character split by BOS decodes each part on its own (no bytes carried over)', () => {
  assert.equal(tok.decode([0xc3, 256, 0xa9]), '\ufffd<|BOS|>\ufffd');
  assert.equal(tok.decode([0xc3]), '\ufffd');
  assert.equal(tok.decode([65]), 'A', 'the previous call left nothing behind');
});

test('chars: one id per character in alphabet order, BOS last, unknown characters rejected', () => {
  const c = new CharTokenizer('0123456789+=');
  assert.equal(c.vocabSize, 13);
  assert.equal(c.bosTokenId, 12);
  assert.deepEqual(c.encode('12+3='), [1, 2, 10, 3, 11]);
  assert.equal(c.decode([12, 1, 2, 10, 3, 11]), '<|BOS|>12+3=');
  assert.equal(c.decode(c.encode('907+15=922')), '907+15=922');
  assert.throws(() => c.encode('1-2'), /"-" is not in the alphabet/);
  assert.throws(() => new CharTokenizer('aba'), /appears twice/);
  assert.throws(() => new CharTokenizer(''), /alphabet is empty/);
  const astral = new CharTokenizer('a\u{1F600}');
  assert.deepEqual(astral.encode('\u{1F600}a'), [1, 0]);
});
