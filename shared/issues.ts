/** How a refused input is told to the user: one sentence naming each field and what to do. */
import type { z } from 'zod';

/** A ZodError, or just some of its issues. */
export type Issues = { readonly issues: readonly z.core.$ZodIssue[] };

/** Each issue as `'field': message`, joined by '; '. `base` names the value when the issue has no path. */
export function formatIssues(error: Issues, base = 'input'): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `${issue.keys.map((k) => `'${k}'`).join(', ')}: unknown field, remove it`;
      }
      const field = issue.path.length > 0 ? issue.path.join('.') : base;
      return `'${field}': ${issue.message}`;
    })
    .join('; ');
}

/** Renders zod issues as one sentence naming each field, for the user to act on. */
export function describeIssues(error: Issues, what: string): string {
  return `Invalid input for ${what}: ${formatIssues(error)}`;
}
