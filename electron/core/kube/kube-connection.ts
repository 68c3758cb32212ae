import type { KubeExec, MergedKubeconfig } from '../clusters/kubeconfig';
import { errorMessage, HomeportError } from '../errors';
import { readUserFile } from '../storage/user-file';

/** Everything needed to open a TLS connection to one context's API server. Never leaves main. */
export interface KubeConnection {
  context: string;
  server: string;
  namespace: string;
  ca?: Buffer;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  basic?: { username: string; password: string };
  exec?: KubeExec;
}

/**
 * Resolves a context to its connection settings, reading referenced files. Exec plugins are
 * described here but not run: running one needs the user's consent, which the caller checks.
 */
export async function resolveConnection(config: MergedKubeconfig, context: string): Promise<KubeConnection> {
  const ctx = config.contexts.get(context);
  if (!ctx) throw new HomeportError('NOT_FOUND', `Context '${context}' is not in any loaded kubeconfig file`);
  const clusterName = ctx.value.cluster ?? '';
  const cluster = config.clusters.get(clusterName)?.value;
  if (!cluster) {
    throw new HomeportError(
      'INVALID_INPUT',
      `Context '${context}' names cluster '${clusterName}', which no kubeconfig file defines`,
    );
  }
  if (!cluster.server) {
    throw new HomeportError('INVALID_INPUT', `Cluster '${clusterName}' of context '${context}' has no server URL`);
  }
  const userName = ctx.value.user ?? '';
  const user = userName ? config.users.get(userName)?.value : {};
  if (!user) {
    throw new HomeportError(
      'INVALID_INPUT',
      `Context '${context}' names user '${userName}', which no kubeconfig file defines`,
    );
  }
  const fileOrData = async (data: string | undefined, file: string | undefined, what: string) => {
    if (data) return Buffer.from(data, 'base64');
    if (!file) return undefined;
    try {
      return await readUserFile(file, {
        kind: what === 'tokenFile' ? 'token' : 'pem',
        field: `'${what}' of context '${context}':`,
      });
    } catch (err) {
      throw new HomeportError('INVALID_INPUT', errorMessage(err));
    }
  };
  let token = user.token;
  if (!token && user.tokenFile)
    token = (await fileOrData(undefined, user.tokenFile, 'tokenFile'))?.toString('utf8').trim();
  return {
    context,
    server: cluster.server.replace(/\/+$/, ''),
    namespace: ctx.value.namespace || 'default',
    ca: await fileOrData(
      cluster['certificate-authority-data'],
      cluster['certificate-authority'],
      'certificate-authority',
    ),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: cluster['tls-server-name'],
    cert: await fileOrData(user['client-certificate-data'], user['client-certificate'], 'client-certificate'),
    key: await fileOrData(user['client-key-data'], user['client-key'], 'client-key'),
    token,
    basic: user.username && user.password ? { username: user.username, password: user.password } : undefined,
    exec: user.exec,
  };
}
