import { HomeportError } from '../core/errors';

/** The command line is wrong (a missing or extra argument, a bad option value): exit code 2. */
export class UsageError extends HomeportError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
    this.name = 'UsageError';
  }
}
