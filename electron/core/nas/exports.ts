/**
 * NFS exports Homeport manages on a NAS host, each in its own drop-in file
 * /etc/exports.d/homeport-<name>.exports (the host's /etc/exports is never touched). Every command
 * goes through session.exec with an argv array, so paths and names reach the commands literally.
 * Paths are written in exports(5) syntax with octal escapes (a space is \040), so any path without
 * control characters can be exported.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { exportPath, savedName } from '@shared/names';
import {
  exportOwner,
  fileMode,
  nfsClient,
  normalizeNfsClient,
  squashOptions,
  type NfsExport,
} from '@shared/storage-schemas';
import { checkField, HomeportError } from '../errors';
import type { SshSession } from '../ssh/connect';
import type { NasConnector } from './connector';
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
  return checkField(savedName, 'name', name);
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

/** The shared syntax rule (shared/names.ts), then Homeport's policy: no system directories. */
export function validateExportPath(path: unknown): string {
  checkField(exportPath, 'path', path);
  const p = path as string;
  if (SYSTEM_ROOTS.includes(p) || SYSTEM_TREES.some((t) => p === t || p.startsWith(`${t}/`))) {
    throw invalid(
      'path',
      `"${p}" is a system directory; export a directory of its own instead (for example /srv/share)`,
    );
  }
  return p;
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

export function validateClient(client: unknown): string {
  return normalizeNfsClient(checkField(nfsClient, 'clients', client));
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
    const checked = checkField(exportOwner, 'owner', owner);
    // A user name alone: chown gives the directory that user's login group.
    return checked.includes(':') ? checked : `${checked}:`;
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
  return mode === undefined ? undefined : checkField(fileMode, 'mode', mode);
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
    return isIP(ip!) !== 0 ? normalizeNfsClient(bits !== undefined ? `${ip}/${bits}` : ip!) : x;
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
    // The spec is checked before connecting: a refused name or path costs no SSH session.
    create: async (host: string, spec: ExportSpec) => {
      validateExportSpec(spec);
      return withSession(host, (s, label) => createExport(s, spec, label));
    },
    remove: async (host: string, name: string) => {
      validateExportName(name);
      return withSession(host, (s, label) => removeExport(s, name, label));
    },
  };
}

export type NasExports = ReturnType<typeof createNasExports>;
