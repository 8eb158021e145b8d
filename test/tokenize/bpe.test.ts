import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BpeTokenizer } from '../../src/tokenize/bpe.js';
import { trainBpe } from '../../src/tokenize/bpeTrain.js';
import { tokenizerFromJSON } from '../../src/tokenize/index.js';
import { pretokenize } from '../../src/tokenize/pretokenize.js';
import { brownFiles, detag, TRICKY } from './corpusSlice.js';

// Every 10th Brown file (50 files, ~600 kB) to train on, and a disjoint set to test on.
const files = brownFiles(1);
const trainTexts = files.filter((_, i) => i % 10 === 0).map(detag);
const heldOut = files.filter((_, i) => i % 10 === 5).slice(0, 10);
const tok = trainBpe(trainTexts, { vocabSize: 1000 });

test('bpe: the textbook example "aaabdaaabac" learns aa, ab, (aa)(ab), then stops at pairs seen once', () => {
  const t = trainBpe(['aaabdaaabac'], { vocabSize: 300 });
  // (a,a) is seen 4 times; then (a,b) and (aa,a) tie at 2 and the smaller ids win; then (aa,ab) twice.
  assert.deepEqual(t.merges, [[97, 97], [97, 98], [256, 257]]);
  assert.equal(t.vocabSize, 260, 'stopped early: no pair is seen twice any more');
  assert.equal(t.bosTokenId, 259);
  assert.deepEqual(t.encode('aaabdaaabac'), [258, 100, 258, 97, 99]);
  assert.deepEqual(t.merges.map(([a, b]) => t.tokenToString(a) + t.tokenToString(b)), ['aa', 'ab', 'aaab']);
});

test('bpe: merges never cross pre-token boundaries (GPT-2 regex: a space starts a word)', () => {
  assert.deepEqual(pretokenize("He's  here, 42x!\n"), ['He', "'s", ' ', ' here', ',', ' 42', 'x', '!', '\n']);
  // Pieces: 'ab' once, ' ab' three times. (a,b) is seen 4 times, then (' ',ab) 3 times; 'b' and ' ' never merge.
  const t = trainBpe(['ab ab ab ab'], { vocabSize: 400 });
  assert.deepEqual(t.merges.map(([a, b]) => t.tokenToString(a) + t.tokenToString(b)), ['ab', ' ab']);
  assert.deepEqual(t.encode('ab ab'), [256, 257]);
});

test('bpe: reaches the requested vocabulary size on corpus text, BOS last, frequent words one token', () => {
  assert.equal(tok.vocabSize, 1000);
  assert.equal(tok.bosTokenId, 999);
  assert.equal(tok.bosToken, '<|BOS|>');
  for (const w of [' the', ' of', ' and']) assert.equal(tok.encode(w).length, 1, `${JSON.stringify(w)} is one token`);
  assert.equal(tok.tokenToString(999), '<|BOS|>');
  assert.equal(tok.decode([999, ...tok.encode(' the')]), '<|BOS|> the');
});

test('bpe: decode(encode(text)) === text on held-out corpus files, raw tagged text and tricky strings', () => {
  for (const text of [...heldOut.map(detag), ...heldOut.slice(0, 2), ...TRICKY]) assert.equal(tok.decode(tok.encode(text)), text);
});

test('bpe: training is deterministic and independent of the order of the texts', () => {
  const again = trainBpe(trainTexts, { vocabSize: 1000 });
  const reversed = trainBpe([...trainTexts].reverse(), { vocabSize: 1000 });
  assert.deepEqual(again.toJSON(), tok.toJSON());
  assert.deepEqual(reversed.toJSON(), tok.toJSON());
});

test('bpe: tokenizer.json round trip gives the same tokenizer', () => {
  const text = JSON.stringify(tok);
  const loaded = tokenizerFromJSON(JSON.parse(text));
  assert.ok(loaded instanceof BpeTokenizer);
  assert.equal(loaded.vocabSize, tok.vocabSize);
  assert.equal(loaded.bosTokenId, tok.bosTokenId);
  assert.deepEqual(loaded.toJSON(), tok.toJSON());
  const sample = detag(heldOut[0]!).slice(0, 20_000);
  assert.deepEqual(loaded.encode(sample), tok.encode(sample));
  for (let id = 0; id < tok.vocabSize; id += 37) assert.equal(loaded.tokenToString(id), tok.tokenToString(id));
});

test('bpe: a custom BOS string is kept through JSON', () => {
  const t = trainBpe(['aa aa aa'], { vocabSize: 260, bosToken: '<s>' });
  const loaded = tokenizerFromJSON(JSON.parse(JSON.stringify(t)));
  assert.equal(loaded.bosToken, '<s>');
  assert.equal(loaded.decode([loaded.bosTokenId!]), '<s>');
});

test('bpe: malformed tokenizer JSON is rejected with a reason', () => {
  const good = trainBpe(['aaabdaaabac'], { vocabSize: 300 }).toJSON();
  assert.throws(() => BpeTokenizer.fromJSON({ ...good, vocabSize: 999 }), /"vocabSize" is 999 but 3 merges make 260 tokens/);
  assert.throws(() => BpeTokenizer.fromJSON({ ...good, merges: [[97, 300]] }), /merge 0 uses id 300, but only ids 0\.\.255 exist/);
  assert.throws(() => BpeTokenizer.fromJSON({ ...good, vocabSize: 259, merges: [[97, 97], [97, 97]] }), /repeats the pair \[97, 97\]/);
  assert.throws(() => BpeTokenizer.fromJSON({ ...good, merges: 'x' }), /array of \[left, right\] id pairs/);
  assert.throws(() => BpeTokenizer.fromJSON({ ...good, version: 2 }), /unsupported tokenizer JSON version 2/);
  assert.throws(() => BpeTokenizer.fromJSON({ ...good, pretokenizer: 'bert' }), /unknown pretokenizer bert/);
  assert.throws(() => trainBpe(['x'], { vocabSize: 256 }), /at least 257/);
});

test('bpe: ids beyond the vocabulary are errors, not silent garbage', () => {
  assert.throws(() => tok.decode([1000]), /token id 1000 is not in the vocabulary/);
  assert.throws(() => tok.tokenToString(-1), /not in the vocabulary/);
});

/** The textbook algorithm, as a reference: merge the lowest-rank pair everywhere, left to right, until none is left. */
function naiveEncodePiece(merges: readonly [number, number][], bytes: readonly number[]): number[] {
  const rank = new Map(merges.map(([a, b], k) => [`${a},${b}`, k]));
  let ids = [...bytes];
  while (true) {
    let best = Infinity;
    for (let i = 0; i + 1 < ids.length; i++) best = Math.min(best, rank.get(`${ids[i]},${ids[i + 1]}`) ?? Infinity);
    if (best === Infinity) return ids;
    const [a, b] = merges[best]!;
    const out: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
        out.push(256 + best);
        i++;
      } else {
        out.push(ids[i]!);
      }
    }
    ids = out;
  }
}

test('bpe: long pieces (merged with a heap) segment exactly like the textbook algorithm', () => {
  // Words run together without spaces make one long letter piece; runs of one letter stress overlapping pairs.
  const letters = detag(heldOut[1]!).replace(/[^A-Za-z]/g, '');
  const pieces = [letters.slice(0, 65), letters.slice(100, 1100), letters.slice(2000, 2300).toLowerCase(), 'e'.repeat(301), 'th'.repeat(150) + 'e'];
  for (const p of pieces) {
    assert.equal(pretokenize(p).length, 1);
    const expected = naiveEncodePiece(tok.merges, [...new TextEncoder().encode(p)]);
    assert.deepEqual(tok.encode(p), expected, `piece of ${p.length} characters`);
  }
  const huge = '='.repeat(200_000) + 'x'.repeat(100_000);
  const t0 = performance.now();
  assert.equal(tok.decode(tok.encode(huge)), huge);
  assert.ok(performance.now() - t0 < 5000, 'long pieces are not quadratic');
});
