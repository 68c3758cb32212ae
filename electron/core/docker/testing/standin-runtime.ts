/**
 * The program inside every contract stand-in image (standin-images.ts bundles it into one file with
 * the real `startProblems` and `answersHttp`). It reads the image's contract from
 * /standin/contract.json and runs in one of two modes:
 *
 * - as the entrypoint (`--standin-main`, then the container's arguments): collects what the program
 *   would read (environment, arguments, its config file and `_FILE` targets), waits up to 30 s for
 *   the host names the program expects to resolve, then either prints why it refuses to start
 *   (`Error: ...` on stderr, exit 1) or serves exactly the contract's ports and paths, prints its
 *   non-secret settings and exits 0 on SIGTERM;
 * - as a tool (`#!/standin/node /standin/standin.mjs` scripts named after it): pg_isready, psql
 *   (standin-psql.ts), pg_dump, pg_restore (standin-pgtools.ts), redis-cli and curl with the real
 *   tools' exit codes.
 */
import { lookup } from 'node:dns/promises';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { basename, dirname } from 'node:path';
import { problemLines, settingLines } from '../../stacks/upstream-output';
import {
  answersHttp,
  effectiveSettings,
  startProblems,
  type ContainerInputs,
  type ImageContract,
} from '../../stacks/upstream';
import { configArg, goverseStartProblems, isGoverseProgram, pgadminTarget } from './standin-goverse';
import { CONTRACT_PATH, MAIN_FLAG } from './standin-layout';
import { readStdin, standinPgDump, standinPgRestore } from './standin-pgtools';
import { standinPsql } from './standin-psql';

/** Where libpq looks without a host when its image does not say (PostgreSQL's own default). */
const DEFAULT_SOCKET_DIR = '/tmp';

const RESOLVE_SECONDS = 30;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readFile(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves each name, retrying until the deadline like the real entrypoints wait for their peers. */
async function resolvable(names: readonly string[], deadline: number): Promise<Set<string>> {
  const found = new Set<string>();
  const pending = new Set(names);
  let told = false;
  for (;;) {
    for (const name of [...pending]) {
      if (
        await lookup(name).then(
          () => true,
          () => false,
        )
      ) {
        found.add(name);
        pending.delete(name);
      }
    }
    if (pending.size === 0 || Date.now() >= deadline) return found;
    if (!told) console.log(`waiting for ${[...pending].join(', ')} to resolve`);
    told = true;
    await sleep(1000);
  }
}

function metrics(contract: ImageContract): string {
  return [
    '# HELP homeport_standin_info The Homeport test stand-in serving this contract.',
    '# TYPE homeport_standin_info gauge',
    `homeport_standin_info{component="${contract.component}"} 1`,
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds ${Math.floor(Date.now() / 1000 - process.uptime())}`,
    '',
  ].join('\n');
}

function serveHttp(contract: ImageContract, port: number): net.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (!answersHttp(contract, port, path)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    const scraped = contract.http.some((e) => e.port === port && e.path === path && e.roles.includes('metrics'));
    res
      .writeHead(200, { 'Content-Type': scraped ? 'text/plain; version=0.0.4' : 'text/plain' })
      .end(scraped ? metrics(contract) : 'ok\n');
  });
}

/** A TCP port accepts connections; a Redis-style PING (inline or RESP) gets +PONG. */
function serveTcp(): net.Server {
  return net.createServer((socket) => {
    let buffered = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffered = (buffered + chunk.toString('latin1')).slice(-256);
      if (/^(\*1\r\n\$4\r\n)?ping\r?\n/i.test(buffered)) {
        socket.write('+PONG\r\n');
        buffered = '';
      }
    });
  });
}

/** The connections the program makes before it serves (contract urls with connectsWithin), as it makes them. */
async function startConnections(contract: ImageContract, inputs: ContainerInputs): Promise<string[]> {
  const settings = effectiveSettings(contract.settings, inputs);
  const problems: string[] = [];
  for (const u of contract.settings.urls ?? []) {
    if (u.connectsWithin === undefined) continue;
    const url = new URL(settings.get(u.key) ?? '');
    const port = Number(url.port || u.port);
    const deadline = Date.now() + u.connectsWithin * 1000;
    let result: net.Socket | string = 'timeout expired';
    while (Date.now() < deadline) {
      result = await connect(url.hostname, port, Math.max(100, deadline - Date.now()));
      if (typeof result !== 'string') break;
      await sleep(200);
    }
    if (typeof result === 'string') problems.push(`${u.key}: cannot connect to ${url.hostname}:${port}: ${result}`);
    else {
      result.destroy();
      console.log(`connected to ${url.hostname}:${port} (${u.key})`);
    }
  }
  return problems;
}

async function main(contract: ImageContract, args: string[]): Promise<void> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const files: Record<string, string> = {};
  const wanted = [
    contract.settings.configFile?.path,
    ...Object.entries(env)
      .filter(([k]) => k.endsWith('_FILE'))
      .map(([, v]) => v),
  ];
  for (const path of wanted) {
    const text = path ? readFile(path) : undefined;
    if (path && text !== undefined) files[path] = text;
  }
  const hosts = await resolvable(
    contract.expects.map((e) => e.host),
    Date.now() + RESOLVE_SECONDS * 1000,
  );
  const inputs: ContainerInputs = { env, args, files, hosts };
  const goverse = isGoverseProgram(contract);
  // Goverse's programs read the file --config names, with their own flag rules (standin-goverse.ts).
  const configPath = goverse ? configArg(contract.component, args) : undefined;
  const configText = configPath ? readFile(configPath) : undefined;
  if (configPath && configText !== undefined) files[configPath] = configText;
  const problems = [
    ...startProblems(contract, inputs),
    ...(goverse ? goverseStartProblems(contract.component, args, files) : []),
  ];
  if (problems.length > 0) {
    for (const line of problemLines(problems)) console.error(line);
    process.exit(1);
  }
  if (goverse && contract.component === 'migrate') {
    // pgadmin connects, creates its tables and exits (cmd/pgadmin/main.go:162-200).
    const target = pgadminTarget(args, files) ?? { host: 'localhost', port: 5432 };
    const s = await connect(target.host, target.port, 5000);
    if (typeof s === 'string') {
      console.error(`Error: failed to ping database: dial tcp ${target.host}:${target.port}: ${s}`);
      process.exit(1);
    }
    s.destroy();
    console.log('✓ Connected to database\n✓ Schema initialized successfully');
    process.exit(0);
  }
  const unreachable = await startConnections(contract, inputs);
  if (unreachable.length > 0) {
    for (const line of problemLines(unreachable)) console.error(line);
    process.exit(1);
  }
  const servers = contract.ports.map((p) => {
    const server = p.protocol === 'http' ? serveHttp(contract, p.port) : serveTcp();
    server.listen(p.port, '0.0.0.0', () => console.log(`listening on :${p.port} (${p.protocol})`));
    return server;
  });
  for (const { path } of contract.sockets ?? []) {
    // A socket left by an earlier run of the container is the server's own to replace.
    rmSync(path, { force: true });
    const server = serveTcp();
    server.listen(path, () => console.log(`listening on ${path}`));
    servers.push(server);
  }
  for (const line of settingLines(contract, inputs)) console.log(line);
  const stop = () => {
    for (const s of servers) s.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** `-h x`, `-hx`, `--host x` and `--host=x`. */
function option(args: readonly string[], short: string, long?: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === short || a === long) return args[i + 1];
    if (long && a.startsWith(`${long}=`)) return a.slice(long.length + 1);
    if (a.length > short.length && a.startsWith(short) && !a.startsWith('--')) return a.slice(short.length);
  }
  return undefined;
}

function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve('timeout expired');
    });
    socket.once('connect', () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'ECONNREFUSED' ? 'Connection refused' : (err.code ?? err.message)),
    );
  });
}

/** pg_isready (psql is standin-psql.ts, pg_dump and pg_restore standin-pgtools.ts). */
async function pgIsready(args: string[]): Promise<number> {
  const host = option(args, '-h', '--host') ?? '127.0.0.1';
  const port = Number(option(args, '-p', '--port') ?? 5432);
  const s = await connect(host, port, Number(option(args, '-t', '--timeout') ?? 3) * 1000);
  if (typeof s !== 'string') s.destroy();
  console.log(`${host}:${port} - ${typeof s === 'string' ? 'no response' : 'accepting connections'}`);
  return typeof s === 'string' ? 2 : 0;
}

async function redisCli(args: string[]): Promise<number> {
  const host = option(args, '-h') ?? '127.0.0.1';
  const port = Number(option(args, '-p') ?? 6379);
  const words = args.filter((a, i) => !a.startsWith('-') && !['-h', '-p', '-a'].includes(args[i - 1] ?? ''));
  if (words.length !== 1 || words[0]?.toLowerCase() !== 'ping') {
    console.error(`redis-cli: the Homeport test stand-in sends only PING, not '${words.join(' ')}'`);
    return 1;
  }
  const s = await connect(host, port, 3000);
  if (typeof s === 'string') {
    console.error(`Could not connect to Redis at ${host}:${port}: ${s}`);
    return 1;
  }
  const reply = await new Promise<string>((resolve) => {
    s.setTimeout(3000, () => resolve(''));
    s.once('data', (d) => resolve(d.toString()));
    s.write('*1\r\n$4\r\nPING\r\n');
  });
  s.destroy();
  if (!reply) {
    console.error('Error: Server closed the connection');
    return 1;
  }
  console.log(reply.replace(/^\+/, '').trim());
  return 0;
}

async function curl(args: string[]): Promise<number> {
  const flags = args.filter((a) => /^-[a-zA-Z]+$/.test(a)).join('');
  const failOnError = flags.includes('f') || args.includes('--fail');
  const silent = (flags.includes('s') || args.includes('--silent')) && !flags.includes('S');
  const out = option(args, '-o', '--output');
  const raw = args.find((a) => /^https?:\/\//.test(a));
  if (!raw) {
    console.error('curl: no URL specified');
    return 2;
  }
  const url = new URL(raw);
  const fail = (code: number, message: string) => {
    if (!silent) console.error(`curl: (${code}) ${message}`);
    return code;
  };
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (failOnError && status >= 400) return resolve(fail(22, `The requested URL returned error: ${status}`));
        if (out && out !== '/dev/null') writeFileSync(out, Buffer.concat(chunks));
        else if (!out) process.stdout.write(Buffer.concat(chunks));
        resolve(0);
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN')
        resolve(fail(6, `Could not resolve host: ${url.hostname}`));
      else if (err.message === 'timeout') resolve(fail(28, 'Operation timed out'));
      else resolve(fail(7, `Failed to connect to ${url.hostname} port ${url.port || 80}: Connection refused`));
    });
  });
}

/** The directory of the database server's socket in this image, from its contract. */
function socketDir(): string | undefined {
  const contract = JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')) as ImageContract;
  const socket = contract.sockets?.[0]?.path;
  return socket ? dirname(socket) : undefined;
}

async function tool(name: string, args: string[]): Promise<number> {
  switch (name) {
    case 'psql':
      return standinPsql(args, socketDir());
    case 'pg_dump':
      return standinPgDump(args, socketDir() ?? DEFAULT_SOCKET_DIR);
    case 'pg_restore':
      return standinPgRestore(args, socketDir() ?? DEFAULT_SOCKET_DIR, readStdin);
    case 'pg_isready':
      return pgIsready(args);
    case 'redis-cli':
      return redisCli(args);
    case 'curl':
      return curl(args);
    default:
      console.error(`${name}: the Homeport test stand-in does not implement this program`);
      return 127;
  }
}

const [, , first, ...rest] = process.argv;
const ownContract = () => JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')) as ImageContract;
if (first === MAIN_FLAG) {
  void main(ownContract(), rest);
} else if (first !== undefined && basename(first) === ownContract().program?.name) {
  // The program's own executable, run by a start wrapper (stacks/env-files.ts).
  void main(ownContract(), rest);
} else {
  void tool(basename(first ?? ''), rest).then((code) => process.exit(code));
}
