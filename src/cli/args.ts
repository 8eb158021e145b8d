import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

/**
 * `parseArgs` for a command, with a user's mistakes as one-line UsageErrors ("train: unknown option --bogus")
 * and negative numbers accepted as option values (`--steps -5` reaches the command's own range check instead of
 * node's three-line "ambiguous argument" message).
 */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  const options = config.options ?? {};
  const args = [...(config.args ?? [])];
  for (let i = 0; i < args.length - 1; i++) {
    const m = /^--([^=]+)$/.exec(args[i]!);
    if (m && options[m[1]!]?.type === 'string' && /^-(\d|\.\d|Infinity)/.test(args[i + 1]!)) {
      args.splice(i, 2, `--${m[1]}=${args[i + 1]}`);
    }
  }
  try {
    return parseArgs({ ...config, args }) as ReturnType<typeof parseArgs<T>>;
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw e;
    throw new UsageError(`${command}: ${parseErrorLine((e as Error).message)}`, { cause: e });
  }
}

/** Node's parse errors run to several sentences over lines; the first says what is wrong. */
export function parseErrorLine(message: string): string {
  const first = message.split('\n')[0]!;
  const sentence = /^(.*?[^.]\.)(\s|$)/.exec(first);
  return (sentence ? sentence[1]! : first).replace(/\.$/, '');
}

/**
 * A number option: `undefined` when absent, else a finite number within [min, max] (an integer when asked),
 * or a UsageError naming the flag, the range and what was given.
 */
export function numberOption(command: string, flag: string, v: string | undefined, o: { integer?: boolean; min: number; max: number }): number | undefined {
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  const kind = o.integer ? 'integer' : 'number';
  if (!Number.isFinite(n) || (o.integer && !Number.isInteger(n))) {
    throw new UsageError(`${command}: --${flag} expects a ${o.min >= 0 ? 'non-negative ' : ''}${kind}, got ${v}`);
  }
  if (n < o.min || n > o.max) throw new UsageError(`${command}: --${flag} expects ${o.integer ? 'an integer' : 'a number'} from ${o.min} to ${o.max}, got ${v}`);
  return n;
}
