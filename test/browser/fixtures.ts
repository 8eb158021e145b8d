// The PyTorch fixtures (test/fixtures) as bytes and their comparison, shared by the browser-path tests in Node and
// in chromium.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '../../src/engine/index.js';
import { parseSafetensors } from '../../src/model/safetensors.js';

export const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures');
/** Fixtures with every activation (TransformerLens format); the GPT-2 ones carry logits and losses only. */
export const TL_FIXTURES = ['attn-only-2l', 'gelu-2l-ln', 'relu-1l-lnpre', 'attn-only-2l-shortformer', 'tl-statedict'];
export const GPT2_FIXTURES = ['gpt2-hf', 'gpt2-hf-noprefix'];

/** A fixture's model files (everything but the reference) as bytes. */
export async function fixtureFiles(name: string): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const f of await readdir(join(FIXTURES, name))) {
    if (f !== 'reference.safetensors') out[f] = new Uint8Array(await readFile(join(FIXTURES, name, f)));
  }
  return out;
}

export async function reference(name: string): Promise<Record<string, Tensor>> {
  const path = join(FIXTURES, name, 'reference.safetensors');
  return parseSafetensors(new Uint8Array(await readFile(path)), path).tensors;
}

export function rows(t: Tensor): number[][] {
  const [B, T] = t.shape as [number, number];
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, i) => Number(t.data[b * T + i])));
}

/** Largest |a - b| with -inf matching -inf (masked attention scores). */
export function diff(a: { shape: readonly number[]; data: ArrayLike<number | bigint> }, b: Tensor, what: string): number {
  assert.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  let d = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = Number(a.data[i]);
    const y = Number(b.data[i]);
    if (x === -Infinity || y === -Infinity) {
      assert.equal(x, y, `${what}[${i}]: masking differs`);
      continue;
    }
    d = Math.max(d, Math.abs(x - y));
  }
  return d;
}
