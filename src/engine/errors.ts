/**
 * An error in what the user gave (a file, a config field, an argument), as opposed to a bug: the CLI prints its
 * one-line message and exits with status 2, without a stack trace. Every layer may throw it.
 */
export class InputError extends Error {
  override name = 'InputError';
}
