import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS, getPreset } from '../../src/train/presets.js';
import { validateConfig, type ConfigInput } from '../../src/model/config.js';
import { ByteTokenizer } from '../../src/tokenize/index.js';

test('every preset is a valid model whose vocabulary is its tokenizer\'s, and getPreset hands out copies', () => {
  for (const [name, p] of Object.entries(PRESETS)) {
    assert.equal(p.name, name);
    const cfg = validateConfig(p.model as ConfigInput, `preset ${name}`);
    const spec = p.data.tokenizer;
    // A modular-addition preset has no tokenizer: its vocabulary is the p numbers and '=' (addition: 0-9, '+', '=', BOS).
    const vocab = p.data.task ? (p.data.task.kind === 'addition' ? 13 : p.data.task.p + 1) : spec.kind === 'bytes' ? new ByteTokenizer().vocabSize : spec.vocabSize;
    assert.equal(cfg.d_vocab, vocab, `${name}: d_vocab vs its tokenizer`);
    assert.ok(p.train.seqLen <= cfg.n_ctx, `${name}: sequences fit the context`);
    const c = p.data.curriculum;
    if (c) assert.ok(c.steps < p.train.steps && c.vocab <= vocab, `${name}: the curriculum fits inside the run and the vocabulary`);
  }
  const a = getPreset('attn-only-2l');
  a.train.steps = 1;
  assert.notEqual(getPreset('attn-only-2l').train.steps, 1);
  assert.throws(() => getPreset('attn-only-9l'), /unknown preset attn-only-9l \(expected one of attn-only-0l/);
});
