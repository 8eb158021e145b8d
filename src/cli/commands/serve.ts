import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { parsePort, serveModels, untilInterrupted } from '../serving.js';

export const SERVE_HELP = `circuitscope serve DIR... [--port N] [--host ADDR]

Serves the circuitscope UI for the given model directories (circuitscope runs, TransformerLens state dicts,
Hugging Face GPT-2) on http://127.0.0.1 and prints the URL. Everything is computed in the page by the browser
engine; the server only hands over the UI's files and the models' files. Ctrl-C stops it.
  --port N      the port (default: any free one)
  --host ADDR   listen on another address than 127.0.0.1 (only when you mean to share it)`;

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
