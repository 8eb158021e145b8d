import { InputError } from '../engine/errors.js';

/** A mistake of the user's (bad argument, missing file): printed as one line, exit code 2, no stack trace. */
export class UsageError extends InputError {
  override name = 'UsageError';
}
