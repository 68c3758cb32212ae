/**
 * One compose service as Homeport understands it. Every key is either read here or reported: keys
 * in SERVICE_KEYS are read (and their sub-keys checked the same way), anything else is unsupported
 * with its path and line. `x-` keys are extensions Compose itself ignores, so they are skipped.
 */
import {
  asBool,
  asNumber,
  asString,
  checkKeys,
  durationSeconds,
  isObj,
  shellWords,
  type ComposeFileRef,
  type ComposeMount,
  type ComposePort,
  type ComposeService,
  type Findings,
  type Obj,
} from './project';
import type { KeyPath } from './source';
import { healthOf, readDeploy } from './service-runtime';

/** Why a service key is not expressed, for the keys users meet most; others get a general reason. */
const WHY: Record<string, string> = {
  build: 'Homeport deploys images; build it, push it to a registry and set `image`',
  privileged: 'Homeport runs no privileged containers',
  cap_add: 'Homeport adds no Linux capabilities',
  cap_drop: 'Homeport does not change the Linux capabilities of a container',
  network_mode: 'containers always get their own network namespace in the stack',
  pid: 'containers always get their own process namespace',
  ipc: 'containers always get their own IPC namespace',
  devices: 'Homeport passes no host devices into containers',
  container_name: 'containers are named by the platform; other services reach it by its service name',
  hostname: 'the host name is the platform’s; other services reach it by its service name',
  labels: 'labels are not carried onto the deployed objects (Homeport labels them itself)',
  logging: 'logs go to the platform’s log driver',
  extra_hosts: 'Homeport adds no host entries',
  dns: 'containers use the platform’s name resolution',
  sysctls: 'Homeport sets no kernel parameters',
  ulimits: 'Homeport sets no resource limits besides CPU and memory',
  working_dir: 'the stack model has no working directory; the image’s own is used',
  profiles: 'optional services are not deployed selectively; remove the profile or the service',
  extends: 'services extending others are not resolved; inline the settings',
  links: 'services reach each other by service name',
  external_links: 'services reach each other by service name',
  security_opt: 'Homeport sets no security options',
  volumes_from: 'share a named volume instead',
};

const SERVICE_KEYS = new Set([
  'image',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'ports',
  'expose',
  'healthcheck',
  'secrets',
  'configs',
  'volumes',
  'deploy',
  'depends_on',
  'networks',
  'restart',
  'stop_grace_period',
  'user',
  'read_only',
  'tmpfs',
  'mem_limit',
  'mem_reservation',
  'cpus',
  'scale',
]);

export interface ServiceContext {
  f: Findings;
  /** Variables of the project's .env file (for `environment` entries without a value). */
  env: Readonly<Record<string, string>>;
  /** Contents of files the import was given (env files), by path as written ('./app.env' = 'app.env'). */
  file(path: string): string | undefined;
  /** Called with each file the compose file requires and the import was not given. */
  missing(path: string): void;
  parseEnvFile(text: string): Record<string, string>;
}

const words = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? shellWords(v) : Array.isArray(v) ? v.map((w) => asString(w) ?? '') : undefined;

export function readService(name: string, raw: Obj, ctx: ServiceContext): ComposeService {
  const { f } = ctx;
  const at: KeyPath = ['services', name];
  checkKeys(f, raw, at, SERVICE_KEYS, WHY);
  const image = asString(raw.image) ?? '';
  if (image === '') {
    f.error(
      [...at, raw.build !== undefined ? 'build' : 'image'],
      `service '${name}' has no image; Homeport deploys images only`,
    );
  }
  if (!/^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
    f.error(
      at,
      `service name '${name}' is not a DNS label; Services are named after it and reached by that name: rename it (lowercase letters, digits and '-')`,
    );
  }
  const svc: ComposeService = {
    name,
    image,
    environment: environmentOf(raw, at, ctx),
    ports: [],
    expose: [],
    mounts: [],
    secrets: fileRefs(raw.secrets, [...at, 'secrets'], f, (s) => `/run/secrets/${s}`),
    configs: fileRefs(raw.configs, [...at, 'configs'], f, (s) => `/${s}`),
    replicas: 1,
    resources: { limits: {}, reservations: {} },
    dependsOn: dependsOn(raw.depends_on, [...at, 'depends_on'], f),
    networks: networksOf(raw.networks, [...at, 'networks'], f),
    stopGracePeriodSeconds: durationSeconds(raw.stop_grace_period) ?? 10,
    ...(f.lineOf(at) !== undefined ? { line: f.lineOf(at) } : {}),
  };
  const entrypoint = words(raw.entrypoint);
  if (entrypoint) svc.entrypoint = entrypoint;
  const command = words(raw.command);
  if (command) svc.command = command;
  readPorts(raw, at, f, svc);
  readMounts(raw, at, f, svc);
  const health = healthOf(raw.healthcheck, [...at, 'healthcheck'], f);
  if (health) svc.health = health;
  readDeploy(raw, at, f, svc);
  readRuntime(raw, at, f, svc);
  return svc;
}

function environmentOf(raw: Obj, at: KeyPath, ctx: ServiceContext): Record<string, string> {
  const out: Record<string, string> = {};
  const files = raw.env_file === undefined ? [] : Array.isArray(raw.env_file) ? raw.env_file : [raw.env_file];
  files.forEach((entry, i) => {
    const path = isObj(entry) ? asString(entry.path) : asString(entry);
    const required = isObj(entry) ? entry.required !== false : true;
    if (isObj(entry)) checkKeys(ctx.f, entry, [...at, 'env_file', i], new Set(['path', 'required']));
    if (path === undefined) return;
    const text = ctx.file(path);
    if (text === undefined) {
      if (required) {
        ctx.missing(path);
        ctx.f.error([...at, 'env_file', i], `env_file '${path}' was not given to the import: add its contents`);
      }
      return;
    }
    Object.assign(out, ctx.parseEnvFile(text));
  });
  const env = raw.environment;
  if (Array.isArray(env)) {
    env.forEach((item, i) => {
      const s = asString(item) ?? '';
      const eq = s.indexOf('=');
      if (eq > 0) out[s.slice(0, eq)] = s.slice(eq + 1);
      else if (ctx.env[s] !== undefined) out[s] = ctx.env[s];
      else ctx.f.note([...at, 'environment', i], `${s} has no value and is not in .env; it is not set`);
    });
  } else if (isObj(env)) {
    for (const [k, v] of Object.entries(env)) {
      if (v === null || v === undefined) {
        if (ctx.env[k] !== undefined) out[k] = ctx.env[k];
        else ctx.f.note([...at, 'environment', k], `${k} has no value and is not in .env; it is not set`);
      } else out[k] = asString(v) ?? '';
    }
  }
  return out;
}

function fileRefs(v: unknown, at: KeyPath, f: Findings, defaultTarget: (s: string) => string): ComposeFileRef[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((item, i): ComposeFileRef[] => {
    if (typeof item === 'string') return [{ source: item, target: defaultTarget(item) }];
    if (!isObj(item)) return [];
    checkKeys(f, item, [...at, i], new Set(['source', 'target']), {
      uid: 'the file’s owner is the platform’s',
      gid: 'the file’s group is the platform’s',
      mode: 'the file’s mode is the platform’s (read-only for its owner and group)',
    });
    const source = asString(item.source) ?? '';
    const target = asString(item.target);
    const path = target === undefined ? defaultTarget(source) : target.startsWith('/') ? target : defaultTarget(target);
    return [{ source, target: path }];
  });
}

function dependsOn(v: unknown, at: KeyPath, f: Findings): string[] {
  const names = Array.isArray(v) ? v.map((x) => asString(x) ?? '') : isObj(v) ? Object.keys(v) : [];
  if (names.length > 0) {
    f.note(
      at,
      'services start together; a dependency’s health check gates traffic to it, not the start of its dependents, which must retry until it answers',
    );
  }
  if (isObj(v)) {
    for (const [dep, cond] of Object.entries(v)) {
      if (isObj(cond)) checkKeys(f, cond, [...at, dep], new Set(['condition', 'required', 'restart']));
    }
  }
  return names;
}

function networksOf(v: unknown, at: KeyPath, f: Findings): string[] {
  if (Array.isArray(v)) return v.map((x) => asString(x) ?? '');
  if (isObj(v)) {
    for (const [net, opts] of Object.entries(v)) {
      if (isObj(opts)) {
        checkKeys(f, opts, [...at, net], new Set(), {
          aliases: 'other services reach it by its service name only',
          ipv4_address: 'addresses are the platform’s',
          ipv6_address: 'addresses are the platform’s',
        });
      }
    }
    return Object.keys(v);
  }
  return ['default'];
}

const PORT_KEYS = new Set(['target', 'published', 'protocol', 'mode', 'name']);

function readPorts(raw: Obj, at: KeyPath, f: Findings, svc: ComposeService) {
  const add = (p: ComposePort) => {
    if (p.published === undefined) svc.expose.push(p.target);
    else svc.ports.push(p);
  };
  const ports = Array.isArray(raw.ports) ? raw.ports : [];
  ports.forEach((item, i) => {
    const path = [...at, 'ports', i];
    if (isObj(item)) {
      checkKeys(f, item, path, PORT_KEYS, { host_ip: 'ports are published on every host', app_protocol: '' });
      const target = asNumber(item.target);
      if (asString(item.protocol) && asString(item.protocol) !== 'tcp') {
        return f.unsupportedKey([...path, 'protocol'], 'only TCP ports are supported');
      }
      if (asString(item.mode) === 'host') {
        return f.unsupportedKey(
          [...path, 'mode'],
          "host-mode ports are not supported; ports go through the platform's routing",
        );
      }
      const pub = asNumber(item.published);
      if (target !== undefined) add({ target, ...(pub !== undefined ? { published: pub } : {}) });
      return;
    }
    const spec = asString(item) ?? '';
    const [main = '', protocol = 'tcp'] = spec.split('/');
    if (protocol !== 'tcp') return f.unsupportedKey(path, `'${spec}': only TCP ports are supported`);
    const parts = main.replace(/^\[[^\]]*\]:/, 'ipv6:').split(':');
    if (parts.some((p) => p.includes('-'))) return f.unsupportedKey(path, `'${spec}': port ranges are not supported`);
    const target = asNumber(parts[parts.length - 1]);
    if (target === undefined) return f.error(path, `'${spec}' names no container port`);
    if (parts.length === 3)
      f.unsupportedKey(
        path,
        `'${spec}': binding to one host address is not supported; the port is published on every host`,
      );
    if (parts.length === 1) {
      f.note(
        path,
        `'${spec}' is published on a random host port by Compose; Homeport keeps it inside the stack (give a host port to publish it)`,
      );
      return add({ target });
    }
    const published = asNumber(parts[parts.length - 2]);
    add({ target, ...(published !== undefined ? { published } : {}) });
  });
  const expose = Array.isArray(raw.expose) ? raw.expose : [];
  expose.forEach((e, i) => {
    const n = asNumber(String(e).split('/')[0]);
    if (n === undefined) f.unsupportedKey([...at, 'expose', i], `'${String(e)}': only single TCP ports are supported`);
    else if (!svc.expose.includes(n)) svc.expose.push(n);
  });
}

function readMounts(raw: Obj, at: KeyPath, f: Findings, svc: ComposeService) {
  const mounts: ComposeMount[] = [];
  const tmpfs: string[] = [];
  const list = Array.isArray(raw.volumes) ? raw.volumes : [];
  list.forEach((item, i) => {
    const path = [...at, 'volumes', i];
    let type: string;
    let source: string | undefined;
    let target: string;
    let readOnly: boolean;
    if (isObj(item)) {
      checkKeys(f, item, path, new Set(['type', 'source', 'target', 'read_only']), {
        volume: 'volume options (nocopy, subpath) are not supported',
        bind: 'bind options are not supported',
        consistency: '',
      });
      type = asString(item.type) ?? 'volume';
      source = asString(item.source);
      target = asString(item.target) ?? '';
      readOnly = asBool(item.read_only);
    } else {
      const parts = (asString(item) ?? '').split(':');
      if (parts.length === 1) {
        source = undefined;
        target = parts[0] ?? '';
        readOnly = false;
      } else {
        source = parts[0];
        target = parts[1] ?? '';
        readOnly = (parts[2] ?? '').split(',').includes('ro');
      }
      type = source !== undefined && /^[./~]/.test(source) ? 'bind' : 'volume';
    }
    if (type === 'bind') {
      return f.unsupportedKey(
        path,
        `bind mount of the host path '${source ?? ''}': Homeport does not mount host directories; declare a named volume and map it to a NAS export or a storage class`,
      );
    }
    if (type === 'tmpfs') return void tmpfs.push(target);
    if (type !== 'volume') return f.unsupportedKey(path, `'${type}' mounts are not supported`);
    if (source === undefined || source === '') {
      return f.unsupportedKey(
        path,
        `the anonymous volume at ${target} is not supported: its data would not be kept; name it and declare it under volumes`,
      );
    }
    mounts.push({ volume: source, target, readOnly });
  });
  const t = raw.tmpfs;
  if (t !== undefined) (Array.isArray(t) ? t : [t]).forEach((x) => tmpfs.push((asString(x) ?? '').split(':')[0] ?? ''));
  if (asBool(raw.read_only)) svc.readOnlyRoot = tmpfs;
  else if (tmpfs.length > 0) {
    f.unsupportedKey(
      [...at, raw.tmpfs !== undefined ? 'tmpfs' : 'volumes'],
      'tmpfs directories are supported only with read_only: true (they are the writable places of a read-only root)',
    );
  }
  svc.mounts = mounts;
}

function readRuntime(raw: Obj, at: KeyPath, f: Findings, svc: ComposeService) {
  const restart = asString(raw.restart);
  if (restart !== undefined && restart !== 'always' && restart !== 'unless-stopped') {
    f.unsupportedKey([...at, 'restart'], `'${restart}': containers are always restarted when they exit`);
  }
  const user = asString(raw.user);
  if (user !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(user);
    if (m) svc.user = { uid: Number(m[1]), gid: Number(m[2]) };
    else f.unsupportedKey([...at, 'user'], `'${user}': give the user as numeric uid:gid (like 1000:1000)`);
  }
}
