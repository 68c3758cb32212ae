import { spawn } from 'node:child_process';
import type { KubeCluster, KubeExec } from '../clusters/kubeconfig';
import { HomeportError } from '../errors';

export interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expiresAt?: number;
}

/** spec.cluster of KUBERNETES_EXEC_INFO, with client-go's field names, order and omissions. */
export interface ExecClusterInfo {
  server: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: true;
  'certificate-authority-data'?: string;
  'proxy-url'?: string;
  'disable-compression'?: true;
  /** The cluster extension named client.authentication.k8s.io/exec, null when there is none. */
  config: unknown;
}

/** The cluster extension whose content kubectl hands to the plugin as spec.cluster.config. */
const EXEC_EXTENSION = 'client.authentication.k8s.io/exec';

/**
 * What kubectl tells a provideClusterInfo plugin about the cluster: the CA even when the kubeconfig
 * names a file (its bytes), the cluster's own proxy-url only (never one from the environment).
 */
export function execClusterInfo(cluster: KubeCluster, ca: Buffer | undefined): ExecClusterInfo {
  const extension = (cluster.extensions ?? []).find((e) => e.name === EXEC_EXTENSION)?.extension;
  return {
    server: cluster.server ?? '',
    ...(cluster['tls-server-name'] ? { 'tls-server-name': cluster['tls-server-name'] } : {}),
    ...(cluster['insecure-skip-tls-verify'] ? { 'insecure-skip-tls-verify': true as const } : {}),
    ...(ca?.length ? { 'certificate-authority-data': ca.toString('base64') } : {}),
    ...(cluster['proxy-url'] ? { 'proxy-url': cluster['proxy-url'] } : {}),
    ...(cluster['disable-compression'] ? { 'disable-compression': true as const } : {}),
    config: extension ?? null,
  };
}

/**
 * Refuses a plugin kubectl would refuse here: Homeport has no terminal to give it, so a plugin that
 * must always have one cannot run. The first sentence is kubectl's own.
 */
export function assertRunnable(exec: KubeExec): void {
  if (exec.interactiveMode === 'Always') {
    throw new HomeportError(
      'INVALID_INPUT',
      `getting credentials: exec plugin cannot support interactive mode: standard input is not a terminal. ` +
        `Credential plugin '${exec.command}' has interactiveMode: Always; Homeport has no terminal to give it. ` +
        `Use a plugin setting that needs no prompt (interactiveMode: IfAvailable or Never).`,
    );
  }
}

const MAX_OUTPUT = 1024 * 1024;

/**
 * Runs a kubeconfig exec credential plugin (client.authentication.k8s.io) and returns what it
 * printed. The caller must have the user's consent for this exact command: this function does not
 * ask. The command is spawned with an argument array, never through a shell.
 */
export function runExecPlugin(
  exec: KubeExec,
  cluster: ExecClusterInfo | undefined,
  timeoutMs = 15_000,
): Promise<ExecCredential> {
  assertRunnable(exec);
  const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
  // The same document, key for key, as kubectl sets; stdin is never a terminal here.
  const info = {
    kind: 'ExecCredential',
    apiVersion,
    spec: { ...(exec.provideClusterInfo && cluster ? { cluster } : {}), interactive: false },
  };
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const { name, value } of exec.env ?? []) env[name] = value;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(exec.command, exec.args ?? [], { env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new HomeportError('UNAVAILABLE', `Credential plugin '${exec.command}' did not answer within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new HomeportError('UNAVAILABLE', `Cannot run credential plugin '${exec.command}': ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        const detail = stderr.trim().split('\n').slice(-1)[0] ?? '';
        reject(
          new HomeportError(
            'UNAVAILABLE',
            `Credential plugin '${exec.command}' exited with code ${code}${detail ? `: ${detail}` : ''}`,
          ),
        );
        return;
      }
      try {
        resolvePromise(parseExecCredential(stdout, apiVersion));
      } catch (err) {
        reject(err);
      }
    });
  });
}

export function parseExecCredential(stdout: string, apiVersion?: string): ExecCredential {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new HomeportError(
      'UNAVAILABLE',
      'Credential plugin printed something that is not an ExecCredential JSON document',
    );
  }
  const returned = (doc as { apiVersion?: unknown }).apiVersion;
  if (apiVersion && returned !== apiVersion) {
    throw new HomeportError(
      'UNAVAILABLE',
      `getting credentials: exec plugin is configured to use API version ${apiVersion}, plugin returned version ${String(returned ?? '')}`,
    );
  }
  const status = (doc as { status?: Record<string, unknown> }).status ?? {};
  const str = (k: string) => (typeof status[k] === 'string' ? (status[k] as string) : undefined);
  const expiry = str('expirationTimestamp');
  const cred: ExecCredential = {
    token: str('token'),
    clientCertificateData: str('clientCertificateData'),
    clientKeyData: str('clientKeyData'),
    expiresAt: expiry ? Date.parse(expiry) : undefined,
  };
  if (!cred.token && !(cred.clientCertificateData && cred.clientKeyData)) {
    throw new HomeportError('UNAVAILABLE', 'Credential plugin returned neither a token nor a client certificate');
  }
  return cred;
}
