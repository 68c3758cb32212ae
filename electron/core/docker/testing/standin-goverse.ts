/**
 * What Goverse's programs refuse at start, for their stand-ins (standin-runtime.ts calls it for the
 * contracts of goverse-upstream.ts): the flag rules of each loader and the configuration file's
 * validation, as xiaonanln/goverse@542b6c71 has them. The loader ignores unknown keys of the file
 * (yaml.Unmarshal without KnownFields, config/config.go:108), so the stand-ins do too.
 *
 * - node: node/serverconfig/serverconfig.go:43-99; gate: cmd/gate/gateconfig/gateconfig.go:43-102;
 *   inspector: cmd/inspector/inspectorconfig/inspectorconfig.go:41-90; pgadmin:
 *   cmd/pgadmin/main.go:51-111. Go's flag package refuses flags it does not define (flag.Parse,
 *   ExitOnError) and stops at the first argument that is not a flag.
 * - The file: config/config.go:101-194.
 */
import { parse as parseYaml } from 'yaml';

/** Flags each program defines, with their defaults (a flag given with --config must keep its default). */
const FLAGS: Record<string, Record<string, string>> = {
  node: {
    config: '',
    'node-id': '',
    listen: ':48000',
    advertise: 'localhost:48000',
    'http-listen': '',
    etcd: 'localhost:2379',
    'etcd-prefix': '/goverse',
    'inspector-address': '',
  },
  gate: {
    config: '',
    'gate-id': '',
    listen: ':49000',
    advertise: 'localhost:49000',
    'http-listen': '',
    'ops-listen': '',
    etcd: 'localhost:2379',
    'etcd-prefix': '/goverse',
    'inspector-address': '',
  },
  inspector: {
    config: '',
    'grpc-addr': ':8081',
    'http-addr': ':8080',
    'static-dir': 'cmd/inspector/web',
    'etcd-addr': '',
    'etcd-prefix': '/goverse',
  },
  migrate: {
    config: '',
    host: 'localhost',
    port: '5432',
    user: 'goverse',
    password: 'goverse',
    database: 'goverse',
    sslmode: 'disable',
  },
};

export const GOVERSE_PROGRAMS = Object.keys(FLAGS);

export interface ParsedFlags {
  flags: Record<string, string>;
  /** Arguments after the flags. */
  rest: string[];
}

/** Go's flag package: `-name=value`, `--name=value`, `-name value`; stops at `--` or a non-flag. */
export function parseGoFlags(program: string, args: readonly string[]): ParsedFlags | string {
  const defined = FLAGS[program];
  if (!defined) return `unknown program ${program}`;
  const flags: Record<string, string> = {};
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    if (!(name in defined)) return `flag provided but not defined: -${name}`;
    if (eq >= 0) flags[name] = body.slice(eq + 1);
    else {
      const v = args[i + 1];
      if (v === undefined) return `flag needs an argument: -${name}`;
      flags[name] = v;
      i++;
    }
  }
  return { flags, rest: args.slice(i) };
}

interface ConfigFile {
  version?: unknown;
  cluster?: { shards?: unknown; provider?: unknown; etcd?: { endpoints?: unknown; prefix?: unknown } };
  inspector?: { grpc_addr?: unknown };
  nodes?: { id?: unknown; grpc_addr?: unknown; advertise_addr?: unknown }[];
  gates?: { id?: unknown; grpc_addr?: unknown }[];
}

/** config.LoadConfig: read, parse, Validate (config.go:101-194). */
export function loadGoverseConfig(path: string, text: string | undefined): ConfigFile | string {
  if (text === undefined) return `failed to read config file: open ${path}: no such file or directory`;
  let cfg: ConfigFile;
  try {
    cfg = (parseYaml(text) ?? {}) as ConfigFile;
  } catch (err) {
    return `failed to parse config file: ${(err as Error).message}`;
  }
  const bad = (m: string) => `invalid configuration: ${m}`;
  if (cfg.version !== 1) return bad(`unsupported config version: ${String(cfg.version ?? 0)} (expected 1)`);
  const provider = cfg.cluster?.provider;
  if (!provider) return bad('cluster provider is required');
  if (provider !== 'etcd') return bad(`unsupported cluster provider: ${String(provider)} (only 'etcd' is supported)`);
  const shards = cfg.cluster?.shards;
  if (typeof shards !== 'number' || shards <= 0) return bad('cluster shards must be specified and positive');
  const endpoints = cfg.cluster?.etcd?.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) return bad('at least one etcd endpoint is required');
  if (!cfg.cluster?.etcd?.prefix) return bad('etcd prefix is required');
  const ids = new Set<string>();
  for (const [i, n] of (cfg.nodes ?? []).entries()) {
    if (!n.id) return bad(`node ${i}: id is required`);
    const id = String(n.id);
    if (ids.has(id)) return bad(`duplicate node id: ${id}`);
    ids.add(id);
    if (!n.grpc_addr) return bad(`node ${id}: grpc_addr is required`);
    if (!n.advertise_addr) return bad(`node ${id}: advertise_addr is required`);
  }
  const gates = new Set<string>();
  for (const [i, g] of (cfg.gates ?? []).entries()) {
    if (!g.id) return bad(`gate ${i}: id is required`);
    const id = String(g.id);
    if (gates.has(id)) return bad(`duplicate gate id: ${id}`);
    gates.add(id);
    if (!g.grpc_addr) return bad(`gate ${id}: grpc_addr is required`);
  }
  return cfg;
}

/** Why the Goverse program would refuse to start (empty when it starts). */
export function goverseStartProblems(
  program: string,
  args: readonly string[],
  files: Readonly<Record<string, string>>,
): string[] {
  const parsed = parseGoFlags(program, args);
  if (typeof parsed === 'string') return [parsed];
  const { flags, rest } = parsed;
  const defaults = FLAGS[program] ?? {};
  const configPath = flags.config ?? '';
  if (program === 'migrate') {
    if (rest.length !== 1) return ['Error: command required'];
    if (!['init', 'verify', 'reset', 'status'].includes(rest[0] as string))
      return [`Error: unknown command '${rest[0]}'`];
    if (configPath === '') return [];
    const cfg = loadGoverseConfig(configPath, files[configPath]);
    return typeof cfg === 'string' ? [`Error loading config file: ${cfg}`] : [];
  }
  if (configPath === '') return [];
  const idFlag = program === 'node' ? 'node-id' : program === 'gate' ? 'gate-id' : undefined;
  if (idFlag && !flags[idFlag]) return [`--${idFlag} is required when using --config`];
  for (const [name, value] of Object.entries(flags)) {
    if (name === 'config' || name === idFlag) continue;
    if (value !== defaults[name]) return [`--${name} cannot be used with --config; configure in config file instead`];
  }
  const cfg = loadGoverseConfig(configPath, files[configPath]);
  if (typeof cfg === 'string') return [`failed to load config: ${cfg}`];
  if (program === 'node' && !(cfg.nodes ?? []).some((n) => String(n.id) === flags['node-id'])) {
    return [`failed to find node config: node with id "${flags['node-id']}" not found`];
  }
  if (program === 'gate' && !(cfg.gates ?? []).some((g) => String(g.id) === flags['gate-id'])) {
    return [`failed to find gate config: gate with id "${flags['gate-id']}" not found`];
  }
  if (program === 'inspector' && !cfg.inspector?.grpc_addr)
    return ['inspector configuration is missing in config file'];
  return [];
}

/** Where pgadmin connects: the config file's postgres section with its defaults, or the flags (main.go:96-137). */
export function pgadminTarget(
  args: readonly string[],
  files: Readonly<Record<string, string>>,
): { host: string; port: number } | undefined {
  const parsed = parseGoFlags('migrate', args);
  if (typeof parsed === 'string') return undefined;
  const path = parsed.flags.config ?? '';
  if (path === '') {
    return { host: parsed.flags.host ?? 'localhost', port: Number(parsed.flags.port ?? 5432) };
  }
  const cfg = loadGoverseConfig(path, files[path]);
  if (typeof cfg === 'string') return undefined;
  const pg = (cfg as { postgres?: { host?: string; port?: number } }).postgres ?? {};
  return { host: pg.host || 'localhost', port: pg.port || 5432 };
}

/** The file `--config` names, for the runtime to read. */
export function configArg(program: string, args: readonly string[]): string | undefined {
  const parsed = parseGoFlags(program, args);
  return typeof parsed === 'string' ? undefined : parsed.flags.config || undefined;
}

/** Whether a contract is one of Goverse's programs (goverse-upstream.ts). */
export const isGoverseProgram = (contract: { component: string; images: string[] }) =>
  GOVERSE_PROGRAMS.includes(contract.component) && (contract.images[0] ?? '').startsWith('goverse-');
