/**
 * What every homeport command does the same way: `--help` prints its usage and exits 0; exit
 * codes are 0 success, 1 failure, 2 usage error; a mistyped command, subcommand or option names
 * the nearest one. The help of a command is its section of the main usage text (or its group's
 * own usage), so the text a user reads and the names suggested to them come from one place.
 */
import { DOCKER_USAGE } from './docker-commands';
import { EXEC_USAGE } from './exec-command';
import { REGISTRY_USAGE } from './registry-commands';
import { NAS_USAGE, S3_USAGE } from './storage-commands';
import { UsageError } from './usage-error';
import { STACKS_USAGE } from './user-stack-commands';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const GROUP_USAGE: Record<string, string> = {
  docker: DOCKER_USAGE,
  nas: NAS_USAGE,
  s3: S3_USAGE,
  registry: REGISTRY_USAGE,
  stacks: STACKS_USAGE,
  exec: EXEC_USAGE,
};
const BACKUP_COMMANDS = new Set(['backup', 'backups', 'backup-key']);
const BACKUPS_SUBCOMMANDS = ['list', 'verify', 'restore', 'prune'];

/** Optimal string alignment distance: edits, with a swap of two neighbours counted as one. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to what was typed, when it is close enough to be what was meant. */
export function nearest(typed: string, candidates: readonly string[]): string | undefined {
  const bare = typed.replace(/^-+/, '');
  const reach = Math.max(1, Math.floor(bare.length / 3));
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = distance(typed, name);
    if (d <= reach && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

const didYouMean = (suggestion: string | undefined) => (suggestion ? ` Did you mean '${suggestion}'?` : '');

/** The commands of the main usage text: its lines that start, two spaces in, with a name. */
export function commandsIn(usage: string): string[] {
  const names = [...usage.matchAll(/^ {2}([a-z][a-z0-9-]*)/gm)].map((m) => m[1]!);
  return [...new Set(names)].filter((n) => n !== 'homeport');
}

/** One command's section of the main usage text, as its own usage. */
function sectionOf(command: string, usage: string): string | undefined {
  const lines = usage.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^ {2}${command}(\\s|$)`).test(l));
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && /^ {3,}\S/.test(lines[end]!)) end++;
  return `Usage: homeport ${lines.slice(start, end).join('\n').slice(2)}`;
}

/** The usage text of one command; undefined for a command the usage does not describe. */
export async function helpFor(command: string, usage: string): Promise<string | undefined> {
  if (GROUP_USAGE[command]) return GROUP_USAGE[command];
  // Loaded on use, like the backup commands themselves: they pull in the backup engine.
  if (BACKUP_COMMANDS.has(command)) return (await import('./backup-commands')).BACKUP_USAGE;
  return sectionOf(command, usage);
}

function subcommandsOf(command: string): string[] | undefined {
  if (command === 'backups') return BACKUPS_SUBCOMMANDS;
  const usage = GROUP_USAGE[command];
  if (!usage || command === 'exec') return undefined;
  return commandsIn(usage);
}

/**
 * Runs before a command: `--help`/`-h` anywhere before `--` prints the command's usage (exit 0); an
 * unknown subcommand of a group names the nearest one (exit 2). Undefined: run the command.
 */
export async function preflight(command: string, rest: string[], usage: string): Promise<number | undefined> {
  const end = rest.indexOf('--');
  const own = end < 0 ? rest : rest.slice(0, end);
  if (own.includes('--help') || own.includes('-h')) {
    const help = await helpFor(command, usage);
    if (help !== undefined) {
      console.log(help);
      return EXIT_OK;
    }
  }
  const subs = subcommandsOf(command);
  const sub = rest[0];
  if (subs && sub !== undefined && sub !== 'help' && !sub.startsWith('-') && !subs.includes(sub)) {
    console.error(
      `homeport ${command}: unknown command '${sub}'.${didYouMean(nearest(sub, subs))} See homeport ${command} --help.`,
    );
    return EXIT_USAGE;
  }
  return undefined;
}

/** The line for a command nobody knows, naming the nearest one. */
export function unknownCommand(command: string, usage: string): string {
  return `homeport: unknown command '${command}'.${didYouMean(nearest(command, commandsIn(usage)))} See homeport --help.`;
}

function isParseArgsError(err: unknown): err is Error & { code: string } {
  if (!(err instanceof Error) || !('code' in err)) return false;
  return typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS');
}

/** Prints a command's error and returns its exit code: 2 for a usage error, 1 for a failure. */
export async function reportError(command: string, err: unknown, usage: string): Promise<number> {
  const message = err instanceof Error ? err.message : String(err);
  if (isParseArgsError(err)) {
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown) {
      const options = [
        ...new Set([...((await helpFor(command, usage)) ?? '').matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0])),
      ];
      const suggestion = nearest(unknown[1]!, [...options, '--help', '--data-dir']);
      console.error(
        `homeport ${command}: Unknown option '${unknown[1]}'.${didYouMean(suggestion)} See homeport ${command} --help.`,
      );
    } else console.error(`homeport ${command}: ${message} See homeport ${command} --help.`);
    return EXIT_USAGE;
  }
  console.error(`homeport ${command}: ${message}`);
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}
