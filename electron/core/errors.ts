import type { ErrorCode } from '@shared/contract';

/** An error meant for the user: the message says what failed, on what, and what to do. */
export class HomeportError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HomeportError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
