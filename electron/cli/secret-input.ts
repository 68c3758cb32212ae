/**
 * Secrets for CLI commands come from an environment variable or a prompt that does not echo,
 * never from command-line arguments (they would land in shell history and `ps`).
 */
import { HomeportError } from '../core/errors';

export interface SecretSource {
  env: NodeJS.ProcessEnv;
  /** Asks without echoing; undefined when there is no terminal. */
  prompt?(question: string): Promise<string | undefined>;
}

/** Reads a hidden line from the terminal on stderr; undefined without a TTY. */
export async function promptHidden(question: string): Promise<string | undefined> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return undefined;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (result: string | undefined, err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(result);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(value);
        if (ch === '\u0003') return done(undefined, new HomeportError('INVALID_INPUT', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export const consoleSecrets: SecretSource = { env: process.env, prompt: promptHidden };

/**
 * The secret from $envName, else asked for; `required` false allows none (an unencrypted key).
 * The error names the variable to set when neither is possible.
 */
export async function readSecret(
  source: SecretSource,
  envName: string,
  question: string,
  required = true,
): Promise<string | undefined> {
  const fromEnv = source.env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const typed = await source.prompt?.(question);
  if (typed !== undefined && typed !== '') return typed;
  if (!required) return undefined;
  throw new HomeportError('INVALID_INPUT', `no secret given: set ${envName}, or run in a terminal to be asked`);
}
