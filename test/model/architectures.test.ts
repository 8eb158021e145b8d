// Hugging Face architectures (Llama, Mistral, Qwen2, Gemma, Gemma 2, GPT-NeoX, GPT-Neo) imported from their own
// directory layout (config.json with model_type; float16, bfloat16 and sharded safetensors) against references
// computed by scripts/fixtures/make_arch_fixtures.py: a float64 PyTorch implementation of Hugging Face's
// modelling code written by hand from it (not `transformers` itself, which this machine cannot install).
// Logits, the residual stream entering every layer, after the last one, and every attention pattern, to 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { readModelFiles } from '../../src/model/import/modelFiles.js';
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

test('sharded checkpoints: a missing shard, a tensor in the wrong shard and a bad index are one line naming the file', async () => {
  const dir = archDir('llama');
  const files: Record<string, Uint8Array> = {};
  for (const f of ['config.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']) {
    files[f] = new Uint8Array(await readFile(join(dir, f)));
  }
  assert.equal(readModelFiles(files).format, 'hf-llama');
  const { 'model-00002-of-00002.safetensors': _, ...missing } = files;
  assert.throws(() => readModelFiles(missing), /^InputError: model-00002-of-00002\.safetensors: no such file \(named by model\.safetensors\.index\.json\)$/);
  const index = JSON.parse(new TextDecoder().decode(files['model.safetensors.index.json'])) as { weight_map: Record<string, string> };
  const [first] = Object.keys(index.weight_map);
  const moved = { ...index, weight_map: { ...index.weight_map, [first!]: index.weight_map[first!] === 'model-00001-of-00002.safetensors' ? 'model-00002-of-00002.safetensors' : 'model-00001-of-00002.safetensors' } };
  assert.throws(() => readModelFiles({ ...files, 'model.safetensors.index.json': new TextEncoder().encode(JSON.stringify(moved)) }), /is not listed for this shard in model\.safetensors\.index\.json/);
  const escape = { weight_map: { [first!]: '../x.safetensors' } };
  assert.throws(() => readModelFiles({ ...files, 'model.safetensors.index.json': new TextEncoder().encode(JSON.stringify(escape)) }), /model\.safetensors\.index\.json field weight_map: .* names "\.\.\/x\.safetensors", expected a \.safetensors file in the same folder/);
});
