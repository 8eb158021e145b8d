// The presets' data recipe runs on token arrays alone (as it will in a Web Worker), resumes exactly, and never
// trains on a repeat length the probes measure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBE_LENGTHS, tokenizeDocuments } from '../../src/data/index.js';
import { getPreset } from '../../src/train/presets.js';
import { buildRecipe, curriculumLength, frequentIds, inductionTaskLengths } from '../../src/train/recipes.js';
import type { MetricsRecord } from '../../src/train/trainer.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { ByteTokenizer } from '../../src/tokenize/index.js';
import { initWeights } from '../../src/model/weights.js';

const tok = new ByteTokenizer();
const text = (seed: number) => Array.from({ length: 400 }, (_, i) => `Sentence ${i * seed} of a document about cats and dogs.`).join(' ');
const data = { tokenizer: tok, train: tokenizeDocuments(tok, [text(1), text(3)]), validation: tokenizeDocuments(tok, [text(7)]) };

test('the induction task holds out both probe lengths', () => {
  const r = inductionTaskLengths(129);
  assert.deepEqual(r, { min: 8, max: 64, exclude: [PROBE_LENGTHS.training, PROBE_LENGTHS.detectors] });
  assert.deepEqual(r.exclude, [40, 50]);
});

test('attn-only-2l: config from the tokenizer, the curriculum then the mix at 128 tokens, then the run\'s 256', () => {
  const preset = getPreset('attn-only-2l');
  const recipe = buildRecipe(preset, data);
  assert.equal(recipe.config.d_vocab, 257);
  assert.equal(recipe.config.bos_token_id, 256);
  assert.equal(recipe.config.tokenizer_name, tok.name);
  assert.equal(recipe.config.n_ctx, 256);
  const mix = recipe.train.describe();
  // The curriculum draws the text's most frequent ids (up to 256; this text has fewer distinct bytes).
  const distinct = new Set([...data.train].filter((t) => t !== tok.bosTokenId)).size;
  assert.match(mix, new RegExp(`^the first 2000 steps at 128 tokens: until its loss is below 4 nats \\(at most 2000 steps\\): random tokens \\(the ${distinct} most frequent ids\\).*\\(not 40, 50\\).*; then `));
  assert.equal(recipe.config.positional_embedding_type, 'shortformer');
  assert.match(mix, /60% text windows.*then at 256 tokens: 60% text windows/);
  // 32 rows of 129 during the warm-up (its own rows: 4096 tokens a step), then the run's 8 rows of 257.
  assert.deepEqual(recipe.train.next().shape, [32, 129]);
  assert.deepEqual([preset.train.batchSize, preset.train.seqLen], [8, 256]);
  assert.deepEqual(recipe.icl.shape, [8, 257]);
  assert.ok(recipe.initialWeights);
  assert.ok(recipe.probeAt(preset.train.evalEvery) && recipe.probeAt(preset.train.steps) && !recipe.probeAt(1));
  // The probes after step 2000 have seen 2000 batches of 128 positions; after 2001, one of 256.
  assert.deepEqual([1, 2000, 2001, 3500].map((s) => recipe.trainedContext!(s)), [128, 128, 256, 256]);
});

test('the training batches resume exactly from their state', () => {
  const preset = getPreset('attn-only-2l');
  preset.data.curriculum = { steps: 2, vocab: 256 };
  const a = buildRecipe(preset, data);
  a.train.next();
  const state = JSON.parse(JSON.stringify(a.train.state())) as unknown;
  const rest = Array.from({ length: 3 }, () => [...a.train.next().data]);
  const b = buildRecipe(preset, data);
  b.train.restore(state);
  assert.deepEqual(Array.from({ length: 3 }, () => [...b.train.next().data]), rest);
});

/** A curriculum of vocab 16 draws ids below 16 (and the BOS, 256); text windows hold letters. */
const isCurriculum = (t: Tensor<'int64'>) => [...t.data].every((x) => x < 16n || x === 256n);

test('a curriculum with untilLoss ends at the first record whose loss is below it; resumes and replays after it', () => {
  const preset = getPreset('attn-only-2l');
  delete preset.data.seqLenWarmup;
  preset.data.curriculum = { steps: 1000, vocab: 16, untilLoss: 2.5 };
  const r = buildRecipe(preset, data);
  const record = (step: number, loss: number): MetricsRecord => ({ step, tokens: 0, loss, lr: 1e-3, tokens_per_s: 1, grad_norm: 1, elapsed_s: 0 });
  assert.match(r.train.describe(), /^until its loss is below 2.5 nats \(at most 1000 steps\): random tokens \(d_vocab 16\)/);
  for (let i = 0; i < 3; i++) assert.ok(isCurriculum(r.train.next()));
  assert.equal(r.train.observe!(record(3, 2.5)), undefined, 'not below the threshold');
  assert.equal(r.train.observe!(record(3, NaN)), undefined, 'a loss that is not a number');
  assert.ok(isCurriculum(r.train.next()));
  assert.deepEqual(r.train.observe!(record(4, 2.49)), { curriculum_ended: 4 });
  const state = JSON.parse(JSON.stringify(r.train.state())) as unknown;
  const after = Array.from({ length: 3 }, () => r.train.next());
  assert.ok(after.every((b) => !isCurriculum(b)), 'the mix follows at once');
  assert.equal(r.train.observe!(record(7, 1)), undefined, 'it ends once');

  const resumed = buildRecipe(preset, data);
  resumed.train.restore(state);
  assert.deepEqual(Array.from({ length: 3 }, () => [...resumed.train.next().data]), after.map((b) => [...b.data]));

  // What `llc` replays: the fixed curriculum of the length it turned out to have gives the same batches.
  const ended = curriculumLength(preset.data.curriculum, [record(3, 2.6), { ...record(4, 2.49), curriculum_ended: 4 }]);
  assert.equal(ended, 4);
  const fixed = getPreset('attn-only-2l');
  delete fixed.data.seqLenWarmup;
  fixed.data.curriculum = { steps: ended, vocab: 16 };
  const replay = buildRecipe(fixed, data);
  for (let i = 0; i < ended; i++) replay.train.next();
  assert.deepEqual(Array.from({ length: 3 }, () => [...replay.train.next().data]), after.map((b) => [...b.data]));
  assert.equal(curriculumLength(preset.data.curriculum, [record(4, 2.6)]), 1000, 'not ended: its steps');
  assert.equal(curriculumLength(undefined, []), 0);
});

test('a loss-ended curriculum still ends at its steps when no probe reaches the threshold', () => {
  const preset = getPreset('attn-only-2l');
  preset.data.curriculum = { steps: 2, vocab: 16, untilLoss: 2.5 };
  const r = buildRecipe(preset, data);
  assert.deepEqual([r.train.next(), r.train.next(), r.train.next()].map(isCurriculum), [true, true, false]);
});

test('a sequence-length warm-up: the curriculum and the mix at the short length with more rows, then the run length; resumes', () => {
  const preset = getPreset('attn-only-2l');
  Object.assign(preset.train, { batchSize: 16, seqLen: 256 });
  preset.model['n_ctx'] = 256;
  preset.data.curriculum = { steps: 2, vocab: 16 };
  preset.data.seqLenWarmup = { seqLen: 64, steps: 4 };
  const r = buildRecipe(preset, data);
  assert.match(r.train.describe(), /^the first 4 steps at 64 tokens: first 2 steps: random tokens \(d_vocab 16\) in sequences of 65 .*; then .*text windows.*; then at 256 tokens: .*text windows/);
  const batches = Array.from({ length: 6 }, () => r.train.next());
  // 64 rows of 65 (the same 4096 tokens a step as 16 of 257): the curriculum twice, the short mix twice; then the run's.
  assert.deepEqual(batches.map((t) => t.shape), [[64, 65], [64, 65], [64, 65], [64, 65], [16, 257], [16, 257]]);
  assert.deepEqual(batches.map(isCurriculum), [true, true, false, false, false, false]);
  // Restored inside the warm-up and after it, the source gives the same batches as one that never stopped.
  for (const at of [1, 3, 5]) {
    const a = buildRecipe(preset, data);
    for (let i = 0; i < at; i++) a.train.next();
    const state = JSON.parse(JSON.stringify(a.train.state())) as unknown;
    const b = buildRecipe(preset, data);
    b.train.restore(state);
    assert.deepEqual(Array.from({ length: 6 - at }, () => [...b.train.next().data]), batches.slice(at).map((t) => [...t.data]), `restored after ${at}`);
  }
  // A warm-up no shorter than the run, or of no steps, changes nothing.
  for (const w of [{ seqLen: 256, steps: 4 }, { seqLen: 64, steps: 0 }]) {
    preset.data.seqLenWarmup = w;
    assert.deepEqual(buildRecipe(preset, data).train.next().shape, [16, 257]);
    assert.equal(buildRecipe(preset, data).initialWeights, undefined);
    assert.equal(buildRecipe(preset, data).trainedContext!(1), 256);
  }
});

test('a warm-up run starts as the run at the warm-up length: the same first weights and batches, W_pos tiled', () => {
  const preset = getPreset('attn-only-2l');
  Object.assign(preset.train, { batchSize: 16, seqLen: 256 });
  preset.model['n_ctx'] = 256;
  preset.data.seqLenWarmup = { seqLen: 64, steps: 4 };
  const warm = buildRecipe(preset, data);
  const short = getPreset('attn-only-2l');
  Object.assign(short.train, { batchSize: 64, seqLen: 64 });
  short.model['n_ctx'] = 64;
  const plain = buildRecipe(short, data);
  const w = warm.initialWeights!();
  const p = initWeights(plain.config);
  assert.deepEqual(Object.keys(w).sort(), Object.keys(p).sort());
  for (const [n, t] of Object.entries(p)) {
    if (n === 'pos_embed.W_pos') continue;
    assert.deepEqual(w[n]!.data, t.data, n);
  }
  const d = preset.model['d_model'] as number;
  const pos = w['pos_embed.W_pos']!;
  assert.deepEqual(pos.shape, [256, d]);
  for (const row of [0, 63, 64, 130, 255]) {
    assert.deepEqual(pos.data.subarray(row * d, (row + 1) * d), p['pos_embed.W_pos']!.data.subarray((row % 64) * d, (row % 64 + 1) * d), `W_pos row ${row}`);
  }
  for (let i = 0; i < 3; i++) assert.deepEqual([...warm.train.next().data], [...plain.train.next().data], `batch ${i}`);
  assert.equal(plain.initialWeights, undefined);
});

test('a curriculum on the most frequent ids draws only those, and frequentIds counts by hand', () => {
  // "aab a" -> a: 3, b: 1, space: 1; the BOS never counts.
  assert.deepEqual(frequentIds(Int32Array.from([97, 97, 98, 32, 97, 256, 256, 256, 256]), 2, 256), [97, 32]);
  assert.deepEqual(frequentIds([5, 5, 3, 3, 9], 5, null), [3, 5, 9]);
  const preset = getPreset('attn-only-2l');
  preset.data.curriculum = { steps: 3, vocab: 12, ids: 'frequent' };
  delete preset.data.seqLenWarmup;
  const recipe = buildRecipe(preset, data);
  const want = new Set(frequentIds(data.train, 12, tok.bosTokenId));
  assert.equal(want.size, 12);
  assert.match(recipe.train.describe(), /the 12 most frequent ids/);
  for (let s = 0; s < 3; s++) {
    const b = recipe.train.next().data as BigInt64Array;
    const W = preset.train.seqLen + 1;
    for (let i = 0; i < b.length; i++) {
      const t = Number(b[i]);
      if (i % W === 0) assert.equal(t, tok.bosTokenId);
      else assert.ok(want.has(t), `step ${s}: token ${t} is not one of the 12 most frequent`);
    }
  }
  // Every one of them is drawn over the three batches (16 x 256 tokens a batch, 12 ids).
  const seen = new Set<number>();
  const again = buildRecipe(preset, data);
  for (let s = 0; s < 3; s++) for (const t of again.train.next().data as BigInt64Array) seen.add(Number(t));
  assert.equal(seen.size, 13, 'the 12 ids and the BOS');
});

test('a curriculum on fewer ids than the vocabulary restricts its loss to them and the BOS; the mix does not', () => {
  // A curriculum over all 256 bytes: with the BOS that is the whole vocabulary, no restriction.
  const all = getPreset('attn-only-2l');
  all.data.curriculum = { steps: 2000, vocab: 256 };
  const bytes = buildRecipe(all, data);
  bytes.train.next();
  assert.equal(bytes.train.lossVocabulary!(), null);

  // 12 frequent ids of 257, through a sequence-length warm-up: the 12 and the BOS, sorted, the same array each
  // batch (the trainer keys its compiled steps on it), until the curriculum ends; then none.
  const preset = getPreset('attn-only-2l');
  preset.data.curriculum = { steps: 3, vocab: 12, ids: 'frequent' };
  preset.data.seqLenWarmup = { seqLen: 64, steps: 5 };
  const recipe = buildRecipe(preset, data);
  const want = [...frequentIds(data.train, 12, tok.bosTokenId), tok.bosTokenId!].sort((a, b) => a - b);
  const seen: (readonly number[] | null)[] = [];
  for (let s = 0; s < 6; s++) {
    const batch = recipe.train.next();
    const vocab = recipe.train.lossVocabulary!();
    seen.push(vocab);
    // Every target the batch holds (positions 1..) is in the vocabulary its loss ranges over.
    if (vocab) for (const t of batch.data as BigInt64Array) assert.ok(vocab.includes(Number(t)), `step ${s}: ${t} is outside the loss's ids`);
  }
  assert.deepEqual(seen[0], want);
  assert.equal(seen[1], seen[0], 'the same array');
  assert.equal(seen[2], seen[0]);
  assert.deepEqual(seen.slice(3), [null, null, null], 'the short mix, then the run\'s length: every id');

  // Ids below `vocab` (no `ids`): 0..15 and the BOS.
  const first = getPreset('attn-only-2l');
  first.data.curriculum = { steps: 2, vocab: 16 };
  delete first.data.seqLenWarmup;
  const r = buildRecipe(first, data);
  r.train.next();
  assert.deepEqual(r.train.lossVocabulary!(), [...Array.from({ length: 16 }, (_, i) => i), 256]);
  // A resumed source restricts as the one it continues did.
  const resumed = buildRecipe(first, data);
  resumed.train.restore(JSON.parse(JSON.stringify(r.train.state())) as unknown);
  resumed.train.next();
  assert.deepEqual(resumed.train.lossVocabulary!(), r.train.lossVocabulary!());
  resumed.train.next();
  assert.equal(resumed.train.lossVocabulary!(), null, 'past its 2 steps');
});
