// circuitscope parity: a model's logits against reference logits. The library's numbers against closed forms
// (KL of two known distributions, a known perturbation), the command on a Hugging Face Llama fixture whose
// reference is an independent PyTorch implementation, and its one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareLogits, referenceTokens } from '../../src/model/import/parity.js';
import { parseSafetensors, serializeSafetensors } from '../../src/model/safetensors.js';
import { tensor } from '../../src/engine/tensor.js';
import { cli } from './run.js';

test('compareLogits: errors, top-1 and KL against closed forms', () => {
  // One position, vocabulary 2: model logits (0, 0) -> p = (1/2, 1/2); reference (ln 3, 0) -> q = (3/4, 1/4).
  const model = { shape: [1, 2, 2], data: [0, 0, 5, 1] };
  const ref = { shape: [1, 2, 2], data: [Math.log(3), 0, 1, 1.5] };
  const r = compareLogits(model, ref);
  const kl = 0.75 * Math.log(0.75 / 0.5) + 0.25 * Math.log(0.25 / 0.5);
  assert.ok(Math.abs(r.positions[0]!.kl - kl) < 1e-12);
  assert.ok(Math.abs(r.positions[0]!.maxAbs - Math.log(3)) < 1e-12);
  assert.ok(Math.abs(r.positions[0]!.maxRel - 1) < 1e-12, 'the error equals the largest reference logit');
  assert.equal(r.positions[0]!.top1Agrees, true, 'a tie goes to the first index, the reference\'s argmax');
  assert.ok(Math.abs(r.positions[1]!.maxAbs - 4) < 1e-12);
  assert.ok(Math.abs(r.positions[1]!.maxRel - 4 / 1.5) < 1e-12);
  assert.equal(r.positions[1]!.top1Agrees, false);
  assert.equal(r.top1Agreement, 0.5);
  assert.throws(() => compareLogits(model, { shape: [1, 2, 3], data: [0, 0, 0, 0, 0, 0] }, 'ref.st'), /ref\.st: logits have shape \[1, 2, 3\], the model gives \[1, 2, 2\]/);
  assert.deepEqual(referenceTokens({ input_ids: tensor(BigInt64Array.from([1n, 2n, 3n]), [3]) }, 'r'), [[1, 2, 3]]);
});

test('parity on a Hugging Face Llama directory: within 1e-4 of the reference, then a perturbed reference', async () => {
  const dir = 'test/fixtures/arch/llama';
  const refPath = join(dir, 'reference.safetensors');
  const good = await cli(['parity', dir, '--reference', refPath, '--json']);
  assert.equal(good.code, 0, good.stderr);
  const r = JSON.parse(good.stdout) as { maxAbs: number; top1Agreement: number; maxKl: number; positions: unknown[] };
  assert.ok(r.maxAbs < 1e-4, `max abs ${r.maxAbs}`);
  assert.equal(r.top1Agreement, 1);
  assert.ok(r.maxKl < 1e-8);
  assert.equal(r.positions.length, 24);

  const tmp = await mkdtemp(join(tmpdir(), 'circuitscope-parity-'));
  try {
    const ref = parseSafetensors(new Uint8Array(await readFile(refPath)), refPath).tensors;
    const logits = Float32Array.from(ref['logits']!.data as Float32Array);
    logits[7] = logits[7]! + 0.25; // batch 0, position 0, token 7
    const bumped = join(tmp, 'bumped.safetensors');
    await writeFile(bumped, serializeSafetensors({ tokens: ref['tokens']!, logits: tensor(logits, ref['logits']!.shape) }));
    const text = await cli(['parity', dir, '--reference', bumped]);
    assert.equal(text.code, 0, text.stderr);
    const first = text.stdout.split('\n')[1]!;
    assert.match(first, /^\s+0\s+0\s+2\.5\d?e-1/, first);
    assert.match(text.stdout, /worst absolute error 2\.5\de-1/);

    const noTokens = join(tmp, 'no-tokens.safetensors');
    await writeFile(noTokens, serializeSafetensors({ logits: ref['logits']! }));
    const e1 = await cli(['parity', dir, '--reference', noTokens]);
    assert.equal(e1.code, 2);
    assert.match(e1.stderr, /parity: .*no-tokens\.safetensors has no input_ids or tokens; give them with --tokens/);
    const e2 = await cli(['parity', dir]);
    assert.equal(e2.code, 2);
    assert.match(e2.stderr, /--reference FILE is required/);
    assert.doesNotMatch(e1.stderr + e2.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
