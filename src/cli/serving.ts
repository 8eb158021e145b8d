import { siteDir } from '../io/siteAssets.js';
import { modelsToServe, startUiServer, type UiServer } from '../io/uiServer.js';
import { UsageError } from './errors.js';

// Serving the UI from the terminal, shared by the serve and tour commands (a command imports no other command).

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
