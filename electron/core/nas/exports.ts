/**
 * NFS exports Homeport manages on a NAS host, each in its own drop-in file
 * /etc/exports.d/homeport-<name>.exports (the host's /etc/exports is never touched). Every command
 * goes through session.exec with an argv array, so paths and names reach the commands literally.
 * Paths are written in exports(5) syntax with octal escapes (a space is \040), so any path without
 * control characters can be exported.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { posix } from 'node:path';
import { squashOptions, type NfsExport } from '@shared/storage-schemas';
import { HomeportError } from '../errors';
import type { SshSession } from '../ssh/connect';
import type { NasConnector } from './hosts';
import { checkExportPathOnNas, confirmExportPathOnNas } from './export-path';
import { findExportfs, parseExportfsVerbose, rootRunner, type ExportfsEntry, type RootRunner } from './remote';

export const EXPORTS_DIR = '/etc/exports.d';
export type Squash = (typeof squashOptions)[number];

export interface ExportSpec {
  /** Names the drop-in file: [a-z0-9-], 1 to 63 characters. */
  name: string;
  /** Absolute, normalized directory on the host; created if missing. */
  path: string;
  /** IPv4/IPv6 addresses, CIDRs, host names or wildcard patterns (`*.lan`); `*` means everyone. */
  clients: string[];
  readOnly: boolean;
  squash: Squash;
  /** Owner of the directory: numeric ids or a user name (its login group). Applied when given. */
  owner?: { uid: number; gid: number } | string;
  /** Octal mode of the directory, like '0755'. Applied when given. */
  mode?: string;
}

export type ExportResult = NfsExport & {
  /** The drop-in file was written (false: it already held exactly this export). */
  changed: boolean;
  /** The directory did not exist and was created. */
  createdDirectory: boolean;
  /** What exportfs said, when the export is not active. */
  message?: string;
};

const invalid = (field: string, message: string) => new HomeportError('INVALID_INPUT', `'${field}': ${message}`);

export const dropInPath = (name: string) => `${EXPORTS_DIR}/homeport-${name}.exports`;

export function validateExportName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
    throw invalid(
      'name',
      `${JSON.stringify(name)} is not a valid export name: use 1 to 63 lowercase letters, digits and '-', not starting or ending with '-' (for example media)`,
    );
  }
  return name;
}

/** Directories that must never be exported or created through Homeport, nor anything under them. */
const SYSTEM_TREES = [
  '/proc',
  '/sys',
  '/dev',
  '/etc',
  '/boot',
  '/run',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/usr',
];
/** Directories that may hold exports below them but are not exported themselves. */
const SYSTEM_ROOTS = ['/', '/var', '/tmp', '/root'];

/** A system directory, or something under one of the system trees. */
export const isSystemPath = (path: string) =>
  SYSTEM_ROOTS.includes(path) || SYSTEM_TREES.some((t) => path === t || path.startsWith(`${t}/`));

export function validateExportPath(path: unknown): string {
  if (typeof path !== 'string' || path === '') {
    throw invalid('path', 'enter the absolute directory to export on the NAS (for example /srv/media)');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) {
    throw invalid(
      'path',
      'contains a control character (a newline, tab or NUL); NFS export paths cannot carry them. Rename the directory without them',
    );
  }
  if (!path.startsWith('/')) {
    throw invalid('path', `"${path}" is relative; enter an absolute path starting with '/' (for example /srv/${path})`);
  }
  if (path.split('/').some((part) => part === '..' || part === '.')) {
    throw invalid('path', `"${path}" contains '.' or '..'; enter the directory's plain absolute path`);
  }
  const normalized = posix.normalize(path).replace(/(.)\/$/, '$1');
  if (normalized !== path) {
    throw invalid('path', `"${path}" is not normalized; use "${normalized}"`);
  }
  if (/\s$/.test(path)) {
    throw invalid('path', `"${path}" ends with whitespace, which exportfs output cannot show; rename the directory`);
  }
  if (Buffer.byteLength(path) > 1024) throw invalid('path', 'is longer than 1024 bytes; use a shorter path');
  if (isSystemPath(path)) {
    throw invalid(
      'path',
      `"${path}" is a system directory; export a directory of its own instead (for example /srv/share)`,
    );
  }
  return path;
}

const SAFE_PATH_BYTE = /[A-Za-z0-9/._+,:@%=~-]/;

/** A path as one exports(5) token: every byte outside a plain set is an octal escape (space is \040). */
export function encodeExportPath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE_PATH_BYTE.test(ch) ? ch : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** The path an exports(5) token stands for: double quotes removed, octal escapes decoded. */
export function decodeExportPath(token: string): string {
  const text = /^".*"$/.test(token) ? token.slice(1, -1) : token;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const m = /^\\([0-7]{3})/.exec(text.slice(i));
    if (m) {
      bytes.push(parseInt(m[1]!, 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  return new URL(`http://[${ip}]/`).hostname.replace(/^\[|\]$/g, '');
}

function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

export function validateClient(client: unknown): string {
  if (typeof client !== 'string' || client.trim() === '') {
    throw invalid('clients', 'a client is empty; enter an address (192.168.1.10), a CIDR (10.0.0.0/24) or a host name');
  }
  const c = client.trim();
  if (c === '*') return c;
  if (isIP(c) !== 0) return canonicalIp(c).toLowerCase();
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(c);
  if (cidr && isIP(cidr[1]!) !== 0) {
    const family = isIP(cidr[1]!);
    const bits = Number(cidr[2]);
    if (bits > (family === 4 ? 32 : 128)) {
      throw invalid('clients', `"${c}": a prefix length is at most ${family === 4 ? 32 : 128}`);
    }
    if (family === 4 && bits < 32) {
      const n = ipv4Number(cidr[1]!);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      const network = (n & mask) >>> 0;
      if (network !== n) {
        const net = [24, 16, 8, 0].map((s) => (network >>> s) & 255).join('.');
        throw invalid('clients', `"${c}" has host bits set; write the network as ${net}/${bits}`);
      }
    }
    return `${canonicalIp(cidr[1]!).toLowerCase()}/${bits}`;
  }
  const label = /^[A-Za-z0-9*?](?:[A-Za-z0-9*?-]*[A-Za-z0-9*?])?$/;
  if (c.length <= 253 && c.split('.').every((l) => label.test(l))) return c.toLowerCase();
  throw invalid(
    'clients',
    `"${c}" is not a client NFS understands here: use an IP address (192.168.1.10), a CIDR (10.0.0.0/24, fd00::/64), a host name (node1.lan) or a wildcard (*.lan)`,
  );
}

export function validateClients(clients: unknown): string[] {
  if (!Array.isArray(clients) || clients.length === 0) {
    throw invalid('clients', 'enter at least one client allowed to mount the export (for example 10.0.0.0/24)');
  }
  return [...new Set(clients.map(validateClient))];
}

export function exportOptions(readOnly: boolean, squash: Squash): string {
  return [readOnly ? 'ro' : 'rw', 'sync', 'no_subtree_check', squash].join(',');
}

function validateSquash(squash: unknown): Squash {
  if (typeof squash !== 'string' || !(squashOptions as readonly string[]).includes(squash)) {
    throw invalid('squash', `${JSON.stringify(squash)} is not one of ${squashOptions.join(', ')}`);
  }
  return squash as Squash;
}

function validateOwner(owner: unknown): string | undefined {
  if (owner === undefined) return undefined;
  if (typeof owner === 'string') {
    if (!/^[A-Za-z_][A-Za-z0-9._-]{0,31}$/.test(owner)) {
      throw invalid('owner', `${JSON.stringify(owner)} is not a user name; use a name like media or numeric uid/gid`);
    }
    return `${owner}:`;
  }
  const o = owner as { uid?: unknown; gid?: unknown };
  const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 4294967294;
  if (typeof owner !== 'object' || owner === null || !ok(o.uid) || !ok(o.gid)) {
    throw invalid(
      'owner',
      'give a user name or { uid, gid } as whole numbers from 0 (for example { uid: 1000, gid: 1000 })',
    );
  }
  return `${o.uid as number}:${o.gid as number}`;
}

function validateMode(mode: unknown): string | undefined {
  if (mode === undefined) return undefined;
  if (typeof mode !== 'string' || !/^[0-7]{3,4}$/.test(mode)) {
    throw invalid('mode', `${JSON.stringify(mode)} is not an octal mode; write it like '0755' or '2775'`);
  }
  return mode;
}

interface ValidSpec {
  name: string;
  path: string;
  clients: string[];
  readOnly: boolean;
  squash: Squash;
  chown?: string;
  mode?: string;
}

export function validateExportSpec(spec: ExportSpec): ValidSpec {
  if (typeof spec !== 'object' || spec === null) throw invalid('export', 'expected an object');
  if (typeof spec.readOnly !== 'boolean') throw invalid('readOnly', 'say true (read-only) or false (read-write)');
  const chown = validateOwner(spec.owner);
  const mode = validateMode(spec.mode);
  return {
    name: validateExportName(spec.name),
    path: validateExportPath(spec.path),
    clients: validateClients(spec.clients),
    readOnly: spec.readOnly,
    squash: validateSquash(spec.squash),
    ...(chown !== undefined ? { chown } : {}),
    ...(mode !== undefined ? { mode } : {}),
  };
}

/** The content of a drop-in file. */
export function renderDropIn(spec: Pick<ValidSpec, 'name' | 'path' | 'clients' | 'readOnly' | 'squash'>): string {
  const options = exportOptions(spec.readOnly, spec.squash);
  return (
    `# Managed by Homeport: NFS export '${spec.name}'. Change or remove it in Homeport.\n` +
    `${encodeExportPath(spec.path)} ${spec.clients.map((c) => `${c}(${options})`).join(' ')}\n`
  );
}

export interface DropIn {
  name: string;
  path: string;
  clients: string[];
  readOnly: boolean;
  squash: Squash;
  options: string;
}

/** Reads the export line of a Homeport drop-in; undefined when the file holds none. */
export function parseDropIn(name: string, text: string): DropIn | undefined {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^("(?:[^"\\]|\\.)*"|\S+)\s+(.*)$/.exec(line);
    if (!m) return undefined;
    const path = decodeExportPath(m[1]!);
    const clients: string[] = [];
    let options = '';
    for (const token of m[2]!.trim().split(/\s+/)) {
      const cm = /^([^()]*)(?:\(([^()]*)\))?$/.exec(token);
      if (!cm) continue;
      clients.push(cm[1] || '*');
      options ||= cm[2] ?? '';
    }
    const opts = options.split(',');
    const squash = (squashOptions as readonly string[]).find((s) => opts.includes(s)) as Squash | undefined;
    return { name, path, clients, readOnly: !opts.includes('rw'), squash: squash ?? 'root_squash', options };
  }
  return undefined;
}

function sameClient(reported: string, ours: string): boolean {
  const norm = (c: string) => {
    const x = c.toLowerCase();
    if (x === '<world>' || x === '*') return '*';
    const [ip, bits] = x.split('/');
    return isIP(ip!) !== 0 ? `${canonicalIp(ip!)}${bits !== undefined ? `/${bits}` : ''}` : x;
  };
  return norm(reported) === norm(ours);
}

/** How `exportfs -v` lists a drop-in's export. */
function activeState(dropIn: Pick<DropIn, 'path' | 'clients'>, entries: ExportfsEntry[]) {
  const listed = entries.filter((e) => e.path === dropIn.path);
  const matching = dropIn.clients.map((c) => listed.find((e) => sameClient(e.client, c)));
  const active = matching.length > 0 && matching.every((e) => e !== undefined);
  const options = matching.find((e) => e !== undefined)?.options;
  return { active, ...(options !== undefined ? { options } : {}), listed };
}

/** Homeport's drop-ins on the host. `prefix` is [] as root or ['sudo', '-n']. */
export async function readHomeportExports(session: SshSession, prefix: string[]): Promise<DropIn[]> {
  const ls = await session.exec([...prefix, 'ls', '-1', '--', EXPORTS_DIR], { timeoutMs: 10_000 });
  if (ls.code !== 0) return []; // no /etc/exports.d yet
  const names = ls.stdout
    .split('\n')
    .map((f) => /^homeport-([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.exports$/.exec(f.trim())?.[1])
    .filter((n): n is string => n !== undefined);
  const result: DropIn[] = [];
  for (const name of names) {
    const cat = await session.exec([...prefix, 'cat', '--', dropInPath(name)], { timeoutMs: 10_000 });
    const parsed = cat.code === 0 ? parseDropIn(name, cat.stdout) : undefined;
    if (parsed) result.push(parsed);
  }
  return result;
}

async function requireExportfs(session: SshSession, hostLabel: string): Promise<string> {
  const exportfs = await findExportfs(session);
  if (!exportfs) {
    throw new HomeportError(
      'UNAVAILABLE',
      `${hostLabel}: no NFS server is installed (exportfs not found). Install it on the NAS (Debian/Ubuntu: apt-get install nfs-kernel-server), then try again.`,
    );
  }
  return exportfs;
}

async function exportfsVerbose(run: RootRunner, exportfs: string, known: string[]) {
  const v = await run.check([exportfs, '-v'], 'exportfs -v');
  return parseExportfsVerbose(v.stdout, known);
}

/** Re-reads every exports file; warnings about other exports make exportfs exit non-zero, so its output is kept. */
async function reexport(run: RootRunner, exportfs: string): Promise<string> {
  const r = await run.exec([exportfs, '-ra']);
  return (r.stderr || '').trim();
}

async function readFileAsRoot(run: RootRunner, path: string): Promise<string | undefined> {
  const exists = await run.exec(['test', '-e', path]);
  if (exists.code !== 0) return undefined;
  return (await run.check(['cat', '--', path], `reading ${path}`)).stdout;
}

function exportfsMessage(stderr: string, path: string): string | undefined {
  if (!stderr) return undefined;
  const relevant = stderr
    .split('\n')
    .filter((l) => l.startsWith('exportfs:'))
    .filter((l) => !/Neither 'subtree_check'/.test(l));
  const lines = relevant.filter((l) => l.includes(path) || /resolve|stat/.test(l));
  return (lines.length > 0 ? lines : relevant).slice(0, 5).join('\n') || undefined;
}

/** Creates (or updates) the export: the directory, the drop-in file, then `exportfs -ra` and a check. */
export async function createExport(
  session: SshSession,
  spec: ExportSpec,
  hostLabel = 'NAS host',
): Promise<ExportResult> {
  const s = validateExportSpec(spec);
  const run = await rootRunner(session, hostLabel);
  const exportfs = await requireExportfs(session, hostLabel);
  const file = dropInPath(s.name);

  const current = await readFileAsRoot(run, file);
  const existing = current !== undefined ? parseDropIn(s.name, current) : undefined;
  if (existing && existing.path !== s.path) {
    throw new HomeportError(
      'CONFLICT',
      `'name': the export '${s.name}' already shares ${existing.path}; pick another name, or remove that export first`,
    );
  }

  // The directory: resolved on the NAS first (no symlink anywhere in it), created literally (argv),
  // owner and mode applied when given, never through a symlink.
  const { exists } = await checkExportPathOnNas(run, s.path, isSystemPath);
  let createdDirectory = false;
  if (exists) {
    if ((await run.exec(['test', '-d', s.path])).code !== 0) {
      throw invalid('path', `${s.path} exists on the NAS but is not a directory; pick another path`);
    }
  } else {
    await run.check(['mkdir', '-p', '--', s.path], `creating ${s.path}`);
    createdDirectory = true;
  }
  await confirmExportPathOnNas(run, s.path, isSystemPath);
  if (s.chown !== undefined) await run.check(['chown', '-h', '--', s.chown, s.path], `chown ${s.chown} ${s.path}`);
  if (s.mode !== undefined) await run.check(['chmod', '--', s.mode, s.path], `chmod ${s.mode} ${s.path}`);

  const content = renderDropIn(s);
  const changed = current !== content;
  if (changed) {
    await run.check(['mkdir', '-p', '--', EXPORTS_DIR], `creating ${EXPORTS_DIR}`);
    const tmp = `${EXPORTS_DIR}/.homeport-${s.name}.exports.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await run.check(['tee', '--', tmp], `writing ${tmp}`, { stdin: content });
      await run.check(['chmod', '0644', '--', tmp], `chmod ${tmp}`);
      await run.check(['mv', '-f', '--', tmp, file], `moving ${tmp} to ${file}`);
    } catch (err) {
      await run.exec(['rm', '-f', '--', tmp]).catch(() => undefined);
      throw err;
    }
  }

  let entries = await exportfsVerbose(run, exportfs, [s.path]);
  let state = activeState(s, entries);
  let stderr = '';
  if (changed || !state.active) {
    stderr = await reexport(run, exportfs);
    entries = await exportfsVerbose(run, exportfs, [s.path]);
    state = activeState(s, entries);
  }
  const message = state.active ? undefined : exportfsMessage(stderr, s.path);
  return {
    name: s.name,
    path: s.path,
    clients: s.clients,
    readOnly: s.readOnly,
    squash: s.squash,
    active: state.active,
    ...(state.options !== undefined ? { options: state.options } : {}),
    changed,
    createdDirectory,
    ...(message ? { message: `exportfs did not activate every client: ${message}` } : {}),
  };
}

/** Deletes Homeport's drop-in (never the directory or its data), re-exports and checks the export is gone. */
export async function removeExport(session: SshSession, name: string, hostLabel = 'NAS host'): Promise<void> {
  validateExportName(name);
  const run = await rootRunner(session, hostLabel);
  const exportfs = await requireExportfs(session, hostLabel);
  const file = dropInPath(name);
  const current = await readFileAsRoot(run, file);
  if (current === undefined) {
    throw new HomeportError('NOT_FOUND', `${hostLabel}: no NFS export named '${name}' (${file} does not exist)`);
  }
  const dropIn = parseDropIn(name, current);
  await run.check(['rm', '-f', '--', file], `removing ${file}`);
  await reexport(run, exportfs);
  if (!dropIn) return;
  const entries = await exportfsVerbose(run, exportfs, [dropIn.path]);
  const still = activeState(dropIn, entries).listed.filter((e) => dropIn.clients.some((c) => sameClient(e.client, c)));
  if (still.length > 0) {
    throw new HomeportError(
      'CONFLICT',
      `${hostLabel}: ${file} is removed, but exportfs still exports ${dropIn.path} to ${still.map((e) => e.client).join(', ')}; ` +
        'another exports file (/etc/exports or /etc/exports.d/) lists it too. Remove it there if it should not be shared.',
    );
  }
}

/** Homeport's exports on the host, each with whether exportfs lists it. */
export async function listExports(session: SshSession, hostLabel = 'NAS host'): Promise<NfsExport[]> {
  const run = await rootRunner(session, hostLabel);
  const exportfs = await requireExportfs(session, hostLabel);
  const dropIns = await readHomeportExports(session, run.privilege === 'root' ? [] : ['sudo', '-n']);
  const entries = await exportfsVerbose(
    run,
    exportfs,
    dropIns.map((d) => d.path),
  );
  return dropIns.map((d) => {
    const state = activeState(d, entries);
    return {
      name: d.name,
      path: d.path,
      clients: d.clients,
      readOnly: d.readOnly,
      squash: d.squash,
      active: state.active,
      ...(state.options !== undefined ? { options: state.options } : {}),
    };
  });
}

/** The exports of saved NAS hosts: one SSH session per call. */
export function createNasExports(hosts: NasConnector) {
  async function withSession<T>(host: string, fn: (session: SshSession, label: string) => Promise<T>): Promise<T> {
    const session = await hosts.connect(host);
    try {
      return await fn(session, `NAS host '${host}'`);
    } finally {
      await session.close().catch(() => undefined);
    }
  }
  return {
    list: (host: string) => withSession(host, (s, label) => listExports(s, label)),
    create: (host: string, spec: ExportSpec) => withSession(host, (s, label) => createExport(s, spec, label)),
    remove: (host: string, name: string) => withSession(host, (s, label) => removeExport(s, name, label)),
  };
}

export type NasExports = ReturnType<typeof createNasExports>;
