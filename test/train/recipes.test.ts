// The presets' data recipe runs on token arrays alone (as it will in a Web Worker), resumes exactly, and never
// trains on a repeat length the probes measure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBE_LENGTHS, tokenizeDocuments } from '../../src/data/index.js';
import { getPreset } from '../../src/train/presets.js';
import { buildRecipe, inductionTaskLengths } from '../../src/train/recipes.js';
import { ByteTokenizer } from '../../src/tokenize/index.js';

const tok = new ByteTokenizer();
const text = (seed: number) => Array.from({ length: 400 }, (_, i) => `Sentence ${i * seed} of a document about cats and dogs.`).join(' ');
const data = { tokenizer: tok, train: tokenizeDocuments(tok, [text(1), text(3)]), validation: tokenizeDocuments(tok, [text(7)]) };

test('the induction task holds out both probe lengths', () => {
  const r = inductionTaskLengths(129);
  assert.deepEqual(r, { min: 8, max: 64, exclude: [PROBE_LENGTHS.training, PROBE_LENGTHS.detectors] });
  assert.deepEqual(r.exclude, [40, 50]);
});

test('attn-only-2l: config from the tokenizer, the curriculum then the mix, batches of seqLen + 1', () => {
  const preset = getPreset('attn-only-2l');
  const recipe = buildRecipe(preset, data);
  assert.equal(recipe.config.d_vocab, 257);
  assert.equal(recipe.config.bos_token_id, 256);
  assert.equal(recipe.config.tokenizer_name, tok.name);
  const mix = recipe.train.describe();
  assert.match(mix, /^first 2500 steps: random tokens \(d_vocab 256\).*\(not 40, 50\).*; then /);
  assert.match(mix, /60% text windows/);
  const batch = recipe.train.next();
  assert.deepEqual(batch.shape, [preset.train.batchSize, preset.train.seqLen + 1]);
  assert.deepEqual(recipe.icl.shape, [preset.train.batchSize, preset.train.seqLen + 1]);
  assert.ok(recipe.probeAt(preset.train.evalEvery) && recipe.probeAt(preset.train.steps) && !recipe.probeAt(1));
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
