// The UI bundle's code for fragments and reports, in Node: built from the sources in a checkout (esbuild, a
// devDependency; fresh on every run), read from dist/ui/circuitscope-ui.js in an installed package.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setUiBundle } from '../ui/fragments.js';

let cached: Promise<string> | null = null;

/** The UI bundle (an IIFE defining `circuitscopeUI`), built or read once per process. */
export function loadUiBundle(): Promise<string> {
  cached ??= (async () => {
    const sourceEntry = fileURLToPath(new URL('../ui/bundle.tsx', import.meta.url));
    if (existsSync(sourceEntry)) {
      const script = new URL('../../scripts/build-ui.mjs', import.meta.url).href;
      const { buildUiBundle } = (await import(script)) as { buildUiBundle(opts?: { minify?: boolean }): Promise<string> };
      return buildUiBundle();
    }
    const built = fileURLToPath(new URL('../ui/circuitscope-ui.js', import.meta.url));
    return readFile(built, 'utf8').catch(() => {
      throw new Error(`the UI bundle is missing (${built}); run npm run build`);
    });
  })();
  return cached;
}

/** Loads the bundle and gives it to the fragment functions of src/ui/fragments.ts. */
export async function installUiBundle(): Promise<string> {
  const code = await loadUiBundle();
  setUiBundle(code);
  return code;
}
