import type { OutgoingHttpHeaders } from 'node:http';
import type { ExecCredential } from './exec-credential';
import { readTokenFile, type KubeConnection } from './kube-connection';

/** What a gateway sends with: the context's connection and, for exec users, the plugin's credential. */
export interface GatewaySettings {
  conn: KubeConnection;
  credential?: ExecCredential;
}

/**
 * Why a gateway asks for fresh settings: the server refused the credentials, the server's certificate
 * no longer verifies or the server cannot be reached (the kubeconfig may have changed meanwhile), or
 * the plugin's credential has expired.
 */
export type RenewReason = 'unauthorized' | 'tls' | 'unreachable' | 'expired';

/**
 * Fresh settings for a context after `failed` did not work: the kubeconfig read again (tokenFile
 * and CA files too), and the plugin run again when its credential was refused or has expired.
 */
export type Renew = (reason: RenewReason, failed: GatewaySettings) => Promise<GatewaySettings>;

/** Without a kubeconfig to go back to, a gateway can still re-read its token file. */
function renewTokenFile({ conn }: GatewaySettings): Renew | undefined {
  if (!conn.tokenFile) return undefined;
  return async (reason, current) => {
    if (reason !== 'unauthorized' || !current.conn.tokenFile) return current;
    return { ...current, conn: { ...current.conn, token: await readTokenFile(current.conn.tokenFile, conn.context) } };
  };
}

const fingerprint = (s: GatewaySettings) => JSON.stringify(s);

/**
 * The settings a gateway uses now. Requests take them per attempt, so a renewed token or CA reaches
 * every later request, and the watches that reconnect, without reopening anything. Concurrent
 * failures share one renewal.
 */
export function createSettingsHolder(initial: GatewaySettings, renew?: Renew, now: () => number = Date.now) {
  let current = initial;
  let renewing: Promise<GatewaySettings> | undefined;
  const doRenew = renew ?? renewTokenFile(initial);

  function renewOnce(reason: RenewReason): Promise<GatewaySettings> {
    if (!doRenew) return Promise.resolve(current);
    renewing ??= doRenew(reason, current)
      .then((next) => (current = next))
      .finally(() => (renewing = undefined));
    return renewing;
  }

  return {
    get current(): GatewaySettings {
      return current;
    },
    /** The settings for the next attempt; an expired plugin credential is renewed first, as kubectl does. */
    async ready(): Promise<GatewaySettings> {
      if (renewing) return renewing;
      const expiresAt = current.credential?.expiresAt;
      if (expiresAt !== undefined && now() >= expiresAt) return renewOnce('expired');
      return current;
    },
    /**
     * After an attempt with `used` failed for `reason`: settings worth one more attempt, or
     * undefined when nothing has changed (the same request would fail the same way).
     */
    async after(used: GatewaySettings, reason: RenewReason): Promise<GatewaySettings | undefined> {
      const next = current !== used ? current : await renewOnce(reason);
      return fingerprint(next) === fingerprint(used) ? undefined : next;
    },
  };
}

export type SettingsHolder = ReturnType<typeof createSettingsHolder>;

/** The Authorization and Impersonate-* headers of one attempt. */
export function authHeaders({ conn, credential }: GatewaySettings): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ...conn.headers };
  // A token or user name in the kubeconfig wins over the plugin (which then is not run at all).
  const token = conn.token ?? credential?.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (conn.basic) {
    headers.Authorization = `Basic ${Buffer.from(`${conn.basic.username}:${conn.basic.password}`).toString('base64')}`;
  }
  return headers;
}

/** The TLS options of one attempt; the agents pool connections per distinct set of them. */
export function tlsOptions({ conn, credential }: GatewaySettings) {
  return {
    ca: conn.ca,
    cert: credential?.clientCertificateData ?? conn.cert,
    key: credential?.clientKeyData ?? conn.key,
    rejectUnauthorized: !conn.insecureSkipTlsVerify,
    servername: conn.tlsServerName,
  };
}
