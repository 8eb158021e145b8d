import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InputError } from '../engine/errors.js';

/** The package's root: src/io (a checkout) and dist/io (the installed package) are both two levels down. */
const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/**
 * The app's static files: in a source checkout, built now into dist/site with esbuild (a few seconds); in the
 * installed package, the dist/site that `npm pack` built.
 */
export async function siteDir(): Promise<string> {
  const script = join(ROOT, 'scripts', 'build-site.mjs');
  if (existsSync(script)) {
    const { buildSite } = (await import(pathToFileURL(script).href)) as { buildSite(o?: { quiet?: boolean }): Promise<string> };
    return buildSite({ quiet: true });
  }
  const built = join(ROOT, 'dist', 'site');
  if (!existsSync(join(built, 'index.html'))) throw new InputError(`the UI's files are missing from ${built} (reinstall circuitscope, or run npm run build in a checkout)`);
  return built;
}
