import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gpt2Tokenizer } from '../../src/tokenize/gpt2.js';
import { toStrTokens } from '../../src/tokenize/tokenizer.js';
import { brownFiles, TRICKY } from './corpusSlice.js';

const tok = new Gpt2Tokenizer();

test('gpt2: loads offline from the gpt-tokenizer package with GPT-2 ids', () => {
  assert.equal(tok.vocabSize, 50257);
  assert.equal(tok.bosTokenId, 50256);
  assert.equal(tok.bosToken, '<|endoftext|>');
  assert.deepEqual(tok.encode('Hello world'), [15496, 995]);
  assert.deepEqual(tok.encode(' The quick brown fox'), [383, 2068, 7586, 21831]);
  assert.deepEqual(tok.encode(' the'), [262]);
  assert.equal(tok.tokenToString(50256), '<|endoftext|>');
  assert.equal(tok.decode([50256, 15496, 995, 50256]), '<|endoftext|>Hello world<|endoftext|>');
});

test('gpt2: decode(encode(text)) === text on the corpus and on tricky strings', () => {
  for (const text of [...brownFiles(25), ...TRICKY]) assert.equal(tok.decode(tok.encode(text)), text);
});

test('gpt2: a token holding part of a character shows U+FFFD, and leaves nothing for the next decode', () => {
  // U+2019 is two tokens, [226 128] and [153]; gpt-tokenizer's own decode would hold the first back and emit it
  // at the start of a later, unrelated call.
  assert.deepEqual(tok.encode('\u2019'), [447, 247]);
  assert.equal(tok.decode([447, 247]), '\u2019');
  assert.equal(tok.decode([447]), '\ufffd');
  assert.equal(tok.decode([11]), ',');
  assert.equal(tok.decode(tok.encode('\uFEFFabc')), '\uFEFFabc');
  assert.deepEqual(toStrTokens(tok, '\u2019s'), ['<|endoftext|>', '\ufffd', '\ufffd', 's']);
});

test('gpt2: ids beyond the vocabulary are errors', () => {
  assert.throws(() => tok.decode([50257]), /token id 50257 is not in the vocabulary/);
  assert.throws(() => tok.tokenToString(50257), /not in the vocabulary/);
});
