import type { KubeCluster, KubeExec, KubeUser, MergedKubeconfig } from '../clusters/kubeconfig';
import { readUserFile } from '../clusters/kubeconfig';
import { UserFileError } from '../storage/user-file';
import { errorMessage, HomeportError } from '../errors';
import { execClusterInfo, type ExecClusterInfo } from './exec-credential';
import { impersonationHeaders, type HeaderValues } from './impersonation';
import { proxyFor } from './proxy';

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
  /** Where the token came from; read again when the server refuses it (rotated service-account tokens). */
  tokenFile?: string;
  basic?: { username: string; password: string };
  /** Only when the user has no token or basic auth: kubectl never runs the plugin then. */
  exec?: KubeExec;
  /** What KUBERNETES_EXEC_INFO tells the plugin about the cluster (provideClusterInfo). */
  execCluster?: ExecClusterInfo;
  /** Impersonate-* headers sent with every request. */
  headers?: HeaderValues;
  /** The proxy kubectl would use for this server (the cluster's proxy-url, else the environment). */
  proxy?: URL;
}

/**
 * Resolves a context to its connection settings, reading referenced files. Refuses what kubectl
 * refuses, with kubectl's words. Exec plugins are described here but not run: running one needs the
 * user's consent, which the caller checks.
 */
export async function resolveConnection(
  config: MergedKubeconfig,
  context: string,
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<KubeConnection> {
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
  const problems = configProblems(userName, user, clusterName, cluster);
  // kubectl prints one problem as it is and several as a list under "Error in configuration".
  if (problems.length === 1) throw new HomeportError('INVALID_INPUT', problems[0]!);
  if (problems.length > 1) {
    throw new HomeportError('INVALID_INPUT', `Error in configuration: ${problems.join('; ')}`);
  }
  if (user.tokenFile && user.username) {
    // client-go refuses this when it builds the transport, after the checks above.
    throw new HomeportError('INVALID_INPUT', 'username/password or bearer token may be set, but not both');
  }
  let proxy: URL | undefined;
  try {
    proxy = proxyFor(new URL(cluster.server), clusterName, cluster['proxy-url'], opts.env ?? process.env);
  } catch (err) {
    const why = err instanceof TypeError ? `server '${cluster.server}' of cluster '${clusterName}' is not a URL` : '';
    throw new HomeportError('INVALID_INPUT', why || errorMessage(err));
  }
  const fileOrData = async (data: string | undefined, file: string | undefined, what: string) => {
    if (data) return Buffer.from(data, 'base64');
    if (!file) return undefined;
    return readReferenced(file, what, context);
  };
  // A token file wins over an inline token, as in client-go; its content is trimmed the same way.
  const token = user.tokenFile ? await readTokenFile(user.tokenFile, context) : user.token || undefined;
  const staticAuth = Boolean(token || user.username);
  const ca = await fileOrData(
    cluster['certificate-authority-data'],
    cluster['certificate-authority'],
    'certificate-authority',
  );
  const exec = staticAuth ? undefined : user.exec;
  return {
    context,
    server: cluster.server.replace(/\/+$/, ''),
    namespace: ctx.value.namespace || 'default',
    ca,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: cluster['tls-server-name'] || undefined,
    cert: await fileOrData(user['client-certificate-data'], user['client-certificate'], 'client-certificate'),
    key: await fileOrData(user['client-key-data'], user['client-key'], 'client-key'),
    token,
    ...(user.tokenFile ? { tokenFile: user.tokenFile } : {}),
    // Only a user name makes basic auth (with an empty password if none is given); a lone password does not.
    basic: user.username && !token ? { username: user.username, password: user.password ?? '' } : undefined,
    exec,
    ...(exec?.provideClusterInfo ? { execCluster: execClusterInfo(cluster, ca) } : {}),
    headers: impersonationHeaders(user),
    proxy,
  };
}

async function readReferenced(file: string, what: string, context: string): Promise<Buffer> {
  try {
    return await readUserFile(file, {
      kind: what === 'tokenFile' ? 'token' : 'pem',
      field: `'${what}' of context '${context}':`,
    });
  } catch (err) {
    if (err instanceof UserFileError) throw new HomeportError('INVALID_INPUT', err.message);
    throw new HomeportError(
      'INVALID_INPUT',
      `Cannot read the ${what} of context '${context}' from ${file}: ${errorMessage(err)}`,
    );
  }
}

/** The token in a tokenFile, read now; a rotated token is picked up by reading it again. */
export async function readTokenFile(file: string, context: string): Promise<string | undefined> {
  return (await readReferenced(file, 'tokenFile', context)).toString('utf8').trim() || undefined;
}

/** What kubectl refuses in a context's user and cluster, in its order and words (client-go's validation). */
export function configProblems(userName: string, user: KubeUser, clusterName: string, cluster: KubeCluster): string[] {
  return [...userProblems(userName, user), ...clusterProblems(clusterName, cluster)];
}

const INTERACTIVE_MODES = ['Never', 'IfAvailable', 'Always'];

/** client-go's validateAuthInfo, in its order and words. */
function userProblems(name: string, user: KubeUser): string[] {
  const problems: string[] = [];
  const methods: string[] = [];
  if (user.token) methods.push('token');
  if (user.username || user.password) methods.push('basicAuth');
  if (user['client-certificate'] || user['client-certificate-data']) {
    if (user['client-certificate'] && user['client-certificate-data']) {
      problems.push(`client-cert-data and client-cert are both specified for ${name}. client-cert-data will override.`);
    }
    if (user['client-key'] && user['client-key-data']) {
      problems.push(`client-key-data and client-key are both specified for ${name}; client-key-data will override`);
    }
    if (!user['client-key'] && !user['client-key-data']) {
      problems.push(
        `client-key-data or client-key must be specified for ${name} to use the clientCert authentication method.`,
      );
    }
  }
  const exec = user.exec;
  if (exec) {
    if (user['auth-provider']) {
      problems.push(`authProvider cannot be provided in combination with an exec plugin for ${name}`);
    }
    if (!exec.command) problems.push(`command must be specified for ${name} to use exec authentication plugin`);
    if (!exec.apiVersion) problems.push(`apiVersion must be specified for ${name} to use exec authentication plugin`);
    if ((exec.env ?? []).some((e) => !e.name)) {
      problems.push(`env variable name must be specified for ${name} to use exec authentication plugin`);
    }
    const mode = interactiveMode(exec);
    if (!mode) problems.push(`interactiveMode must be specified for ${name} to use exec authentication plugin`);
    else if (!INTERACTIVE_MODES.includes(mode)) problems.push(`invalid interactiveMode for ${name}: "${mode}"`);
  }
  if (methods.length > 1) {
    problems.push(
      `more than one authentication method found for ${name}; found [${methods.join(' ')}], only one is allowed`,
    );
  }
  if ((user['as-uid'] || user['as-groups']?.length || hasKeys(user['as-user-extra'])) && !user.as) {
    problems.push(`requesting uid, groups or user-extra for ${name} without impersonating a user`);
  }
  return problems;
}

const hasKeys = (o: object | null | undefined) => Boolean(o && Object.keys(o).length > 0);

/** kubeconfig v1 defaults interactiveMode to IfAvailable for the older plugin API versions only. */
export function interactiveMode(exec: KubeExec): string | undefined {
  if (exec.interactiveMode) return exec.interactiveMode;
  const legacy = ['client.authentication.k8s.io/v1beta1', 'client.authentication.k8s.io/v1alpha1'];
  return legacy.includes(exec.apiVersion ?? '') ? 'IfAvailable' : undefined;
}

function clusterProblems(name: string, cluster: KubeCluster): string[] {
  if (cluster['certificate-authority'] && cluster['certificate-authority-data']) {
    return [
      `certificate-authority-data and certificate-authority are both specified for ${name}. certificate-authority-data will override.`,
    ];
  }
  return [];
}
