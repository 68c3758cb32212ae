/**
 * homeport port-forward --context NAME [-n NS] pod/NAME|svc/NAME [LOCAL:]REMOTE...: kubectl
 * port-forward's arguments and output, listening on 127.0.0.1 only, until SIGINT or SIGTERM.
 */
import { portForwardStartSchema, type PortForwardStart } from '@shared/portforward-schemas';
import { describeIssues } from '@shared/issues';
import { createForwardManager, LOOPBACK } from '../core/portforward/forwards';
import { consoleIo, withServices, type StackIo, type TargetOptions } from './stack-commands';
import { UsageError } from './usage-error';

const USAGE = 'homeport port-forward --context NAME [-n NAMESPACE] pod/NAME|svc/NAME [LOCAL:]REMOTE';

const KINDS: Record<string, 'pod' | 'service'> = { pod: 'pod', pods: 'pod', po: 'pod' };
for (const k of ['svc', 'service', 'services']) KINDS[k] = 'service';

/** pod/NAME or svc/NAME (kubectl's spellings of both kinds). */
export function parseTarget(arg: string | undefined): PortForwardStart['target'] {
  const m = /^([a-z]+)\/(.+)$/.exec(arg ?? '');
  const kind = m ? KINDS[m[1]!] : undefined;
  if (!m || !kind) {
    throw new UsageError(`name what to forward to as pod/NAME or svc/NAME${arg ? `, not '${arg}'` : ''}: ${USAGE}`);
  }
  return { kind, name: m[2]! };
}

/**
 * LOCAL:REMOTE, :REMOTE or REMOTE, as kubectl reads them: an empty or 0 LOCAL picks a free port;
 * a bare number listens on the same port; a bare port name on a free one.
 */
export function parsePorts(arg: string): { localPort: number; remotePort: number | string } {
  const parts = arg.split(':');
  if (parts.length > 2 || !parts.at(-1)) {
    throw new UsageError(`'${arg}' is not a port mapping; use LOCAL:REMOTE, :REMOTE or REMOTE`);
  }
  const remoteText = parts.at(-1)!;
  const remotePort = /^\d+$/.test(remoteText) ? Number(remoteText) : remoteText;
  const localText = parts.length === 2 ? parts[0]! : typeof remotePort === 'number' ? remoteText : '0';
  if (!/^\d*$/.test(localText)) {
    throw new UsageError(`'${arg}': the local port '${localText}' is not a number`);
  }
  return { localPort: Number(localText || '0'), remotePort };
}

/** Resolves when the process is asked to stop. */
const untilSignal = () =>
  new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

export async function runPortForward(
  positionals: string[],
  opts: TargetOptions,
  io: StackIo = consoleIo,
  until: () => Promise<void> = untilSignal,
): Promise<number> {
  const [targetArg, ...portArgs] = positionals;
  const target = parseTarget(targetArg);
  if (portArgs.length === 0) throw new UsageError(`give the port to forward: ${USAGE}`);
  if (!opts.context) throw new UsageError(`--context: name the cluster context; ${USAGE}`);
  const context = opts.context;
  return withServices(opts, async (services) => {
    const namespace =
      opts.namespace ??
      ((await services.clusters.listContexts()).contexts.find((c) => c.name === context)?.namespace || 'default');
    const requests = portArgs.map((arg) => {
      const parsed = portForwardStartSchema.safeParse({ context, namespace, target, ...parsePorts(arg) });
      if (!parsed.success) throw new UsageError(describeIssues(parsed.error, 'port-forward'));
      return parsed.data;
    });
    const forwards = createForwardManager({
      openGateway: (name) => services.clusters.openGateway(name),
      onConnection: (f) => io.out(`Handling connection for ${f.localPort}`),
      onConnectionError: (f, message) =>
        io.err(`an error occurred forwarding ${f.localPort} -> ${f.podPort ?? f.remotePort}: ${message}`),
    });
    const stopped = until();
    try {
      for (const r of requests) {
        const f = await forwards.start({ ...r, remote: r.remotePort, localPort: r.localPort ?? 0 });
        io.out(`Forwarding from ${LOOPBACK}:${f.localPort} -> ${f.podPort ?? f.remotePort}`);
      }
      await stopped;
      return 0;
    } finally {
      await forwards.stopAll();
    }
  });
}
