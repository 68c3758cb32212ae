/**
 * Runs the real kubectl and Homeport on the same kubeconfig, so tests compare what each sent to a
 * test server and what each refused, in kubectl's words.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSettingsStore } from '../../storage/settings';
import { createClustersService } from '../clusters-service';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function tmp(prefix = 'homeport-kubectl-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * kubectl with exactly the environment given (plus PATH and a throw-away HOME for its cache), so
 * no proxy variable of the machine leaks in; stdin is not a terminal, as for Homeport.
 */
export function kubectl(kubeconfig: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, ...args],
      { env: { PATH: process.env.PATH, HOME: tmp('homeport-kubectl-home-'), ...env }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * kubectl's complaints without its framing: "error: X", "Unable to connect to the server: X" and the
 * "Error in configuration:" list each give the messages themselves.
 */
export function kubectlProblems(stderr: string): string[] {
  const text = stderr.trim();
  if (text.startsWith('Error in configuration:')) {
    return text
      .split('\n')
      .filter((l) => l.startsWith('* '))
      .map((l) => l.slice(2));
  }
  return [text.replace(/^error: /, '').replace(/^Unable to connect to the server: /, '')];
}

export interface KubeconfigParts {
  server: string;
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown>;
  namespace?: string;
}

/** A kubeconfig with one context `c` (cluster `cl`, user `u`), as JSON (which is YAML). */
export function writeKubeconfig(file: string, parts: KubeconfigParts): string {
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [{ name: 'cl', cluster: { server: parts.server, ...parts.cluster } }],
      users: [{ name: 'u', user: parts.user ?? {} }],
      contexts: [
        {
          name: 'c',
          context: { cluster: 'cl', user: 'u', ...(parts.namespace ? { namespace: parts.namespace } : {}) },
        },
      ],
    }),
  );
  return file;
}

/** Homeport's clusters service reading only this kubeconfig, with this environment. */
export function homeport(kubeconfig: string, env: NodeJS.ProcessEnv = {}) {
  const dir = tmp('homeport-data-');
  return createClustersService({
    settings: createSettingsStore(join(dir, 'data')),
    env: { KUBECONFIG: kubeconfig, ...env },
    home: dir,
  });
}

/** An executable shell script (a credential plugin). */
export function writeScript(file: string, body: string): string {
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A credential plugin printing the token in `tokenFile` (read at each run), counting its runs in `runsFile`. */
export function tokenPlugin(dir: string, tokenFile: string, runsFile = join(dir, 'runs')): string {
  return writeScript(
    join(dir, 'plugin.sh'),
    [
      `echo run >> ${JSON.stringify(runsFile)}`,
      `printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$(cat ${JSON.stringify(tokenFile)})"`,
    ].join('\n'),
  );
}
