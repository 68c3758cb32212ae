/**
 * homeport backup STACK, homeport backups list|verify|restore|prune, homeport backup-key: thin
 * adapters over the backup use cases (BackupOperations). Progress is one updating line on a
 * terminal, a line per step otherwise, and nothing but the end result as JSON with --json.
 * Ctrl-C cancels the running operation (which removes what it wrote).
 */
import { parseArgs } from 'node:util';
import type { BackupProgress } from '@shared/backup-schemas';
import { HomeportError } from '../core/errors';
import type { BackupKeys, BackupOperations, OperationHandle } from '../core/backup/types';
import { endLines, formatList, formatRestorePlan, parseDestinationText, progressLine } from './backup-output';
import type { Services } from '../services';
import { targetFromOptions, withServices, type TargetOptions } from './stack-commands';
import { UsageError } from './usage-error';

export const BACKUP_USAGE = `homeport backup STACK (--context NAME [-n NS] | --swarm ENDPOINT) --to DEST [--json]
homeport backups list --to DEST [--stack STACK] [--json]
homeport backups verify ID --to DEST [--json]
homeport backups restore ID --to DEST (--context NAME [-n NS] | --swarm ENDPOINT) [--yes] [--json]
homeport backups prune --to DEST --stack STACK --keep-daily N --keep-weekly M [--dry-run] [--json]
homeport backup-key --passphrase-stdin | --key-file PATH

DEST: nas:HOST/DIR_OR_EXPORT | s3:PROFILE/BUCKET[/PREFIX] | file:DIR`;

export interface BackupCliServices {
  backups: BackupOperations;
  backupKeys: BackupKeys;
}

export interface BackupCliDeps {
  /** Runs fn with the services of the data directory in opts, and closes them after. */
  withServices<R>(opts: TargetOptions, fn: (s: BackupCliServices) => Promise<R>): Promise<R>;
  out(line: string): void;
  err(line: string): void;
  /** Rewrites the terminal's current line ('' clears it); absent when stdout is not a terminal. */
  status?(line: string): void;
  readStdin(): Promise<string>;
  now(): Date;
  /** Calls fn on Ctrl-C until the returned function is called. */
  onInterrupt(fn: () => void): () => void;
}

const COMMON = {
  to: { type: 'string' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  kubeconfig: { type: 'string' },
} as const;
const TARGET = {
  context: { type: 'string' },
  swarm: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
} as const;

function positional(positionals: string[], what: string, example: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      `name one ${what}: ${example}${positionals.length > 1 ? ` (got ${positionals.join(' ')})` : ''}`,
    );
  }
  return positionals[0] as string;
}

function count(text: string | undefined, option: string): number {
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new UsageError(`${option}: give a whole number of backups to keep, like ${option} 7`);
  }
  return Number(text);
}

/** Follows an operation to its end, showing its progress; Ctrl-C cancels it. */
async function follow(
  ops: BackupOperations,
  handle: OperationHandle,
  deps: BackupCliDeps,
  json: boolean,
): Promise<BackupProgress> {
  let shown = '';
  const stopWatching = ops.watch(handle.operation, (p) => {
    if (json || p.state !== 'running') return;
    if (deps.status) return deps.status(progressLine(p));
    // Without a terminal, a line per step rather than per byte count.
    const step = `${p.item ?? ''} ${p.phase}`;
    if (step !== shown) {
      shown = step;
      deps.out(progressLine(p));
    }
  });
  const stopInterrupt = deps.onInterrupt(() => ops.cancel(handle.operation));
  try {
    return await ops.result(handle.operation);
  } finally {
    stopWatching();
    stopInterrupt();
    deps.status?.('');
  }
}

function finish(end: BackupProgress, deps: BackupCliDeps, json: boolean): number {
  if (json) deps.out(JSON.stringify(end, null, 2));
  else for (const line of endLines(end)) (end.state === 'succeeded' ? deps.out : deps.err)(line);
  return end.state === 'succeeded' ? 0 : 1;
}

/** homeport backup STACK ... --to DEST */
export async function runBackup(args: string[], deps: BackupCliDeps = consoleDeps()): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...COMMON, ...TARGET },
    allowPositionals: true,
    strict: true,
  });
  const stack = positional(positionals, 'stack', 'homeport backup revenge --context home --to file:/srv/backups');
  const target = targetFromOptions(values, stack);
  const destination = parseDestinationText(values.to);
  return deps.withServices(values, async ({ backups }) => {
    const handle = await backups.start({ target, stack, destination });
    if (!values.json) deps.out(`Backing up ${stack} to ${values.to} as ${handle.backup}`);
    return finish(await follow(backups, handle, deps, Boolean(values.json)), deps, Boolean(values.json));
  });
}

/** homeport backups list|verify|restore|prune */
export async function runBackups(args: string[], deps: BackupCliDeps = consoleDeps()): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      const { values } = parseArgs({ args: rest, options: { ...COMMON, stack: { type: 'string' } }, strict: true });
      const destination = parseDestinationText(values.to);
      return deps.withServices(values, async ({ backups }) => {
        const list = await backups.list({ destination, stack: values.stack });
        deps.out(values.json ? JSON.stringify({ backups: list }, null, 2) : formatList(list, deps.now()));
        return 0;
      });
    }
    case 'verify': {
      const { values, positionals } = parseArgs({ args: rest, options: COMMON, allowPositionals: true, strict: true });
      const backup = positional(
        positionals,
        'backup',
        'homeport backups verify revenge-20261130T030000Z-a1b2 --to ...',
      );
      const destination = parseDestinationText(values.to);
      return deps.withServices(values, async ({ backups }) => {
        const handle = await backups.verify({ destination, backup });
        if (!values.json) deps.out(`Restore drill of ${backup}: restoring into a scratch copy`);
        return finish(await follow(backups, handle, deps, Boolean(values.json)), deps, Boolean(values.json));
      });
    }
    case 'restore': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { ...COMMON, ...TARGET, yes: { type: 'boolean', short: 'y' } },
        allowPositionals: true,
        strict: true,
      });
      const backup = positional(positionals, 'backup', 'homeport backups restore ID --to ... --context NAME');
      const destination = parseDestinationText(values.to);
      // The backup's stack names the default namespace, as deploy's does.
      const stack = backup.replace(/-\d{8}T\d{6}Z-[0-9a-f]{4}$/, '');
      const target = targetFromOptions(values, stack);
      return deps.withServices(values, async ({ backups }) => {
        const plan = await backups.restorePlan({ destination, backup, target });
        if (plan.deployed && !values.yes) {
          for (const line of formatRestorePlan(plan)) deps.err(line);
          deps.err(`The stack is deployed in ${plan.where}: restoring replaces it. Add --yes to restore over it.`);
          return 1;
        }
        if (!values.json) for (const line of formatRestorePlan(plan)) deps.out(line);
        const handle = await backups.restore({ destination, backup, target, replace: plan.deployed });
        return finish(await follow(backups, handle, deps, Boolean(values.json)), deps, Boolean(values.json));
      });
    }
    case 'prune': {
      const { values } = parseArgs({
        args: rest,
        options: {
          ...COMMON,
          stack: { type: 'string' },
          'keep-daily': { type: 'string' },
          'keep-weekly': { type: 'string' },
          'dry-run': { type: 'boolean' },
        },
        strict: true,
      });
      const destination = parseDestinationText(values.to);
      if (!values.stack) throw new UsageError('--stack: name the stack whose backups to prune');
      const keepDaily = count(values['keep-daily'], '--keep-daily');
      const keepWeekly = count(values['keep-weekly'], '--keep-weekly');
      const dryRun = Boolean(values['dry-run']);
      return deps.withServices(values, async ({ backups }) => {
        const r = await backups.prune({ destination, stack: values.stack as string, keepDaily, keepWeekly, dryRun });
        if (values.json) deps.out(JSON.stringify({ ...r, dryRun }, null, 2));
        else {
          for (const id of r.removed) deps.out(`${dryRun ? 'would remove' : 'removed'} ${id}`);
          deps.out(`${dryRun ? 'Would remove' : 'Removed'} ${r.removed.length}, kept ${r.kept.length}.`);
        }
        return 0;
      });
    }
    default:
      // Asked for, the usage is the answer (exit 0); without a subcommand it is a usage error (2).
      if (sub === 'help' || sub === '--help') {
        deps.out(BACKUP_USAGE);
        return 0;
      }
      deps.err(BACKUP_USAGE);
      return 2;
  }
}

/** homeport backup-key --passphrase-stdin | --key-file PATH: never from an argument (shell history, ps). */
export async function runBackupKey(args: string[], deps: BackupCliDeps = consoleDeps()): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'passphrase-stdin': { type: 'boolean' },
      'key-file': { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  if (Boolean(values['passphrase-stdin']) === Boolean(values['key-file'])) {
    throw new UsageError('give either --passphrase-stdin (and the passphrase on stdin) or --key-file PATH');
  }
  const input = values['key-file']
    ? { keyFile: values['key-file'] }
    : { passphrase: (await deps.readStdin()).replace(/\r?\n$/, '') };
  return deps.withServices(values, async ({ backupKeys }) => {
    await backupKeys.set(input);
    deps.out(`Backup key set (${'keyFile' in input ? `key file ${input.keyFile}` : 'passphrase'}).`);
    return 0;
  });
}

/** The backup services of the composition root. */
function backupServicesOf(s: Services): BackupCliServices {
  // TEMPORARY until services.ts composes the backup engine: read the fields it will have.
  const b = s as unknown as Partial<BackupCliServices>;
  if (!b.backups || !b.backupKeys)
    throw new HomeportError('UNAVAILABLE', 'this build of Homeport has no backup engine');
  return { backups: b.backups, backupKeys: b.backupKeys };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export function consoleDeps(): BackupCliDeps {
  const tty = process.stdout.isTTY;
  return {
    withServices: (opts, fn) => withServices(opts, (s) => fn(backupServicesOf(s))),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    status: tty ? (line) => process.stdout.write(`\r\x1b[K${line}`) : undefined,
    readStdin: () => readAll(process.stdin),
    now: () => new Date(),
    onInterrupt(fn) {
      process.on('SIGINT', fn);
      return () => process.off('SIGINT', fn);
    },
  };
}
