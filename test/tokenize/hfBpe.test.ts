// Hugging Face tokenizer.json BPE, on hand-built tokenizers whose segmentations are worked out by hand: byte-level
// (GPT-2's byte characters, lowest-rank merge first, a Split regex with (?i:...)) and SentencePiece-style
// (▁ for spaces, a prepended ▁, byte fallback to <0xXX>), with BOS from the post-processor's template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HfBpeTokenizer, tokenizerFromJSON } from '../../src/tokenize/index.js';
import { jsRegex } from '../../src/tokenize/hfBpe.js';
import type { HfTokenizerJSON } from '../../src/tokenize/tokenizer.js';

const vocab = (tokens: string[]) => Object.fromEntries(tokens.map((t, i) => [t, i]));

const byteLevel: HfTokenizerJSON = {
  model: {
    type: 'BPE',
    // 'Ġ' is GPT-2's character for the byte 0x20; 'Ã' and '©' are the bytes 0xC3 0xA9 of 'é'.
    vocab: vocab(['h', 'e', 'l', 'o', 'Ġ', 'he', 'll', 'hell', 'hello', 'Ġhello', 'lo', 'Ã', '©']),
    merges: ['h e', 'l l', 'he ll', 'hell o', 'Ġ hello', ['l', 'o']],
  },
  added_tokens: [{ id: 13, content: '<|endoftext|>', special: true }],
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, use_regex: true },
};

test('byte-level: pieces by GPT-2\'s regex, bytes as characters, merges by rank, and back', () => {
  const tok = new HfBpeTokenizer(byteLevel);
  assert.deepEqual(tok.encode('hello hello'), [8, 9]);
  // "elo": the pairs (e, l) has no merge and (l, o) is rank 5, so e + lo, not el + o.
  assert.deepEqual(tok.encode('elo'), [1, 10]);
  assert.deepEqual(tok.encode('é'), [11, 12]);
  assert.equal(tok.decode([8, 9, 11, 12]), 'hello helloé');
  assert.equal(tok.tokenToString(9), ' hello');
  assert.equal(tok.bosTokenId, 13, '<|endoftext|> is a special added token');
  assert.deepEqual(tokenizerFromJSON(JSON.parse(JSON.stringify(tok.toJSON()))).encode('hello'), [8]);
});

test('a Split pattern with (?i:...) becomes a JavaScript regex with the same matches', () => {
  const re = new RegExp(jsRegex("(?i:'s|'t)|\\p{L}+"), 'gu');
  assert.deepEqual(Array.from("it'S a'T".matchAll(re), (m) => m[0]), ['it', "'S", 'a', "'T"]);
});

const sentencePiece: HfTokenizerJSON = {
  model: {
    type: 'BPE', byte_fallback: true, unk_token: '<unk>',
    vocab: vocab(['<unk>', '<s>', '</s>', '<0xC3>', '<0xA9>', '▁', 'h', 'i', 'o', 'k', '▁h', '▁hi', 'ok', '▁ok']),
    merges: ['▁ h', '▁h i', 'o k', '▁ ok'],
  },
  added_tokens: [{ id: 0, content: '<unk>', special: true }, { id: 1, content: '<s>', special: true }, { id: 2, content: '</s>', special: true }],
  normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
  pre_tokenizer: null,
  post_processor: { single: [{ SpecialToken: { id: '<s>' } }] },
};

test('SentencePiece-style: ▁ for spaces and in front, byte fallback, BOS from the template', () => {
  const tok = new HfBpeTokenizer(sentencePiece);
  assert.deepEqual(tok.encode('hi ok'), [11, 13]);
  assert.deepEqual(tok.encode('hi é'), [11, 5, 3, 4], '▁ alone, then é as its two UTF-8 bytes');
  assert.equal(tok.decode([11, 13]), 'hi ok');
  assert.equal(tok.decode([11, 5, 3, 4]), 'hi é');
  assert.equal(tok.bosTokenId, 1);
  assert.equal(tok.bosToken, '<s>');
  assert.equal(tok.tokenToString(13), ' ok');
});

test('a model type other than BPE is refused in one line', () => {
  assert.throws(() => new HfBpeTokenizer({ model: { type: 'Unigram' } }), /tokenizer\.json model type "Unigram" is not supported \(only "BPE"\)/);
});
