import { unwatchFile, watchFile } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type {
  ConnectionFailureReason,
  ConnectionTest,
  ContextList,
  ContextSummary,
  ExecCommand,
} from '@shared/contract';
import { kubeconfigPath } from '@shared/cluster-schemas';
import { checkField, errorMessage, HomeportError } from '../errors';
import { assertRunnable, runExecPlugin, type ExecCredential } from '../kube/exec-credential';
import type { GatewaySettings } from '../kube/gateway-settings';
import { configProblems, resolveConnection, type KubeConnection } from '../kube/kube-connection';
import { redactUrl } from '../redact-url';
import { createKubeGateway, KubeRequestError, type KubeGateway } from '../kube/kube-gateway';
import type { ExecConsent, SettingsStore } from '../storage/settings';
import {
  isSandboxCluster,
  sandboxRuntime,
  kubeconfigPaths,
  loadKubeconfig,
  type KubeExec,
  type KubeUser,
  type MergedKubeconfig,
} from './kubeconfig';

export interface ClustersDeps {
  settings: SettingsStore;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Kubeconfig of the sandbox cluster started by `serve --sandbox`, if any. */
  sandboxKubeconfig?: string;
  /** Runs an exec credential plugin; tests substitute a recorder. */
  runExec?: typeof runExecPlugin;
}

interface VersionInfo {
  gitVersion?: string;
  platform?: string;
}

export function createClustersService(deps: ClustersDeps) {
  const home = deps.home ?? homedir();
  const runExec = deps.runExec ?? runExecPlugin;
  const credentials = new Map<string, ExecCredential>();
  const listeners = new Set<() => void>();

  async function load(): Promise<{ config: MergedKubeconfig; consents: ExecConsent[] }> {
    const settings = await deps.settings.read();
    const paths = kubeconfigPaths({
      env: deps.env,
      home,
      added: settings.kubeconfigFiles,
      sandbox: deps.sandboxKubeconfig,
    });
    return { config: await loadKubeconfig(paths), consents: settings.execConsents };
  }

  async function listContexts(): Promise<ContextList> {
    const { config, consents } = await load();
    return summarize(config, consents);
  }

  function expand(path: string): string {
    const text = checkField(kubeconfigPath, 'path', path);
    const p = text === '~' ? home : text.startsWith('~/') ? join(home, text.slice(2)) : text;
    if (!isAbsolute(p)) {
      throw new HomeportError(
        'INVALID_INPUT',
        `'path': '${path}' is relative; give the full path, e.g. ${join(home, '.kube', 'config')}`,
      );
    }
    return resolve(p);
  }

  async function addKubeconfig(path: string): Promise<ContextList> {
    const abs = expand(path);
    const probe = await loadKubeconfig([{ path: abs, origin: 'added' }], { requireExisting: true });
    const error = probe.sources[0]?.error;
    if (error) throw new HomeportError('INVALID_INPUT', `'path': ${error}`);
    if (probe.contexts.size === 0) {
      throw new HomeportError(
        'INVALID_INPUT',
        `'path': ${abs} defines no contexts; pick a kubeconfig file that has at least one`,
      );
    }
    await deps.settings.update((s) =>
      s.kubeconfigFiles.includes(abs) ? s : { ...s, kubeconfigFiles: [...s.kubeconfigFiles, abs] },
    );
    notify();
    return listContexts();
  }

  async function removeKubeconfig(path: string): Promise<ContextList> {
    const abs = expand(path);
    const settings = await deps.settings.read();
    if (!settings.kubeconfigFiles.includes(abs)) {
      throw new HomeportError(
        'NOT_FOUND',
        `'path': ${abs} was not added in Homeport; files from $KUBECONFIG or ~/.kube/config are changed there, not here`,
      );
    }
    await deps.settings.update((s) => ({ ...s, kubeconfigFiles: s.kubeconfigFiles.filter((f) => f !== abs) }));
    notify();
    return listContexts();
  }

  async function execOf(context: string): Promise<KubeExec> {
    const { config } = await load();
    const ctx = config.contexts.get(context);
    if (!ctx) throw new HomeportError('NOT_FOUND', `Context '${context}' is not in any loaded kubeconfig file`);
    const exec = config.users.get(ctx.value.user ?? '')?.value.exec;
    if (!exec) throw new HomeportError('INVALID_INPUT', `Context '${context}' does not use a credential plugin`);
    return exec;
  }

  async function allowExec(context: string): Promise<ContextList> {
    const exec = await execOf(context);
    await deps.settings.update((s) =>
      isAllowed(exec, s.execConsents)
        ? s
        : {
            ...s,
            execConsents: [
              ...s.execConsents,
              { command: exec.command, args: exec.args ?? [], allowedAt: new Date().toISOString() },
            ],
          },
    );
    notify();
    return listContexts();
  }

  async function revokeExec(context: string): Promise<ContextList> {
    const exec = await execOf(context);
    await deps.settings.update((s) => ({
      ...s,
      execConsents: s.execConsents.filter((c) => !sameCommand(exec, c)),
    }));
    for (const key of credentials.keys()) if (key.startsWith(`${context}\0`)) credentials.delete(key);
    notify();
    return listContexts();
  }

  const running = new Map<string, Promise<ExecCredential>>();

  /**
   * The plugin's credential for a context: the cached one while it has not expired, else a fresh
   * run. `refused` is a credential the server has just refused: it is replaced even without an
   * expiry, unless another request already replaced it. Concurrent callers share one run.
   */
  async function credentialFor(
    context: string,
    conn: KubeConnection & { exec: KubeExec },
    refused?: ExecCredential,
  ): Promise<ExecCredential> {
    const key = `${context}\0${conn.exec.command}\0${(conn.exec.args ?? []).join('\0')}`;
    const cached = credentials.get(key);
    const stale =
      !cached || cached === refused || (cached.expiresAt !== undefined && cached.expiresAt - Date.now() <= 30_000);
    if (!stale) return cached;
    let run = running.get(key);
    if (!run) {
      run = runExec(conn.exec, conn.execCluster).finally(() => running.delete(key));
      running.set(key, run);
      const fresh = await run;
      credentials.set(key, fresh);
      return fresh;
    }
    return run;
  }

  /**
   * The settings to reach a context with, read from the kubeconfig now. Runs an exec plugin only
   * when the user has allowed it; otherwise the error says how to allow it.
   */
  async function settingsFor(context: string, refused?: GatewaySettings): Promise<GatewaySettings> {
    const { config, consents } = await load();
    const conn = await resolveConnection(config, context, { env: deps.env });
    if (!conn.exec) return { conn };
    assertRunnable(conn.exec);
    if (!isAllowed(conn.exec, consents)) {
      throw new HomeportError(
        'FORBIDDEN',
        `Context '${context}' needs the credential plugin '${conn.exec.command}', which you have not allowed yet. Allow it on the Connections screen.`,
      );
    }
    return { conn, credential: await credentialFor(context, { ...conn, exec: conn.exec }, refused?.credential) };
  }

  /**
   * A gateway that keeps following the kubeconfig: a refused credential is renewed (plugin run
   * again, tokenFile read again), and a server that no longer verifies or answers makes it read the
   * kubeconfig again, so a cluster that came back with a new CA or token is reached with them.
   */
  function gatewayWith(context: string, initial: GatewaySettings): KubeGateway {
    return createKubeGateway(initial.conn, initial.credential, {
      renew: (reason, failed) =>
        settingsFor(context, reason === 'unauthorized' || reason === 'expired' ? failed : undefined),
    });
  }

  async function testConnection(context: string, timeoutMs = 5000): Promise<ConnectionTest> {
    const { config, consents } = await load();
    const started = Date.now();
    let server = redactUrl(config.clusters.get(config.contexts.get(context)?.value.cluster ?? '')?.value.server ?? '');
    const fail = (reason: ConnectionFailureReason, message: string, exec?: ExecCommand): ConnectionTest => ({
      status: 'failed',
      context,
      server,
      reason,
      message: `Context '${context}': ${message}`,
      ...(exec ? { exec } : {}),
    });
    let conn;
    try {
      conn = await resolveConnection(config, context, { env: deps.env });
      server = redactUrl(conn.server);
    } catch (err) {
      if (err instanceof HomeportError && err.code === 'NOT_FOUND') throw err;
      return fail('config', errorMessage(err));
    }
    let credential: ExecCredential | undefined;
    if (conn.exec) {
      try {
        assertRunnable(conn.exec);
      } catch (err) {
        return fail('exec-failed', errorMessage(err));
      }
      if (!isAllowed(conn.exec, consents)) {
        return fail(
          'exec-consent-required',
          `the kubeconfig asks Homeport to run '${[conn.exec.command, ...(conn.exec.args ?? [])].join(' ')}' for credentials. Allow it to connect.`,
          describeExec(conn.exec, false),
        );
      }
      try {
        credential = await credentialFor(context, { ...conn, exec: conn.exec });
      } catch (err) {
        return fail('exec-failed', errorMessage(err));
      }
    }
    const gateway = gatewayWith(context, { conn, credential });
    try {
      const version = await gateway.getJson<VersionInfo>('/version', { timeoutMs });
      const gitVersion = version.gitVersion ?? 'unknown';
      return {
        status: 'connected',
        context,
        server,
        gitVersion,
        platform: version.platform ?? 'unknown',
        distribution: gitVersion.includes('+k3s') ? 'k3s' : 'kubernetes',
        latencyMs: Date.now() - started,
      };
    } catch (err) {
      if (err instanceof KubeRequestError) return fail(err.reason, err.message);
      if (err instanceof HomeportError && (err.code === 'UNAVAILABLE' || err.code === 'FORBIDDEN')) {
        return fail('exec-failed', errorMessage(err));
      }
      return fail('unreachable', errorMessage(err));
    } finally {
      gateway.close();
    }
  }

  /** A gateway to a context's API server for the live views, the metrics and the deploys. */
  async function openGateway(context: string): Promise<KubeGateway> {
    return gatewayWith(context, await settingsFor(context));
  }

  function notify() {
    for (const l of listeners) l();
  }

  /**
   * Calls back when a kubeconfig file in use changes on disk or the set of files changes.
   * Polls file stats (works for files that do not exist yet, and on every platform). Also calls
   * back once as soon as the files are watched: a change made between the caller's first read and
   * the start of the watch would otherwise go unseen.
   */
  function watchContexts(onChange: () => void, intervalMs = 1000): () => void {
    let watched: string[] = [];
    let stopped = false;
    const onStat = () => onChange();
    const rewatch = async () => {
      const settings = await deps.settings.read().catch(() => undefined);
      if (stopped || !settings) return;
      const next = kubeconfigPaths({
        env: deps.env,
        home,
        added: settings.kubeconfigFiles,
        sandbox: deps.sandboxKubeconfig,
      }).map((p) => p.path);
      for (const p of watched) if (!next.includes(p)) unwatchFile(p, onStat);
      for (const p of next) if (!watched.includes(p)) watchFile(p, { interval: intervalMs, persistent: false }, onStat);
      watched = next;
    };
    const onListChange = () => {
      void rewatch();
      onChange();
    };
    listeners.add(onListChange);
    void rewatch().then(() => {
      if (!stopped) onChange();
    });
    return () => {
      stopped = true;
      listeners.delete(onListChange);
      for (const p of watched) unwatchFile(p, onStat);
    };
  }

  return {
    listContexts,
    addKubeconfig,
    removeKubeconfig,
    allowExec,
    revokeExec,
    testConnection,
    watchContexts,
    openGateway,
  };
}

export type ClustersService = ReturnType<typeof createClustersService>;

function sameCommand(exec: KubeExec, consent: Pick<ExecConsent, 'command' | 'args'>): boolean {
  const args = exec.args ?? [];
  return (
    consent.command === exec.command &&
    consent.args.length === args.length &&
    consent.args.every((a, i) => a === args[i])
  );
}

function isAllowed(exec: KubeExec, consents: ExecConsent[]): boolean {
  return consents.some((c) => sameCommand(exec, c));
}

function describeExec(exec: KubeExec, allowed: boolean): ExecCommand {
  return { command: exec.command, args: exec.args ?? [], envNames: (exec.env ?? []).map((e) => e.name), allowed };
}

/** Static credentials in the kubeconfig win over an exec plugin, which kubectl then never runs. */
const hasStaticAuth = (user: KubeUser) => Boolean(user.token || user.tokenFile || user.username);

function authKind(user: KubeUser | undefined): ContextSummary['authKind'] {
  if (!user) return 'none';
  if (user.token || user.tokenFile) return 'token';
  if (user.username) return 'basic';
  if (user.exec) return 'exec';
  if (user['client-certificate'] || user['client-certificate-data']) return 'client-certificate';
  if (user['auth-provider']) return 'auth-provider';
  return 'none';
}

/** The renderer's view of the merged config: names and addresses, never a credential. */
export function summarize(config: MergedKubeconfig, consents: ExecConsent[]): ContextList {
  const contexts: ContextSummary[] = [];
  for (const [name, { value: ctx, source }] of config.contexts) {
    const problems: string[] = [];
    const cluster = config.clusters.get(ctx.cluster ?? '')?.value;
    if (!cluster) problems.push(`cluster '${ctx.cluster ?? ''}' is not defined in any kubeconfig file`);
    else if (!cluster.server) problems.push(`cluster '${ctx.cluster}' has no server URL`);
    const user = ctx.user ? config.users.get(ctx.user)?.value : undefined;
    if (ctx.user && !user) problems.push(`user '${ctx.user}' is not defined in any kubeconfig file`);
    if (user?.['auth-provider'])
      problems.push('auth-provider plugins are not supported; use an exec credential plugin');
    if (user && cluster) problems.push(...configProblems(ctx.user ?? '', user, ctx.cluster ?? '', cluster));
    contexts.push({
      name,
      cluster: ctx.cluster ?? '',
      server: redactUrl(cluster?.server ?? ''),
      user: ctx.user ?? '',
      namespace: ctx.namespace || 'default',
      current: name === config.currentContext,
      authKind: authKind(user),
      ...(user?.exec && !hasStaticAuth(user) ? { exec: describeExec(user.exec, isAllowed(user.exec, consents)) } : {}),
      source,
      simulated: isSandboxCluster(cluster),
      ...(sandboxRuntime(cluster) ? { sandboxRuntime: sandboxRuntime(cluster) } : {}),
      problems,
    });
  }
  // kubectl lists contexts sorted by name; so does Homeport.
  contexts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    contexts,
    sources: config.sources,
    ...(config.currentContext ? { currentContext: config.currentContext } : {}),
  };
}
