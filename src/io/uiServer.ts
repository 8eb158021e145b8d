import { createServer, type Server } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, join, resolve, sep } from 'node:path';
import { InputError } from '../engine/errors.js';

/** The files of a model directory the UI may read; nothing else in it is served. */
export const MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'metrics.jsonl', 'run.json'] as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json',
  '.jsonl': 'application/x-ndjson', '.safetensors': 'application/octet-stream',
};

export interface ServedModel { id: string; name: string; dir: string; files: string[] }

export interface UiServer { url: string; models: ServedModel[]; close(): Promise<void>; server: Server }

/** Checks model directories and lists the files the UI may read from each. */
export async function modelsToServe(dirs: readonly string[]): Promise<ServedModel[]> {
  const out: ServedModel[] = [];
  for (const [i, d] of dirs.entries()) {
    const dir = resolve(d);
    const st = await stat(dir).catch(() => null);
    if (!st?.isDirectory()) throw new InputError(`${d}: not a model directory (expected a folder with config.json and model.safetensors)`);
    const files: string[] = [];
    const real = await realpath(dir);
    for (const f of MODEL_FILES) if (await insideFile(real, f)) files.push(f);
    if (!files.includes('config.json') || !files.includes('model.safetensors')) {
      throw new InputError(`${d}: not a model directory (expected config.json and model.safetensors in it)`);
    }
    out.push({ id: String(i), name: basename(dir), dir, files });
  }
  return out;
}

/** Whether `dir/name` is a regular file whose real path is inside `dir` (a symlink out of it is not). */
async function insideFile(dir: string, name: string): Promise<boolean> {
  const real = await realpath(join(dir, name)).catch(() => null);
  if (!real || real !== join(dir, name)) return false;
  return (await stat(real).catch(() => null))?.isFile() ?? false;
}

/**
 * Serves the app (`siteDir`) and the given models on `host` (127.0.0.1 unless told otherwise), cross-origin
 * isolated (COOP/COEP) so the engine gets threads. Only the site's own files and each model's MODEL_FILES are
 * served; paths that leave the site directory (`..`, encoded or not, symlinks) are refused.
 */
export async function startUiServer(opts: { siteDir: string; models: ServedModel[]; port?: number; host?: string }): Promise<UiServer> {
  const site = await realpath(opts.siteDir);
  const listing = JSON.stringify(opts.models.map((m) => ({ id: m.id, name: m.name, base: `./models/${m.id}/`, files: m.files })));
  const server = createServer((req, res) => {
    void (async () => {
      const headers = {
        'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
        'cross-origin-resource-policy': 'same-origin', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache',
      };
      const send = (code: number, body: string | Buffer, type = 'text/plain; charset=utf-8') => { res.writeHead(code, { ...headers, 'content-type': type }).end(body); };
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'only GET');
      let path: string;
      try {
        path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      } catch {
        return send(400, 'bad path');
      }
      if (path.includes('\0') || path.split('/').includes('..')) return send(403, 'refused');
      if (path === '/models.json') return send(200, listing, TYPES['.json']);
      const m = /^\/models\/(\d+)\/([^/]+)$/.exec(path);
      if (m) {
        const model = opts.models.find((x) => x.id === m[1]);
        if (!model || !model.files.includes(m[2]!)) return send(404, 'not found');
        // Checked again at each request: a file swapped for a symlink after startup is still refused.
        const real = await realpath(model.dir).catch(() => null);
        const body = real && await insideFile(real, m[2]!) ? await readFile(join(real, m[2]!)).catch(() => null) : null;
        return body ? send(200, body, TYPES[extname(m[2]!)] ?? 'application/octet-stream') : send(404, 'not found');
      }
      const file = await realpath(join(site, path === '/' ? 'index.html' : path)).catch(() => null);
      if (!file || !file.startsWith(site + sep)) return send(404, 'not found');
      const body = await readFile(file).catch(() => null);
      return body ? send(200, body, TYPES[extname(file)] ?? 'application/octet-stream') : send(404, 'not found');
    })().catch(() => { if (!res.headersSent) res.writeHead(500).end(); });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE' ? new InputError(`--port ${opts.port}: that port is in use (pick another, or 0 for any free one)`) : e));
    server.listen(opts.port ?? 0, host, () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`, models: opts.models, server, close: () => new Promise((r) => server.close(() => r())) };
}
