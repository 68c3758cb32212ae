/**
 * homeport exec: a command in a pod's or a Swarm task's container, as `kubectl exec` and
 * `docker exec` run it. Output goes to this process's stdout and stderr as it comes, `-i` sends
 * this process's stdin (its end closes the command's input), `-it` gives the command a terminal
 * when stdin is one (raw keys, resized with this terminal), and the command's exit code is this
 * process's: 128 + N when it was killed by signal N, 1 when it could not run (the message says why).
 */
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { targetSchema, type Target } from '@shared/target-schemas';
import type { CommandRequest, CommandResult, TerminalSize, Workload } from '../core/exec/command';
import { resolveDataDir } from '../core/storage/data-dir';
import { createServices, type Services } from '../services';
import { UsageError } from './usage-error';

export const EXEC_USAGE = `homeport exec (--context NAME [-n NS] POD [-c CONTAINER] | --swarm ENDPOINT SERVICE|TASK) [-i] [-t] -- COMMAND [ARGS...]
  --context NAME     kubeconfig context; -n, --namespace NS (default: the context's namespace)
  -c, --container    the pod's container (default: the one kubectl picks)
  --swarm ENDPOINT   a saved Docker endpoint ('env' = $DOCKER_HOST): a running task of SERVICE,
                     or one task as SERVICE.SLOT or by its task ID
  -i, --stdin        pass stdin to the command
  -t, --tty          with -i: a terminal for the command (when stdin is a terminal)
  --kubeconfig PATH, --data-dir DIR
The exit code is the command's (128 + N when killed by signal N); 1 when it could not run.`;

/** The terminal this process runs in, when stdin is one. */
export interface LocalTerminal {
  size(): TerminalSize;
  /** Calls fn on every resize (SIGWINCH); returns how to stop. */
  onResize(fn: () => void): () => void;
  setRaw(raw: boolean): void;
}

export interface ExecIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  terminal?: LocalTerminal;
  env?: NodeJS.ProcessEnv;
}

function processIo(): ExecIo {
  const { stdin, stdout } = process;
  const terminal: LocalTerminal | undefined = stdin.isTTY
    ? {
        // Asked of the terminal each time: on SIGWINCH, stdout's own columns may not be updated yet.
        size: () => {
          if (!stdout.isTTY) return { cols: 80, rows: 24 };
          const [cols, rows] = stdout.getWindowSize();
          return { cols, rows };
        },
        onResize: (fn) => {
          process.on('SIGWINCH', fn);
          return () => process.off('SIGWINCH', fn);
        },
        setRaw: (raw) => stdin.setRawMode(raw),
      }
    : undefined;
  return { stdin, stdout, stderr: process.stderr, ...(terminal ? { terminal } : {}) };
}

interface ExecArgs {
  name: string;
  command: string[];
  context?: string;
  swarm?: string;
  namespace?: string;
  container?: string;
  stdin: boolean;
  tty: boolean;
  kubeconfig?: string;
  dataDir?: string;
}

const invalid = (message: string) => new UsageError(`${message}\n\n${EXEC_USAGE}`);

export function parseExecArgs(args: string[]): ExecArgs {
  const { values, positionals, tokens } = parseArgs({
    args,
    options: {
      context: { type: 'string' },
      swarm: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      container: { type: 'string', short: 'c' },
      stdin: { type: 'boolean', short: 'i' },
      tty: { type: 'boolean', short: 't' },
      kubeconfig: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
    tokens: true,
  });
  const dashes = tokens.find((t) => t.kind === 'option-terminator');
  const before = tokens.filter((t) => t.kind === 'positional' && (!dashes || t.index < dashes.index)).length;
  const [name, ...extra] = positionals.slice(0, before);
  const command = positionals.slice(before);
  if (!dashes) throw invalid('give the command after --: homeport exec ... POD -- COMMAND');
  if (!name) throw invalid('name the pod (--context) or the service or task (--swarm)');
  if (extra.length > 0) throw invalid(`one pod, service or task before --, got: ${[name, ...extra].join(' ')}`);
  if (command.length === 0) throw invalid('give the command to run after --');
  if (!values.context === !values.swarm) throw invalid('give either --context (Kubernetes) or --swarm (Docker Swarm)');
  if (values.swarm && values.namespace) throw invalid('--namespace is for --context; a Swarm has no namespaces');
  return {
    name,
    command,
    stdin: !!values.stdin,
    tty: !!values.tty,
    ...(values.context !== undefined ? { context: values.context } : {}),
    ...(values.swarm !== undefined ? { swarm: values.swarm } : {}),
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(values.container !== undefined ? { container: values.container } : {}),
    ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
  };
}

/** A Swarm task ID: 25 lowercase letters and digits, as the engine makes them. */
const TASK_ID = /^[a-z0-9]{25}$/;

/** One task as `service.slot` or by ID; otherwise a running task of the service of that name. */
export function swarmWorkload(name: string): Workload {
  return /^.+\.\d+$/.test(name) || TASK_ID.test(name) ? { task: name } : { service: name };
}

async function targetOf(a: ExecArgs, services: Services): Promise<Target> {
  let raw: unknown;
  if (a.swarm !== undefined) raw = { kind: 'swarm', endpoint: a.swarm };
  else {
    // As kubectl: the context's own namespace, else default.
    const contexts = a.namespace === undefined ? (await services.clusters.listContexts()).contexts : [];
    const namespace = a.namespace ?? (contexts.find((c) => c.name === a.context)?.namespace || 'default');
    raw = { kind: 'kubernetes', context: a.context, namespace };
  }
  const parsed = targetSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const option = a.swarm !== undefined ? '--swarm' : issue?.path.includes('namespace') ? '--namespace' : '--context';
  throw new UsageError(`${option}: ${issue?.message ?? 'not valid'}`);
}

/** This process's exit code for how the command ended. */
export function exitCodeOf(result: CommandResult): number {
  if (result.kind === 'failed') return 1;
  return result.code;
}

export async function runExec(args: string[], io: ExecIo = processIo()): Promise<number> {
  const a = parseExecArgs(args);
  const env = io.env ?? process.env;
  const services = createServices({
    dataDir: resolveDataDir({ flag: a.dataDir }),
    mode: 'desktop',
    env: a.kubeconfig ? { ...env, KUBECONFIG: a.kubeconfig } : env,
  });
  const cleanups: (() => void)[] = [];
  try {
    const target = await targetOf(a, services);
    // As kubectl: a terminal only with -i (raw keys that go nowhere would leave Ctrl-C dead), and
    // only when this process's stdin is one.
    let tty: TerminalSize | undefined;
    if (a.tty && a.stdin && io.terminal) tty = io.terminal.size();
    else if (a.tty && a.stdin)
      io.stderr.write('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    const request: CommandRequest = {
      workload: target.kind === 'swarm' ? swarmWorkload(a.name) : { pod: a.name },
      command: a.command,
      ...(a.container !== undefined ? { container: a.container } : {}),
      ...(a.stdin ? { stdin: true } : {}),
      ...(tty ? { tty } : {}),
    };
    const session = services.runInWorkload(target, request);
    void session.started.then((place) => {
      if (place?.defaulted) {
        io.stderr.write(`Defaulted container "${place.container}" out of: ${place.defaulted.from.join(', ')}\n`);
      }
    });
    if (tty && io.terminal) {
      const terminal = io.terminal;
      terminal.setRaw(true);
      cleanups.push(() => terminal.setRaw(false));
      cleanups.push(terminal.onResize(() => session.resize(terminal.size())));
    }
    if (session.stdin) {
      const input = session.stdin;
      io.stdin.pipe(input);
      cleanups.push(() => io.stdin.unpipe(input));
    }
    const outputs = [copy(session.stdout, io.stdout), copy(session.stderr, io.stderr)];
    const [result] = await Promise.all([session.result, ...outputs]);
    if (result.kind === 'failed') io.stderr.write(`homeport exec: ${result.message}\n`);
    return exitCodeOf(result);
  } finally {
    for (const c of cleanups.reverse()) c();
    // Nothing more is read: a terminal or a pipe left open must not keep this process alive.
    io.stdin.pause();
    services.close();
  }
}

/**
 * Copies an output as the destination takes it, without ending the destination (this process's
 * stdout stays usable). A destination that went away (a closed pipe, `| head`) stops the copy; the
 * command still runs to its end and its exit code is still the answer.
 */
function copy(from: Readable, to: Writable): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      from.unpipe(to);
      from.resume();
    };
    // Kept to the end: a write already under way to a closed pipe fails after the first error too.
    to.on('error', stop);
    from.pipe(to, { end: false });
    from.once('end', () => resolve());
    from.once('close', () => resolve());
  });
}
