// Bundles the UI's components (src/ui/bundle.tsx: preact, uPlot and every view) into one browser script, the one
// that fragments and reports inline. `npm run build` writes it to dist/ui/circuitscope-ui.js; tests and a source
// checkout call buildUiBundle() directly.
import { Buffer } from 'node:buffer';
import { mkdir, writeFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const UI_BUNDLE_PATH = join(ROOT, 'dist', 'ui', 'circuitscope-ui.js');

/**
 * The UI bundle as a string: an IIFE that defines `globalThis.circuitscopeUI` ({ mount, components }). Safe to
 * inline in a <script> element (no `</script` inside).
 */
export async function buildUiBundle({ minify = true } = {}) {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    entryPoints: [join(ROOT, 'src', 'ui', 'bundle.tsx')],
    bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2020',
    jsx: 'automatic', jsxImportSource: 'preact', loader: { '.css': 'text' },
    minify, legalComments: 'eof', charset: 'utf8', logLevel: 'silent',
    tsconfig: join(ROOT, 'tsconfig.json'),
  });
  const code = r.outputFiles[0].text;
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

/** Writes the bundle to dist/ui/circuitscope-ui.js (atomically). */
export async function writeUiBundle(path = UI_BUNDLE_PATH) {
  const code = await buildUiBundle();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, code);
  await rename(`${path}.tmp`, path);
  return { path, bytes: Buffer.byteLength(code) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { path, bytes } = await writeUiBundle();
  console.log(`ui bundle: ${path} (${(bytes / 1024).toFixed(0)} KiB)`);
}
