import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestContext {
  name: string;
  server: string;
  namespace?: string;
  user: Record<string, unknown>;
}

/** Writes a kubeconfig file with one cluster and one user per context. */
export function writeKubeconfig(
  contexts: TestContext[],
  currentContext?: string,
  dir = mkdtempSync(join(tmpdir(), 'homeport-e2e-kc-')),
): string {
  const file = join(dir, `kubeconfig-${contexts.map((c) => c.name).join('-')}.yaml`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': currentContext ?? contexts[0]?.name,
    clusters: contexts.map((c) => ({ name: `${c.name}-cluster`, cluster: { server: c.server } })),
    users: contexts.map((c) => ({ name: `${c.name}-user`, user: c.user })),
    contexts: contexts.map((c) => ({
      name: c.name,
      context: {
        cluster: `${c.name}-cluster`,
        user: `${c.name}-user`,
        ...(c.namespace ? { namespace: c.namespace } : {}),
      },
    })),
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** A credential plugin that prints a token, for exec-consent flows. */
export function writeTokenPlugin(token: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'homeport-e2e-plugin-'));
  const file = join(dir, 'token-plugin.sh');
  writeFileSync(
    file,
    `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}"}}'\n`,
  );
  chmodSync(file, 0o755);
  return file;
}
