/**
 * Checks a command's arguments with the contract's schema of the channel the same action has in
 * the app, before anything is read, asked or changed: a name the app refuses, the CLI refuses, with
 * the same words.
 */
import type { z } from 'zod';
import { channels, type Channel } from '@shared/contract';
import { describeIssues } from '@shared/issues';
import { UsageError } from './usage-error';

/**
 * The input as the channel parses it. `except`: top-level fields not given yet (a secret that is
 * asked for only once the rest is known to be good); their issues wait for the next check.
 */
export function checkArgs<C extends Channel>(
  channel: C,
  input: unknown,
  command: string,
  except: string[] = [],
): z.output<(typeof channels)[C]['input']> {
  const parsed = channels[channel].input.safeParse(input);
  if (parsed.success) return parsed.data as z.output<(typeof channels)[C]['input']>;
  const issues = parsed.error.issues.filter((i) => !except.includes(String(i.path[0])));
  if (issues.length === 0) return input as z.output<(typeof channels)[C]['input']>;
  throw new UsageError(describeIssues({ issues }, command));
}
