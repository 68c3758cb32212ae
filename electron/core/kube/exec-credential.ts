import { spawn } from 'node:child_process';
import type { KubeExec } from '../clusters/kubeconfig';
import { HomeportError } from '../errors';

export interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expiresAt?: number;
}

const MAX_OUTPUT = 1024 * 1024;

/**
 * Runs a kubeconfig exec credential plugin (client.authentication.k8s.io) and returns what it
 * printed. The caller must have the user's consent for this exact command: this function does not
 * ask. The command is spawned with an argument array, never through a shell.
 */
export function runExecPlugin(exec: KubeExec, server: string, timeoutMs = 15_000): Promise<ExecCredential> {
  const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
  const info = {
    apiVersion,
    kind: 'ExecCredential',
    spec: { interactive: false, ...(exec.provideClusterInfo ? { cluster: { server } } : {}) },
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
        resolvePromise(parseExecCredential(stdout));
      } catch (err) {
        reject(err);
      }
    });
  });
}

export function parseExecCredential(stdout: string): ExecCredential {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new HomeportError(
      'UNAVAILABLE',
      'Credential plugin printed something that is not an ExecCredential JSON document',
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
