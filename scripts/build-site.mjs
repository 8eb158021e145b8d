// The circuitscope app as a static site: index.html, app.js (the UI, main thread), app-worker.js (the browser engine
// and the view computations), and the browser bundle beside them (circuitscope.js, its training worker,
// onnxruntime-web's WASM files, the Brown corpus for training in the page). `npm run build` writes dist/site;
// `circuitscope serve` and `site` call buildSite() in a source checkout.
import { build } from 'esbuild';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBrowser } from './build-browser.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SITE_DIR = join(ROOT, 'dist', 'site');

const INDEX = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>circuitscope</title>
<link rel="icon" href="data:,">
</head>
<body>
<div id="app"></div>
<script type="module" src="./app.js"></script>
</body>
</html>
`;

/** Builds the site into `outdir` (replaced whole, via a temporary directory). */
export async function buildSite({ outdir = SITE_DIR, minify = true, quiet = true } = {}) {
  const tmp = `${outdir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await buildBrowser({ outdir: tmp, minify, webgpu: false, brown: true, quiet });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { app: 'src/ui/app/main.tsx', 'app-worker': 'src/ui/app/worker.ts' },
    bundle: true, format: 'esm', splitting: true, platform: 'browser', target: 'es2022',
    conditions: ['onnxruntime-web-use-extern-wasm'],
    jsx: 'automatic', jsxImportSource: 'preact', loader: { '.css': 'text' },
    outdir: tmp, entryNames: '[name]', chunkNames: 'chunk-app-[hash]', minify, sourcemap: true,
    logLevel: quiet ? 'error' : 'warning', tsconfig: join(ROOT, 'tsconfig.json'),
  });
  await writeFile(join(tmp, 'index.html'), INDEX);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(dirname(outdir), { recursive: true });
  await rename(tmp, outdir);
  return outdir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`site: ${await buildSite()}`);
}
