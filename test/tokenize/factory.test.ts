import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BpeTokenizer, ByteTokenizer, CharTokenizer, Gpt2Tokenizer, TOKENIZER_NAMES, tokenizerByName, tokenizerFromJSON, trainBpe, type Tokenizer,
} from '../../src/tokenize/index.js';

const sample = 'The Fulton County Grand Jury said Friday, "no evidence" of 12 irregularities.';

test('tokenizerByName makes the tokenizers that need no data, and explains the others', () => {
  assert.ok(tokenizerByName('bytes') instanceof ByteTokenizer);
  assert.ok(tokenizerByName('gpt2') instanceof Gpt2Tokenizer);
  assert.throws(() => tokenizerByName('bpe'), /trained on a corpus \(trainBpe\) or loaded from its tokenizer\.json/);
  assert.throws(() => tokenizerByName('chars'), /needs its alphabet/);
  assert.throws(() => tokenizerByName('wordpiece'), /unknown tokenizer "wordpiece" \(known: bytes, bpe, gpt2, chars\)/);
  assert.deepEqual([...TOKENIZER_NAMES], ['bytes', 'bpe', 'gpt2', 'chars']);
});

test('every tokenizer survives JSON.stringify -> tokenizerFromJSON with the same behaviour', () => {
  const all: Tokenizer[] = [
    new ByteTokenizer(), new Gpt2Tokenizer(), new CharTokenizer('0123456789+= abcdefghijklmnopqrstuvwxyzTFCGJS,."'),
    trainBpe([sample, sample.toLowerCase()], { vocabSize: 300 }),
  ];
  for (const tok of all) {
    const loaded = tokenizerFromJSON(JSON.parse(JSON.stringify(tok)));
    assert.equal(loaded.name, tok.name);
    assert.equal(loaded.constructor, tok.constructor);
    assert.equal(loaded.vocabSize, tok.vocabSize);
    assert.equal(loaded.bosTokenId, tok.bosTokenId);
    assert.equal(loaded.bosToken, tok.bosToken);
    assert.deepEqual(loaded.toJSON(), tok.toJSON());
    assert.deepEqual(loaded.encode(sample), tok.encode(sample));
    assert.equal(loaded.decode(loaded.encode(sample)), sample);
  }
  assert.ok(tokenizerFromJSON({ type: 'bpe', version: 1, vocabSize: 257, bosToken: 'B', pretokenizer: 'gpt2', merges: [] }) instanceof BpeTokenizer);
});

test('tokenizerFromJSON rejects what it cannot read, saying why', () => {
  assert.throws(() => tokenizerFromJSON(null), /unknown type undefined/);
  assert.throws(() => tokenizerFromJSON([1, 2]), /unknown type undefined/);
  assert.throws(() => tokenizerFromJSON({ type: 'sentencepiece', version: 1 }), /unknown type "sentencepiece" \(known: bytes, bpe, gpt2, chars\)/);
  assert.throws(() => tokenizerFromJSON({ type: 'bytes', version: 7 }), /unsupported version 7/);
  assert.throws(() => tokenizerFromJSON({ type: 'chars', version: 1 }), /needs "alphabet" and "bosToken" strings/);
  assert.throws(() => tokenizerFromJSON({ type: 'bpe', version: 1, pretokenizer: 'gpt2', merges: [] }), /"bosToken" must be a string/);
});
