import { readFile } from 'node:fs/promises';
import { InputError } from '../engine/errors.js';
import { describeCode } from '../io/outputPath.js';
import { parseErrorLine } from './args.js';
import { UsageError } from './errors.js';

/** Errno codes that are the user's or the machine's situation (a path, a permission, a full disk), not a bug. */
const SITUATION = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EEXIST', 'ENAMETOOLONG', 'ELOOP', 'EMFILE', 'EIO']);

/**
 * What the CLI prints for an error that ends a command, and its exit code: the user's mistakes (InputError and
 * its kinds, argument parse errors, file-system situations) as one line with exit 2, argument mistakes with a
 * pointer to the command's --help; anything else is a bug, printed once with its stack, exit 1.
 */
export function describeFailure(err: unknown, command: string | undefined): { line: string; code: number } {
  const e = (err instanceof Error ? err : new Error(String(err))) as Error & { code?: string; path?: string };
  const hint = command && !command.startsWith('-') ? ` (see circuitscope ${command} --help)` : ' (see circuitscope --help)';
  if (e instanceof UsageError) return { line: `circuitscope: ${e.message}${e.message.includes('--help') ? '' : hint}`, code: 2 };
  if (e.code?.startsWith('ERR_PARSE_ARGS')) return { line: `circuitscope: ${parseErrorLine(e.message)}${hint}`, code: 2 };
  if (e instanceof InputError) return { line: `circuitscope: ${firstLine(e.message)}`, code: 2 };
  if (e.code && SITUATION.has(e.code)) {
    const where = e.path ? `${e.path}: ` : '';
    const advice = e.code === 'ENOSPC' || e.code === 'EDQUOT' ? '; free some space (the last checkpoint is intact) and --resume' : '';
    return { line: `circuitscope: ${where}${describeCode(e.code)} (${e.code})${advice}`, code: 2 };
  }
  return { line: `circuitscope: internal error, please report it: ${e.stack ?? e.message}`, code: 1 };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!;
}

/** The version in the package's package.json (beside src/ in a clone, beside dist/ in an install). */
export async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
