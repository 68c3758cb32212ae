/**
 * Probes against a program that has an upstream contract, answered the way the real container
 * would answer them: HTTP only on the contract's paths, TCP only on its ports, and exec only with
 * the programs the image holds. Messages are the kubelet's, so events read like a cluster's.
 */
import { answersHttp, listensOn, type ImageContract } from '../core/stacks/upstream';
import type { ContainerSpec } from './container-inputs';

export interface Probe {
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command?: string[] };
  grpc?: { port: number };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

/** `errored` is the kubelet's "probe errored" (it could not run the probe), as opposed to a failed check. */
export type ProbeResult = { ok: true } | { ok: false; message: string; errored?: boolean };

const OK: ProbeResult = { ok: true };
const fail = (message: string, errored = false): ProbeResult => ({ ok: false, message, errored });
const LOCAL = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);

function resolvePort(c: ContainerSpec, port: number | string): number | string {
  if (typeof port === 'number' || /^\d+$/.test(port)) return Number(port);
  const named = c.ports?.find((p) => p.name === port);
  return named ? named.containerPort : `port ${port} not found`;
}

/** What an HTTP GET to the program answers: undefined on success, else how it fails. */
function httpAnswer(contract: ImageContract, ip: string, port: number, path: string): string | undefined {
  const served = contract.ports.find((p) => p.port === port);
  if (!served) return `Get "http://${ip}:${port}${path}": dial tcp ${ip}:${port}: connect: connection refused`;
  if (served.protocol !== 'http') {
    return `Get "http://${ip}:${port}${path}": net/http: HTTP/1.x transport connection broken: malformed HTTP response`;
  }
  return answersHttp(contract, port, path) ? undefined : 'HTTP probe failed with statuscode: 404';
}

/** Options of a command line: `-h x`, `--host=x` and `-hx` forms. */
function option(args: readonly string[], short: string, long: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === short || a === long) return args[i + 1];
    if (a.startsWith(`${long}=`)) return a.slice(long.length + 1);
    if (a.startsWith(short) && a.length > short.length && !a.startsWith('--')) return a.slice(short.length);
  }
  return undefined;
}

interface ExecContext {
  contract: ImageContract;
  ip: string;
  hosts: ReadonlySet<string>;
}

/**
 * Runs one program of the image with its arguments, as far as a probe can tell: the tools that
 * connect somewhere (wget, curl, nc, pg_isready, psql, redis-cli) succeed only when the program
 * they reach answers; any other program in the image exits 0.
 */
function runTool(ctx: ExecContext, tool: string, args: readonly string[]): ProbeResult {
  const local = (host: string | undefined) => host === undefined || LOCAL.has(host) || host === ctx.ip;
  const connect = (host: string | undefined, port: number, refused: string, unresolved: string): ProbeResult => {
    if (!local(host)) return ctx.hosts.has(host as string) ? OK : fail(unresolved);
    return listensOn(ctx.contract, port) ? OK : fail(refused);
  };
  switch (tool) {
    case 'wget':
    case 'curl': {
      const raw = args.find((a) => /^https?:\/\//.test(a));
      if (!raw) return fail(`${tool}: no URL given`);
      const url = new URL(raw);
      const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      if (!local(url.hostname)) {
        return ctx.hosts.has(url.hostname) ? OK : fail(`${tool}: bad address '${url.hostname}'`);
      }
      const why = httpAnswer(ctx.contract, ctx.ip, port, url.pathname);
      if (why === undefined) return OK;
      if (why.includes('connection refused')) {
        return fail(
          tool === 'wget'
            ? `wget: can't connect to remote host (${url.hostname}): Connection refused`
            : `curl: (7) Failed to connect to ${url.hostname} port ${port}: Connection refused`,
        );
      }
      if (tool === 'wget') return fail('wget: server returned error: HTTP/1.1 404 Not Found');
      const failOn4xx = args.some((a) => a === '-f' || a === '--fail' || /^-[a-zA-Z]*f[a-zA-Z]*$/.test(a));
      return failOn4xx ? fail('curl: (22) The requested URL returned error: 404') : OK;
    }
    case 'nc': {
      const rest = args.filter((a) => !a.startsWith('-'));
      return connect(rest[0], Number(rest[1]), '', `nc: bad address '${rest[0] ?? ''}'`);
    }
    case 'pg_isready':
    case 'psql': {
      const host = option(args, '-h', '--host');
      const port = Number(option(args, '-p', '--port') ?? 5432);
      const where = host ?? '/var/run/postgresql';
      return connect(
        host?.startsWith('/') ? undefined : host,
        port,
        tool === 'pg_isready'
          ? `${where}:${port} - no response`
          : `psql: error: connection to server on ${where} failed`,
        `${where}:${port} - no response`,
      );
    }
    case 'redis-cli': {
      const host = option(args, '-h', '-h');
      const port = Number(option(args, '-p', '-p') ?? 6379);
      const refused = `Could not connect to Redis at ${host ?? '127.0.0.1'}:${port}: Connection refused`;
      return connect(host, port, refused, refused);
    }
    default:
      return OK;
  }
}

const SHELL_BUILTINS = new Set(['exit', 'true', 'false', 'test', '[', 'echo', ':', 'cd', 'set', 'printf']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

/** A shell script: its `||` alternatives of `&&`/`;`/`|` chains of commands. */
function runScript(ctx: ExecContext, shell: string, script: string): ProbeResult {
  let last: ProbeResult = OK;
  for (const alternative of script.split('||')) {
    last = OK;
    for (const segment of alternative.split(/&&|;|\|/)) {
      const words = segment.trim().split(/\s+/).filter(Boolean);
      while (words[0] && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words.shift();
      if (words[0] === 'exec') words.shift();
      const [program, ...args] = words;
      if (!program || SHELL_BUILTINS.has(program)) {
        if (program === 'false' || (program === 'exit' && args[0] !== undefined && args[0] !== '0')) last = fail('');
        if (!last.ok) break;
        continue;
      }
      const name = program.split('/').pop() as string;
      if (!ctx.contract.tools.includes(name)) {
        last = fail(`${shell}: ${program}: not found`);
        break;
      }
      last = runTool(ctx, name, args.map(unquote));
      if (!last.ok) break;
    }
    if (last.ok) return OK;
  }
  return last;
}

const unquote = (s: string) => s.replace(/^(['"])(.*)\1$/, '$2');

function runExec(ctx: ExecContext, command: readonly string[]): ProbeResult {
  const [program, ...args] = command;
  if (!program) return fail('exec: no command', true);
  const name = program.split('/').pop() as string;
  if (!ctx.contract.tools.includes(name)) {
    const why = program.includes('/')
      ? `exec: "${program}": stat ${program}: no such file or directory`
      : `exec: "${program}": executable file not found in $PATH`;
    return fail(
      `rpc error: code = Unknown desc = failed to exec in container: OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown`,
      true,
    );
  }
  if (SHELLS.has(name) && args[0] === '-c' && args[1] !== undefined) return runScript(ctx, name, args[1]);
  return runTool(ctx, name, args);
}

/** One probe of container `c` (with its image's contract), from the kubelet at pod IP `ip`. */
export function runProbe(
  contract: ImageContract,
  c: ContainerSpec,
  p: Probe,
  ip: string,
  hosts: ReadonlySet<string>,
): ProbeResult {
  if (p.httpGet) {
    const port = resolvePort(c, p.httpGet.port);
    if (typeof port === 'string') return fail(port, true);
    const why = httpAnswer(contract, ip, port, p.httpGet.path ?? '/');
    return why === undefined ? OK : fail(why);
  }
  if (p.tcpSocket) {
    const port = resolvePort(c, p.tcpSocket.port);
    if (typeof port === 'string') return fail(port, true);
    return listensOn(contract, port) ? OK : fail(`dial tcp ${ip}:${port}: connect: connection refused`);
  }
  if (p.exec) return runExec({ contract, ip, hosts }, p.exec.command ?? []);
  if (p.grpc) {
    return listensOn(contract, p.grpc.port)
      ? fail(`failed to connect service "${ip}:${p.grpc.port}" within 1s: context deadline exceeded`)
      : fail(`failed to connect service "${ip}:${p.grpc.port}": connection refused`);
  }
  return OK;
}
