import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { KubeconfigSource } from '@shared/contract';
import { errorMessage, HomeportError } from '../errors';
import { readUserText, UserFileError } from '../storage/user-file';
import { parseUserYaml } from '../storage/user-yaml';

const clusterSchema = z
  .object({
    server: z.string().optional(),
    'certificate-authority': z.string().optional(),
    'certificate-authority-data': z.string().optional(),
    'insecure-skip-tls-verify': z.boolean().optional(),
    'tls-server-name': z.string().optional(),
    'proxy-url': z.string().optional(),
    extensions: z.array(z.object({ name: z.string(), extension: z.unknown() }).loose()).nullish(),
  })
  .loose();

/** The kubeconfig cluster extension that marks Homeport's simulated sandbox cluster. */
export const SANDBOX_EXTENSION = 'homeport.dev/sandbox';

export function isSandboxCluster(cluster: KubeCluster | undefined): boolean {
  return (cluster?.extensions ?? []).some((e) => e.name === SANDBOX_EXTENSION);
}

const execSchema = z
  .object({
    command: z.string(),
    args: z.array(z.string()).nullish(),
    env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
    apiVersion: z.string().optional(),
    interactiveMode: z.string().optional(),
    provideClusterInfo: z.boolean().optional(),
  })
  .loose();

const userSchema = z
  .object({
    token: z.string().optional(),
    tokenFile: z.string().optional(),
    'client-certificate': z.string().optional(),
    'client-certificate-data': z.string().optional(),
    'client-key': z.string().optional(),
    'client-key-data': z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    exec: execSchema.optional(),
    'auth-provider': z.unknown().optional(),
  })
  .loose();

const contextSchema = z
  .object({
    cluster: z.string().optional(),
    user: z.string().optional(),
    namespace: z.string().optional(),
  })
  .loose();

const fileSchema = z
  .object({
    clusters: z.array(z.object({ name: z.string().min(1), cluster: clusterSchema.nullish() })).nullish(),
    users: z.array(z.object({ name: z.string().min(1), user: userSchema.nullish() })).nullish(),
    contexts: z.array(z.object({ name: z.string().min(1), context: contextSchema.nullish() })).nullish(),
    'current-context': z.string().nullish(),
  })
  .loose();

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

type FileRead = (path: string) => Promise<string>;
const readText: FileRead = (path) => readUserText(path, { kind: 'kubeconfig', field: 'Kubeconfig file' });

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
    const parsed = parseFile(path, text);
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

function parseFile(path: string, text: string): { file: z.infer<typeof fileSchema> } | { error: string } {
  let doc: unknown;
  try {
    doc = parseUserYaml(text, `Kubeconfig file ${path}`);
  } catch (err) {
    if (err instanceof HomeportError) return { error: err.message };
    return { error: `${path} is not valid YAML: ${errorMessage(err)}` };
  }
  if (doc === null || doc === undefined) return { file: {} };
  const result = fileSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { error: `${path} is not a valid kubeconfig: '${issue?.path.join('.')}' ${issue?.message}` };
  }
  return { file: result.data };
}

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
