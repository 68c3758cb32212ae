import type { z } from 'zod';
import type { ErrorCode } from '@shared/contract';
import { formatIssues } from '@shared/issues';

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

/**
 * Checks a value with a shared rule (shared/names.ts, shared/*-schemas.ts), so the service accepts
 * exactly what the contract and the CLI accept. A refusal is INVALID_INPUT naming the field:
 * "'name': ...". Returns the parsed (trimmed, normalized) value.
 */
export function checkField<S extends z.ZodType>(schema: S, field: string, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new HomeportError('INVALID_INPUT', formatIssues(parsed.error, field));
}
