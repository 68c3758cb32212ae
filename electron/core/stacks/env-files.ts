/**
 * A start wrapper for programs that read their settings only from the environment and not from
 * `NAME_FILE` (radarr-mvp): Docker Swarm puts secrets into files only (swarm.ts renders a secret
 * variable NAME as `NAME_FILE=/run/secrets/...`), so the wrapper reads each listed NAME_FILE into
 * NAME before it runs the program. On Kubernetes the variables are set directly and it only runs
 * the program. It needs a POSIX `sh` in the image, and reads the first line of each file (secrets
 * are single-line tokens and URLs).
 */
import { envNameProblem } from '@shared/names';

const HEAD = '# homeport: NAME_FILE to NAME for';
const wrapperScript = (names: readonly string[]) =>
  [
    `${HEAD} ${names.join(' ')}`,
    'set -eu',
    `for v in ${names.join(' ')}; do`,
    '  eval "f=\\${${v}_FILE:-}"',
    '  if [ -n "$f" ]; then',
    '    val=""',
    '    IFS= read -r val < "$f" || [ -n "$val" ]',
    '    export "$v=$val"',
    '    unset "${v}_FILE"',
    '  fi',
    'done',
    'exec "$@"',
    '',
  ].join('\n');

/** The container command: the wrapper for these variables, then the program and its arguments. */
export function envFromFilesCommand(names: readonly string[], program: readonly string[]): string[] {
  for (const n of names) {
    const problem = envNameProblem(n);
    if (problem !== undefined) throw new Error(`env-files: ${problem}`);
  }
  return ['sh', '-c', wrapperScript(names), program[0] ?? 'sh', ...program];
}

/**
 * What the program sees when a container runs with `command` (the wrapper's or another): its
 * environment with the wrapper's NAME_FILE variables read from `files`, and its own arguments.
 */
export function programInputs(
  command: readonly string[],
  env: Readonly<Record<string, string>>,
  files: Readonly<Record<string, string>>,
): { env: Record<string, string>; args: string[]; wrapped: boolean } {
  const script = command[2] ?? '';
  if (command[0] !== 'sh' || command[1] !== '-c' || !script.startsWith(HEAD)) {
    return { env: { ...env }, args: [...command], wrapped: false };
  }
  const names = (script.split('\n')[0] ?? '').slice(HEAD.length).trim().split(/\s+/).filter(Boolean);
  const out = { ...env };
  for (const n of names) {
    const path = out[`${n}_FILE`];
    if (path === undefined) continue;
    out[n] = (files[path] ?? '').split('\n')[0] ?? '';
    delete out[`${n}_FILE`];
  }
  // `sh -c script $0 program args...`: the program's own arguments follow its name.
  return { env: out, args: command.slice(5), wrapped: true };
}
