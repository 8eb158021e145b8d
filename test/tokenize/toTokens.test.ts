import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenizerLike } from '../../src/model/tokens.js';
import { BpeTokenizer } from '../../src/tokenize/bpe.js';
import { ByteTokenizer } from '../../src/tokenize/bytes.js';
import { CharTokenizer } from '../../src/tokenize/chars.js';
import { Gpt2Tokenizer } from '../../src/tokenize/gpt2.js';
import { toStrTokens, toTokens, type Tokenizer, type TokenizerJSON } from '../../src/tokenize/tokenizer.js';

const bytes = new ByteTokenizer();
const gpt2 = new Gpt2Tokenizer();

/** A tokenizer without BOS, to check that asking for BOS from it fails loudly. */
const noBos: Tokenizer = {
  name: 'nobos', vocabSize: 256, bosTokenId: null, bosToken: null,
  encode: (t) => bytes.encode(t), decode: (ids) => bytes.decode(ids), tokenToString: (id) => bytes.tokenToString(id),
  toJSON: (): TokenizerJSON => ({ type: 'bytes', version: 1 }),
};

test('strings get BOS prepended by default, and not with prependBos: false', () => {
  assert.deepEqual(toTokens(bytes, 'hi'), [256, 104, 105]);
  assert.deepEqual(toTokens(bytes, 'hi', { prependBos: true }), [256, 104, 105]);
  assert.deepEqual(toTokens(bytes, 'hi', { prependBos: false }), [104, 105]);
  assert.deepEqual(toTokens(gpt2, 'Hello world'), [50256, 15496, 995]);
  assert.deepEqual(toTokens(bytes, ''), [256]);
});

test('token arrays are used as given; prependBos: true adds BOS only when it is not already first', () => {
  assert.deepEqual(toTokens(bytes, [104, 105]), [104, 105]);
  assert.deepEqual(toTokens(bytes, [256, 104]), [256, 104]);
  assert.deepEqual(toTokens(bytes, [104, 105], { prependBos: true }), [256, 104, 105]);
  assert.deepEqual(toTokens(bytes, [256, 104], { prependBos: true }), [256, 104]);
  assert.deepEqual(toTokens(bytes, [104], { prependBos: false }), [104]);
  const ids = [1, 2, 3];
  assert.notEqual(toTokens(bytes, ids), ids, 'a copy, so callers may mutate it');
});

test('tokenizing twice never doubles BOS: ids from toTokens passed back in are unchanged', () => {
  const once = toTokens(gpt2, 'The cat');
  assert.deepEqual(toTokens(gpt2, once, { prependBos: true }), once);
  assert.equal(toStrTokens(gpt2, once).filter((s) => s === '<|endoftext|>').length, 1);
});

test('text that spells the BOS string is plain text, not a BOS id', () => {
  const ids = toTokens(gpt2, '<|endoftext|>', { prependBos: false });
  assert.ok(!ids.includes(50256));
  assert.equal(gpt2.decode(ids), '<|endoftext|>');
  assert.ok(!toTokens(bytes, '<|BOS|>', { prependBos: false }).includes(256));
});

test('toStrTokens shows BOS as the first entry for strings, and ids as given', () => {
  assert.deepEqual(toStrTokens(gpt2, 'Hello world'), ['<|endoftext|>', 'Hello', ' world']);
  assert.deepEqual(toStrTokens(gpt2, 'Hello world', { prependBos: false }), ['Hello', ' world']);
  assert.deepEqual(toStrTokens(gpt2, [15496, 995]), ['Hello', ' world']);
  assert.deepEqual(toStrTokens(bytes, 'ab'), ['<|BOS|>', 'a', 'b']);
});

test('asking a tokenizer without BOS for BOS is an error, not a silent no-op', () => {
  assert.throws(() => toTokens(noBos, 'x'), /has no BOS token; pass prependBos: false/);
  assert.throws(() => toTokens(noBos, [1], { prependBos: true }), /has no BOS token/);
  assert.deepEqual(toTokens(noBos, 'x', { prependBos: false }), [120]);
  assert.deepEqual(toTokens(noBos, [1]), [1]);
});

test('ids outside the vocabulary are rejected with their position', () => {
  assert.throws(() => toTokens(bytes, [1, 257]), /token id 257 at position 1 is outside the vocabulary \(0\.\.256\)/);
  assert.throws(() => toTokens(bytes, [-1]), /outside the vocabulary/);
  assert.throws(() => toTokens(bytes, [1.5]), /outside the vocabulary/);
  assert.throws(() => toStrTokens(gpt2, [50257]), /outside the vocabulary/);
});

test('every tokenizer is what the model accepts (TokenizerLike)', () => {
  const forModel: TokenizerLike[] = [bytes, gpt2, new BpeTokenizer([]), new CharTokenizer('01')];
  assert.deepEqual(forModel.map((t) => t.bosTokenId), [256, 50256, 256, 2]);
});
