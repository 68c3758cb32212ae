/**
 * Upstream contracts: what an image Homeport deploys really does, read from its source and cited
 * next to each fact (repository@commit:file:line). A stack carries one contract per component
 * image. Three things read them, so that none of them can drift from the real program:
 *
 * - the contract test, which checks every rendered Kubernetes object and Swarm service against
 *   them (probe paths and ports, setting names, config files, the service names a program expects);
 * - the sandbox's simulated kubelet, which answers probes and refuses to start containers exactly
 *   as the contract says the image would;
 * - the test stand-in images for the real Docker engine, which run `startProblems` and serve only
 *   the endpoints listed here.
 *
 * Nothing here names a platform: the inputs are environment variables, files and host names.
 */
import { parse as parseYaml } from 'yaml';

/** repository@commit:path:line of the fact. */
export type SourceRef = string;

export type EndpointRole = 'liveness' | 'readiness' | 'startup' | 'metrics' | 'health';

export interface HttpEndpoint {
  port: number;
  path: string;
  /** What the program serves it for; any 2xx endpoint may back a probe, but metrics are scraped only where listed. */
  roles: EndpointRole[];
  ref: SourceRef;
}

export interface SettingSpec {
  /** The program's own key ('database.url', 'auth.jwt_secret'). */
  key: string;
  /** The program refuses to start without a non-empty value. */
  required?: boolean;
  /** Required only when another setting has this value. */
  requiredWhen?: { key: string; equals: string };
  /** Required unless another setting has this value. */
  requiredUnless?: { key: string; equals: string };
  /** The program refuses values failing this check. */
  check?: 'min32' | 'hex64' | 'boolean' | 'port';
  /** Holds a credential: only ever from a secret (config file or secret-backed variable). */
  secret?: boolean;
  /** The program's default, when it matters to what Homeport renders. */
  default?: string;
  ref: SourceRef;
}

/** How a program turns environment variables into settings. */
export type EnvRule =
  /**
   * Strip the prefix, lower-case, every `_` becomes `separator`; `compound` lists the variables that
   * map otherwise (koanf style: set only when non-empty).
   */
  | { kind: 'prefix'; prefix: string; separator: '.' | '-'; compound: Record<string, string>; ref: SourceRef }
  /** Each variable is the setting of the same name (official database images). */
  | { kind: 'exact' };

export interface SettingsContract {
  env: EnvRule;
  /** `NAME_FILE=/path` is read as the value of NAME (docker-library images). */
  fileVariables: { supported: boolean; ref: SourceRef };
  /**
   * A config file the program reads, if any: its settings are overridden by the environment. With
   * `arg`, the program reads it only when started with `<arg>=<path>`.
   */
  configFile?: { path: string; format: 'yaml' | 'ini'; arg?: string; ref: SourceRef };
  /** `--name=value` arguments set the setting `name`. */
  args?: { supported: boolean; ref: SourceRef };
  /** Settings that matter to Homeport; unknown settings are ignored by the program. */
  known: SettingSpec[];
  /**
   * A host name and port a setting's URL must name (the program connects there). With
   * `connectsWithin`, the program connects at start and exits when that many seconds pass without
   * a connection.
   */
  urls?: { key: string; host: string; port: number; ref: SourceRef; connectsWithin?: number }[];
}

export interface ImageContract {
  /** The model component it describes. */
  component: string;
  /** Image repositories (no tag) that run this program. */
  images: string[];
  /** Ports the program listens on. */
  ports: { port: number; protocol: 'http' | 'tcp'; ref: SourceRef }[];
  /** Every HTTP path the program answers with success; anything else is 404. */
  http: HttpEndpoint[];
  settings: SettingsContract;
  /** Host names (and ports) the program connects to by name: other components must be reachable so. */
  expects: { host: string; port: number; why: string; ref: SourceRef }[];
  /** The program's executable on the image's PATH, for a start wrapper that runs it (env-files.ts). */
  program?: { name: string; ref: SourceRef };
  /** Programs in the image that a health check may run. */
  tools: string[];
  /** Arguments the program must be started with, and why (another component depends on them). */
  requiredArgs?: { args: string[]; why: string; ref: SourceRef };
  /** The user the image runs as. */
  user?: { uid: number; gid: number; ref: SourceRef };
  /** Directories the program writes to (a read-only root filesystem needs volumes there). */
  writes?: string[];
  /** Unix sockets the program listens on, where its own tools connect when given no host. */
  sockets?: { path: string; ref: SourceRef }[];
}

/** The inputs of a container as the program sees them at start. */
export interface ContainerInputs {
  env: Record<string, string>;
  /** The arguments after the entrypoint (the container's command line). */
  args: readonly string[];
  /** Files mounted into the container, by absolute path. */
  files: Record<string, string>;
  /** Host names that resolve (Services / service aliases of the stack). */
  hosts: ReadonlySet<string>;
}

export type Settings = Map<string, string>;

/** The setting an environment variable sets, or undefined when the program ignores the variable. */
export function settingOfEnv(rule: EnvRule, name: string): string | undefined {
  if (rule.kind === 'exact') return name;
  if (!name.startsWith(rule.prefix)) return undefined;
  return rule.compound[name] ?? name.slice(rule.prefix.length).toLowerCase().replace(/_/g, rule.separator);
}

function flatten(value: unknown, prefix: string, out: Settings): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined && value !== null) {
    out.set(prefix, Array.isArray(value) ? value.map(String).join(',') : String(value));
  }
}

function parseIni(text: string, out: Settings): void {
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1]) out.set(m[1], m[2] ?? '');
  }
}

/**
 * The settings the program ends up with: defaults, then the config file, then the environment
 * (with `_FILE` variables read where the program supports them). Throws when the config file does
 * not parse, as the program would refuse it.
 */
export function effectiveSettings(c: SettingsContract, inputs: ContainerInputs): Settings {
  const out: Settings = new Map();
  for (const s of c.known) if (s.default !== undefined) out.set(s.key, s.default);
  const file = configFileOf(c, inputs);
  if (c.configFile && file !== undefined) {
    if (c.configFile.format === 'yaml') flatten(parseYaml(file), '', out);
    else parseIni(file, out);
  }
  for (const [name, value] of Object.entries(inputs.env)) {
    let variable = name;
    let v: string | undefined = value;
    if (c.fileVariables.supported && name.endsWith('_FILE')) {
      variable = name.slice(0, -'_FILE'.length);
      v = inputs.files[value];
      if (v === undefined) continue;
      v = v.replace(/\n$/, '');
    }
    const key = settingOfEnv(c.env, variable);
    // koanf applies compound overrides only for non-empty values.
    if (key !== undefined && !(c.env.kind === 'prefix' && c.env.compound[variable] && v === '')) out.set(key, v);
  }
  if (c.args?.supported) {
    for (const a of inputs.args) {
      const m = /^--([A-Za-z0-9_.-]+)=(.*)$/.exec(a);
      if (m?.[1]) out.set(m[1], m[2] ?? '');
    }
  }
  return out;
}

/** The config file the program reads with these inputs, if it reads one and it is there. */
function configFileOf(c: SettingsContract, inputs: ContainerInputs): string | undefined {
  if (!c.configFile) return undefined;
  const arg = c.configFile.arg;
  if (arg !== undefined && !inputs.args.includes(`${arg}=${c.configFile.path}`)) return undefined;
  return inputs.files[c.configFile.path];
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/** Why the program would refuse to start with these inputs (empty when it starts). */
export function startProblems(contract: ImageContract, inputs: ContainerInputs): string[] {
  const c = contract.settings;
  if (c.configFile && configFileOf(c, inputs) === undefined && requiresConfigFile(c)) {
    return [`no config file at ${c.configFile.path}`];
  }
  let settings: Settings;
  try {
    settings = effectiveSettings(c, inputs);
  } catch (err) {
    return [`the config file ${c.configFile?.path ?? ''} does not parse: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  for (const s of c.known) {
    const v = settings.get(s.key) ?? '';
    const needed =
      s.required ||
      (s.requiredWhen && settings.get(s.requiredWhen.key) === s.requiredWhen.equals) ||
      (s.requiredUnless && settings.get(s.requiredUnless.key) !== s.requiredUnless.equals);
    if (needed && v === '') problems.push(`${s.key} is required`);
    if (v === '') continue;
    if (s.check === 'min32' && v.length < 32) problems.push(`${s.key} must be at least 32 characters`);
    if (s.check === 'hex64' && !HEX64.test(v)) problems.push(`${s.key} must be 64 hex characters`);
    if (s.check === 'boolean' && !/^(true|false)$/i.test(v)) problems.push(`${s.key} must be true or false`);
  }
  for (const u of c.urls ?? []) {
    const v = settings.get(u.key);
    if (!v) continue;
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      problems.push(`${u.key} is not a URL`);
      continue;
    }
    if (url.hostname !== u.host || Number(url.port || u.port) !== u.port) {
      problems.push(`${u.key} must name ${u.host}:${u.port}, not ${url.host}`);
    }
    if (url.username && !url.password && /^postgres(ql)?:$/.test(url.protocol)) {
      problems.push(`${u.key} has no password`);
    }
  }
  for (const e of contract.expects) {
    if (!inputs.hosts.has(e.host)) problems.push(`cannot resolve host '${e.host}' (${e.why})`);
  }
  return problems;
}

/** A config file is needed when a required setting cannot come from the environment at all. */
function requiresConfigFile(c: SettingsContract): boolean {
  return c.known.some((s) => s.required && !envCanSet(c.env, s.key));
}

/** Whether some environment variable reaches this setting. */
export function envCanSet(rule: EnvRule, key: string): boolean {
  if (rule.kind === 'exact') return true;
  if (Object.values(rule.compound).includes(key)) return true;
  // The variable that would map here holds the separator where the key has it, and nothing else can.
  return rule.separator === '.' ? !key.includes('_') : !key.includes('_') && !key.includes('.');
}

/** Whether the program answers an HTTP GET on this port and path with success. */
export function answersHttp(contract: ImageContract, port: number, path: string): boolean {
  const bare = path.split('?')[0] ?? path;
  return contract.http.some((e) => e.port === port && e.path === bare);
}

/** Whether the program accepts TCP connections on this port. */
export function listensOn(contract: ImageContract, port: number): boolean {
  return contract.ports.some((p) => p.port === port);
}

/** The contract of the image, by repository (tag and digest ignored). */
export function contractForImage(contracts: readonly ImageContract[], image: string): ImageContract | undefined {
  const repo = image.replace(/@sha256:[a-f0-9]+$/, '').replace(/:[\w][\w.-]*$/, '');
  return contracts.find((c) => c.images.includes(repo));
}
