// Hugging Face architectures (Llama, Mistral, Qwen2, Gemma, Gemma 2, GPT-NeoX, GPT-Neo) imported from their own
// directory layout (config.json with model_type; float16, bfloat16 and sharded safetensors) against references
// computed by scripts/fixtures/make_arch_fixtures.py: a float64 PyTorch implementation of Hugging Face's
// modelling code written by hand from it (not `transformers` itself, which this machine cannot install).
// Logits, the residual stream entering every layer, after the last one, and every attention pattern, to 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { loadModel } from '../../src/io/loadModel.js';
import { diff, rows } from '../browser/fixtures.js';
import { ARCH_FIXTURES, archDir, archReference } from './archFixtures.js';

installNodeRuntime();

for (const name of ARCH_FIXTURES) {
  test(`${name}: logits, hidden states and attention patterns match the Hugging Face reference to 1e-4`, async () => {
    const model = await loadModel(archDir(name));
    const ref = await archReference(name);
    const tokens = rows(ref['tokens']!);
    const L = model.cfg.n_layers;
    const names = [...Array.from({ length: L }, (_, l) => [`blocks.${l}.hook_resid_pre`, `blocks.${l}.attn.hook_pattern`]).flat(), `blocks.${L - 1}.hook_resid_post`];
    const { logits, cache } = await model.runWithCache(tokens, { names: (n: string) => names.includes(n) });
    assert.ok(diff(logits, ref['logits']!, 'logits') < 1e-4, 'logits');
    for (let l = 0; l < L; l++) {
      assert.ok(diff(cache.get(`blocks.${l}.hook_resid_pre`), ref[`hidden_states.${l}`]!, `resid_pre ${l}`) < 1e-4, `hidden_states.${l}`);
      assert.ok(diff(cache.get(`blocks.${l}.attn.hook_pattern`), ref[`attentions.${l}`]!, `pattern ${l}`) < 1e-4, `attentions.${l}`);
    }
    assert.ok(diff(cache.get(`blocks.${L - 1}.hook_resid_post`), ref['resid_final']!, 'resid_final') < 1e-4, 'resid_final');
  });
}
