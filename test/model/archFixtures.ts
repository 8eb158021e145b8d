// The Hugging Face architecture fixtures (test/fixtures/arch, made by scripts/fixtures/make_arch_fixtures.py).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tensor } from '../../src/engine/tensor.js';
import { parseSafetensors } from '../../src/model/safetensors.js';
import { FIXTURES } from '../browser/fixtures.js';

export const ARCH_FIXTURES = ['llama', 'mistral', 'qwen2', 'gemma', 'gemma2', 'gpt_neox', 'gpt_neo'];

export const archDir = (name: string): string => join(FIXTURES, 'arch', name);

export async function archReference(name: string): Promise<Record<string, Tensor>> {
  return parseSafetensors(new Uint8Array(await readFile(join(archDir(name), 'reference.safetensors'))), name).tensors;
}
