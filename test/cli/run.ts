import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const BIN = join(ROOT, 'bin', 'circuitscope.js');

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs the CLI as a user would; `onStderr` may act on progress (e.g. send SIGINT). */
type Watch = (chunk: string, kill: (sig: NodeJS.Signals) => void) => void;

export function cli(args: string[], opts: { onStderr?: Watch; onStdout?: Watch; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`circuitscope ${args.join(' ')} timed out`)); }, opts.timeoutMs ?? 120_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(d.toString(), (sig) => child.kill(sig));
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(d.toString(), (sig) => child.kill(sig));
    });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}
