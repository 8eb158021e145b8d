import { parseArgs } from 'node:util';
import { siteDir } from '../../io/siteAssets.js';
import { modelsToServe, startUiServer, type UiServer } from '../../io/uiServer.js';
import { UsageError } from '../errors.js';

export const SERVE_HELP = `circuitscope serve DIR... [--port N] [--host ADDR]

Serves the circuitscope UI for the given model directories (circuitscope runs, TransformerLens state dicts,
Hugging Face GPT-2) on http://127.0.0.1 and prints the URL. Everything is computed in the page by the browser
engine; the server only hands over the UI's files and the models' files. Ctrl-C stops it.
  --port N      the port (default: any free one)
  --host ADDR   listen on another address than 127.0.0.1 (only when you mean to share it)`;

/** Parses --port; 0 means any free port. */
export function parsePort(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port: expected a port number 0-65535, got "${v}"`);
  return n;
}

/** Starts the UI server for `dirs` and prints where it is. */
export async function serveModels(dirs: readonly string[], opts: { port?: number; host?: string }): Promise<UiServer> {
  const models = await modelsToServe(dirs);
  const server = await startUiServer({ siteDir: await siteDir(), models, ...opts });
  console.log(`circuitscope UI: ${server.url}`);
  for (const m of models) console.log(`  ${m.name}: ${m.dir}`);
  return server;
}

/** Waits for Ctrl-C (or SIGTERM), then closes the server. */
export function untilInterrupted(server: UiServer): Promise<number> {
  return new Promise((resolve) => {
    const stop = () => { void server.close().then(() => resolve(0)); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(SERVE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('serve: give one or more model directories (circuitscope serve runs/2l), or use circuitscope site for a UI without models');
  const port = parsePort(values.port);
  const server = await serveModels(positionals, { ...(port !== undefined ? { port } : {}), ...(values.host ? { host: values.host } : {}) });
  return untilInterrupted(server);
}
