import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { KubeconfigSource, SandboxRuntime } from '@shared/contract';
import { errorMessage, HomeportError } from '../errors';
import { describeValue, parseKubeconfigYaml } from './kubeconfig-yaml';
import { readUserFile as readBounded, UserFileError, type UserFileSpec } from '../storage/user-file';
import { MAX_YAML_DEPTH, yamlDepthBound } from '../storage/user-yaml';

/**
 * A kubeconfig object. A null field counts as absent, as it does for kubectl (Go leaves the field
 * at its zero value); unknown fields are kept and ignored.
 */
function struct<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess(dropNulls, z.object(shape).loose());
}

function dropNulls(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}

const clusterSchema = struct({
  server: z.string().optional(),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().optional(),
  'proxy-url': z.string().optional(),
  'disable-compression': z.boolean().optional(),
  // kubectl loads an extension whose value is null; so does Homeport.
  extensions: z.array(struct({ name: z.string(), extension: z.unknown().optional() })).nullish(),
});

/**
 * The kubeconfig cluster extension that marks Homeport's sandbox cluster; its value names what runs
 * the pods: `{ runtime: 'simulated' }` or `{ runtime: 'docker' }`.
 */
export const SANDBOX_EXTENSION = 'homeport.dev/sandbox';

/**
 * What runs a sandbox cluster's pods, or undefined for any other cluster. A kubeconfig written
 * before the runtime was recorded (`{ simulated: true }`) or with a runtime this version does not
 * know reads as simulated: that is the runtime without real processes, so the label never promises
 * exec or port-forward that cannot work.
 */
export function sandboxRuntime(cluster: KubeCluster | undefined): SandboxRuntime | undefined {
  const marker = (cluster?.extensions ?? []).find((e) => e.name === SANDBOX_EXTENSION);
  if (!marker) return undefined;
  const value = marker.extension;
  const runtime = value && typeof value === 'object' ? (value as { runtime?: unknown }).runtime : undefined;
  return runtime === 'docker' ? 'docker' : 'simulated';
}

export function isSandboxCluster(cluster: KubeCluster | undefined): boolean {
  return sandboxRuntime(cluster) !== undefined;
}

const execSchema = struct({
  // kubectl loads a plugin without a command and refuses it only when the context is used.
  command: z.string().default(''),
  args: z.array(z.string()).nullish(),
  env: z.array(struct({ name: z.string().default(''), value: z.string().default('') })).nullish(),
  apiVersion: z.string().optional(),
  interactiveMode: z.string().optional(),
  provideClusterInfo: z.boolean().optional(),
});

const userSchema = struct({
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  as: z.string().optional(),
  'as-uid': z.string().optional(),
  'as-groups': z.array(z.string()).nullish(),
  'as-user-extra': z.record(z.string(), z.array(z.string()).nullish()).nullish(),
  exec: execSchema.optional(),
  'auth-provider': z.unknown().optional(),
});

const contextSchema = struct({
  cluster: z.string().optional(),
  user: z.string().optional(),
  namespace: z.string().optional(),
});

const fileSchema = struct({
  clusters: z.array(struct({ name: z.string().min(1), cluster: clusterSchema.nullish() })).nullish(),
  users: z.array(struct({ name: z.string().min(1), user: userSchema.nullish() })).nullish(),
  contexts: z.array(struct({ name: z.string().min(1), context: contextSchema.nullish() })).nullish(),
  'current-context': z.string().nullish(),
});

export type KubeCluster = z.infer<typeof clusterSchema>;
export type KubeUser = z.infer<typeof userSchema>;
export type KubeExec = z.infer<typeof execSchema>;
export type KubeContext = z.infer<typeof contextSchema>;

/** An entry together with the file that defined it, so relative paths resolve against it. */
export interface Sourced<T> {
  value: T;
  source: string;
}

export interface MergedKubeconfig {
  clusters: Map<string, Sourced<KubeCluster>>;
  users: Map<string, Sourced<KubeUser>>;
  contexts: Map<string, Sourced<KubeContext>>;
  currentContext?: string;
  sources: KubeconfigSource[];
}

export interface KubeconfigPathOptions {
  /** An explicit --kubeconfig: used alone, as kubectl does. */
  explicit?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Files the user added in Homeport; they rank after $KUBECONFIG or ~/.kube/config. */
  added?: string[];
  /** The kubeconfig of the sandbox cluster Homeport runs itself (`serve --sandbox`), last. */
  sandbox?: string;
}

export interface KubeconfigPath {
  path: string;
  origin: KubeconfigSource['origin'];
}

/** The files to load, in precedence order, following kubectl's loading rules. */
export function kubeconfigPaths(opts: KubeconfigPathOptions = {}): KubeconfigPath[] {
  if (opts.explicit) return [{ path: resolve(opts.explicit), origin: 'added' }];
  const env = opts.env ?? process.env;
  const out: KubeconfigPath[] = [];
  const seen = new Set<string>();
  const push = (path: string, origin: KubeconfigPath['origin']) => {
    const abs = resolve(path);
    if (seen.has(abs)) return;
    seen.add(abs);
    out.push({ path: abs, origin });
  };
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p.trim() !== '');
  if (fromEnv.length > 0) fromEnv.forEach((p) => push(p, 'KUBECONFIG'));
  else push(join(opts.home ?? homedir(), '.kube', 'config'), 'default');
  for (const p of opts.added ?? []) push(p, 'added');
  if (opts.sandbox) push(opts.sandbox, 'sandbox');
  return out;
}

/**
 * Reads a file the kubeconfig names: the kubeconfig files themselves and the certificate, key and
 * token files they point to. Every such read goes through here, so how they are read (size and file
 * type limits) is decided in one place.
 */
export function readUserFile(path: string, spec: UserFileSpec): Promise<Buffer> {
  return readBounded(path, spec);
}

type FileRead = (path: string) => Promise<string>;
const readText: FileRead = async (path) =>
  (await readUserFile(path, { kind: 'kubeconfig', field: 'Kubeconfig file' })).toString('utf8');

/**
 * Loads and merges kubeconfig files the way kubectl does: for clusters, users and contexts the
 * first file to define a name wins, and so does the first current-context. A missing file is
 * skipped (kubectl ignores missing $KUBECONFIG entries); an unreadable or malformed file is
 * reported on its source and skipped, so one bad file does not hide the others.
 */
export async function loadKubeconfig(
  paths: KubeconfigPath[],
  opts: { read?: FileRead; requireExisting?: boolean } = {},
): Promise<MergedKubeconfig> {
  const read = opts.read ?? readText;
  const merged: MergedKubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map(), sources: [] };
  for (const { path, origin } of paths) {
    let text: string;
    try {
      text = await read(path);
    } catch (err) {
      const missing = (err instanceof UserFileError ? err.errno : (err as NodeJS.ErrnoException).code) === 'ENOENT';
      if (missing && opts.requireExisting) {
        throw new HomeportError('NOT_FOUND', `Kubeconfig file ${path} does not exist. Check the path.`);
      }
      merged.sources.push({
        path,
        origin,
        exists: !missing,
        ...(missing
          ? {}
          : { error: err instanceof UserFileError ? err.message : `Cannot read ${path}: ${errorMessage(err)}` }),
      });
      continue;
    }
    const parsed = parseFileOnce(path, text);
    if ('error' in parsed) {
      merged.sources.push({ path, origin, exists: true, error: parsed.error });
      continue;
    }
    merged.sources.push({ path, origin, exists: true });
    const file = parsed.file;
    const dir = dirname(path);
    for (const c of file.clusters ?? []) {
      if (!merged.clusters.has(c.name) && c.cluster) {
        merged.clusters.set(c.name, { value: resolveClusterPaths(c.cluster, dir), source: path });
      }
    }
    for (const u of file.users ?? []) {
      if (!merged.users.has(u.name) && u.user) {
        merged.users.set(u.name, { value: resolveUserPaths(u.user, dir), source: path });
      }
    }
    for (const c of file.contexts ?? []) {
      if (!merged.contexts.has(c.name) && c.context) {
        merged.contexts.set(c.name, { value: c.context, source: path });
      }
    }
    if (!merged.currentContext && file['current-context']) merged.currentContext = file['current-context'];
  }
  return merged;
}

/**
 * The last parse of each file, reused while its text is unchanged: the overview reloads the
 * kubeconfig three times every 15 s for as long as a window is open, and the files rarely change.
 * The parsed file is only read (every value taken from it is copied or stored as it is), never
 * changed.
 */
const PARSED_FILES_KEPT = 16;
const parsedFiles = new Map<string, { text: string; parsed: ReturnType<typeof parseFile> }>();

function parseFileOnce(path: string, text: string): ReturnType<typeof parseFile> {
  const kept = parsedFiles.get(path);
  parsedFiles.delete(path);
  const parsed = kept?.text === text ? kept.parsed : parseFile(path, text);
  parsedFiles.set(path, { text, parsed });
  if (parsedFiles.size > PARSED_FILES_KEPT) parsedFiles.delete(parsedFiles.keys().next().value!);
  return parsed;
}

function parseFile(path: string, text: string): { file: z.infer<typeof fileSchema> } | { error: string } {
  let doc: unknown;
  try {
    if (yamlDepthBound(text) > MAX_YAML_DEPTH) {
      throw new HomeportError(
        'INVALID_INPUT',
        `Kubeconfig file ${path} nests lists and mappings more than ${MAX_YAML_DEPTH} levels deep; check that it is a kubeconfig`,
      );
    }
    doc = parseKubeconfigYaml(text);
  } catch (err) {
    if (err instanceof HomeportError) return { error: err.message };
    return { error: `${path} is not valid YAML: ${errorMessage(err)}` };
  }
  if (doc === null || doc === undefined) return { file: {} };
  const result = fileSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue?.path.join('.') ?? '';
    if (issue?.code === 'invalid_type') {
      const found = issue.path.reduce<unknown>(
        (v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined),
        doc,
      );
      // kubectl reads unquoted n, yes, on, off... as booleans and 0755 as a number, and refuses them
      // where a string belongs; saying which value it was makes the fix (quoting) obvious.
      const hint =
        typeof found === 'boolean' || typeof found === 'number' ? '; quote the value to make it a string' : '';
      return {
        error: `${path} is not a valid kubeconfig: '${at}' must be ${article(issue.expected)}, not ${describeValue(found)}${hint}`,
      };
    }
    return { error: `${path} is not a valid kubeconfig: '${at}' ${issue?.message}` };
  }
  return { file: result.data };
}

const article = (expected: string) =>
  expected === 'array' ? 'a list' : expected === 'object' ? 'a mapping' : `a ${expected}`;

const under = (dir: string, p: string | undefined) => (p && !isAbsolute(p) ? join(dir, p) : p);

function resolveClusterPaths(cluster: KubeCluster, dir: string): KubeCluster {
  return { ...cluster, 'certificate-authority': under(dir, cluster['certificate-authority']) };
}

function resolveUserPaths(user: KubeUser, dir: string): KubeUser {
  const exec = user.exec;
  return {
    ...user,
    tokenFile: under(dir, user.tokenFile),
    'client-certificate': under(dir, user['client-certificate']),
    'client-key': under(dir, user['client-key']),
    // kubectl resolves an exec command against the file only when it is a relative path with a
    // separator; a bare name is looked up on PATH.
    exec: exec && exec.command.includes(sep) ? { ...exec, command: under(dir, exec.command) ?? exec.command } : exec,
  };
}
