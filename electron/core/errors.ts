import type { ErrorCode } from '@shared/contract';

/**
 * The one base of every error a user can see: the code says what kind of failure it is (the API
 * answers with it), the message what failed, on what, and what to do.
 */
export class HomeportError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HomeportError';
  }
}

/** The error code of a failed HTTP request to a server Homeport talks to (API server, engine, store). */
export function codeForStatus(status: number | undefined): ErrorCode {
  switch (status) {
    case 400:
    case 422:
      return 'INVALID_INPUT';
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    default:
      return 'UNAVAILABLE';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
