import type { z } from 'zod';
import type { ErrorCode } from '@shared/contract';
import { formatIssues } from '@shared/issues';

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
