import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { siteDir } from '../../io/siteAssets.js';
import { UsageError } from '../errors.js';

export const SITE_HELP = `circuitscope site --out DIR

Writes the whole circuitscope UI as a static site to DIR, for any static host: a visitor drops a model folder on
the page or trains a model in it; nothing is computed on a server. Threads need the host to send
Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (without them the engine
runs on one thread).`;

export async function siteCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(SITE_HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('site: --out DIR is required');
  const existing = await readdir(values.out).catch(() => null);
  if (existing && existing.length > 0) throw new UsageError(`site: ${values.out} is not empty (give a new or empty directory)`);
  const from = await siteDir();
  const tmp = `${values.out.replace(/\/+$/, '')}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await cp(from, tmp, { recursive: true, filter: (src) => !src.endsWith('.map') });
  await rm(values.out, { recursive: true, force: true });
  await mkdir(values.out, { recursive: true });
  await rm(values.out, { recursive: true });
  await rename(tmp, values.out);
  console.log(`circuitscope site: ${values.out} (open index.html through any static server)`);
  return 0;
}
