/**
 * Where an SSH connection really goes: what the user saved for a NAS host or an ssh:// endpoint
 * wins, and the rest comes from ~/.ssh/config for that name (HostName, Port, User, IdentityFile,
 * ProxyJump), as `ssh <name>` would. Jump hosts are connected one after the other with the same
 * host key trust, and the target is reached through a forwarded channel; every host's key is
 * verified before anything is sent to it.
 */
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { Duplex } from 'node:stream';
import { errorMessage, HomeportError } from '../errors';
import { connectSsh, type SshAuth, type SshConnectOptions, type SshSession } from './connect';
import { HostKeyUnknownError, SshConfigError, SshUnreachableError, type SshErrorContext } from './errors';
import { readPrivateKeyFile } from './key-file';
import { expandPath, loadSshConfig, localUserName, type JumpSpec } from './ssh-config';
import type { SshTrust, TrustTarget } from './trust';

/** A host to pass through on the way (ProxyJump). */
export interface SshHop {
  host: string;
  port: number;
  user: string;
  /** From ~/.ssh/config for the jump host, expanded. */
  identityFiles: string[];
}

export interface SshTarget {
  /** The name the user gave (an alias, or the address itself). */
  alias: string;
  host: string;
  port: number;
  /** The saved user, else the config's; undefined when neither names one. */
  user?: string;
  /** The saved key file, else the config's IdentityFile lines, expanded. */
  identityFiles: string[];
  jumps: SshHop[];
}

export interface SshTargetInput {
  host: string;
  port?: number;
  user?: string;
  keyFile?: string;
}

/** Applies ~/.ssh/config to what the user saved. */
export async function resolveSshTarget(
  input: SshTargetInput,
  env: NodeJS.ProcessEnv,
  context: SshErrorContext = {},
): Promise<SshTarget> {
  const config = await loadSshConfig(env);
  const home = env.HOME ?? homedir();
  const localUser = localUserName(env);
  const found = config.lookup(input.host, input.user !== undefined ? { user: input.user } : {});
  if (found.proxyCommand !== undefined && found.proxyJump === undefined) {
    throw new SshConfigError(
      `${config.file} gives ${input.host} a ProxyCommand ("${found.proxyCommand}"); Homeport runs no commands from the SSH config. Use ProxyJump for it instead.`,
      context,
    );
  }
  const host = found.hostName ?? input.host;
  const port = input.port ?? found.port ?? 22;
  const user = input.user ?? found.user;
  const expand = (p: string, h: string, u: string, po: number) =>
    expandPath(p, { home, localUser, host: h, user: u, port: po });
  const identityFiles = input.keyFile
    ? [input.keyFile]
    : found.identityFiles.map((f) => expand(f, host, user ?? localUser, port));
  const jumps = (found.proxyJump ?? []).map((spec: JumpSpec): SshHop => {
    const j = config.lookup(spec.host, spec.user !== undefined ? { user: spec.user } : {});
    const jHost = j.hostName ?? spec.host;
    const jPort = spec.port ?? j.port ?? 22;
    const jUser = spec.user ?? j.user ?? localUser;
    return {
      host: jHost,
      port: jPort,
      user: jUser,
      identityFiles: j.identityFiles.map((f) => expand(f, jHost, jUser, jPort)),
    };
  });
  return { alias: input.host, host, port, ...(user !== undefined ? { user } : {}), identityFiles, jumps };
}

/** The first identity file that exists, read; undefined when none does. */
export async function readFirstIdentity(
  files: string[],
  field: string,
  context: SshErrorContext,
): Promise<Buffer | undefined> {
  for (const file of files) {
    const present = await access(file).then(
      () => true,
      () => false,
    );
    if (present) return readPrivateKeyFile(file, field, context);
  }
  return undefined;
}

const where = (h: { host: string; port: number }) => `${h.host}:${h.port}`;

/**
 * Connects to the target through its jump hosts. `jumpAuth` gives the credential for a jump host
 * (never the target's password). Closing the session closes the whole chain.
 */
export async function connectSshTarget(
  target: SshTarget & { user: string },
  opts: Omit<SshConnectOptions, 'host' | 'port' | 'username'> & {
    jumpAuth: (hop: SshHop, context: SshErrorContext) => Promise<SshAuth>;
  },
): Promise<SshSession> {
  const { jumpAuth, ...common } = opts;
  const chain: SshSession[] = [];
  const closeChain = () => Promise.all(chain.map((s) => s.close().catch(() => undefined)));
  try {
    let sock: Duplex | undefined;
    for (const [i, hop] of target.jumps.entries()) {
      const label = `${opts.label ?? 'SSH'} (jump host ${where(hop)})`;
      const context = { label };
      const session = await connectSsh({
        ...common,
        host: hop.host,
        port: hop.port,
        username: hop.user,
        auth: await jumpAuth(hop, context),
        label,
        authHint: `Check that your key is in ~${hop.user}/.ssh/authorized_keys on the jump host, or set IdentityFile for it in ~/.ssh/config.`,
        ...(sock ? { sock } : {}),
      });
      chain.unshift(session);
      const next = target.jumps[i + 1] ?? target;
      try {
        sock = await session.forwardTcp(next.host, next.port);
      } catch (err) {
        throw new SshUnreachableError(
          next.host,
          next.port,
          `the jump host ${where(hop)} could not open a connection to it (${errorMessage(err)})`,
          opts.label ? { label: opts.label } : {},
        );
      }
    }
    const session = await connectSsh({
      ...common,
      host: target.host,
      port: target.port,
      username: target.user,
      ...(sock ? { sock } : {}),
    });
    if (chain.length === 0) return session;
    return {
      exec: (argv, o) => session.exec(argv, o),
      forwardUnixSocket: (path) => session.forwardUnixSocket(path),
      forwardTcp: (host, port) => session.forwardTcp(host, port),
      sftp: () => session.sftp(),
      closed: session.closed,
      async close() {
        await session.close();
        await closeChain();
      },
    };
  } catch (err) {
    await closeChain();
    throw err;
  }
}

/**
 * Trusts the key one host on the way to the target showed (the target, or a jump host whose key
 * was unknown), if `fingerprint` is that key's; otherwise fails as the target's trust does.
 */
export async function acceptShownOnPath(
  trust: SshTrust,
  target: SshTarget,
  who: Omit<TrustTarget, 'host' | 'port'>,
  fingerprint: string,
): Promise<void> {
  for (const hop of target.jumps) {
    if (trust.shown(hop.host, hop.port)?.fingerprint === fingerprint) {
      return trust.acceptShown({ ...who, label: `${who.label} (jump host ${where(hop)})`, ...hop }, fingerprint);
    }
  }
  return trust.acceptShown({ ...who, host: target.host, port: target.port }, fingerprint);
}

/**
 * Replaces the recorded key of the host on the way to the target that presents a changed key (the
 * target, or a jump host) by the key it presents now, if `fingerprint` is that key's. `reconnect`
 * connects afresh first (its failure is expected: a changed key refuses the connection before any
 * credential is sent), so a key presented earlier never decides.
 */
export async function replaceChangedOnPath(
  trust: SshTrust,
  target: SshTarget,
  who: Omit<TrustTarget, 'host' | 'port'>,
  fingerprint: string,
  reconnect: () => Promise<unknown>,
): Promise<string[]> {
  const path = [...target.jumps.map((hop) => ({ ...hop, jump: true })), { ...target, jump: false }];
  for (const h of path) trust.forget(h.host, h.port);
  const failure: unknown = await reconnect().then(
    () => undefined,
    (err: unknown) => err,
  );
  for (const h of path) {
    if (trust.changed(h.host, h.port)) {
      const label = h.jump ? `${who.label} (jump host ${where(h)})` : who.label;
      return trust.replaceChanged({ ...who, label, host: h.host, port: h.port }, fingerprint);
    }
  }
  if (failure === undefined) {
    throw new HomeportError(
      'CONFLICT',
      `${who.label} (${where(target)}) presents a host key Homeport already trusts; there is nothing to replace`,
    );
  }
  if (!(failure instanceof HostKeyUnknownError)) {
    throw new HomeportError(
      failure instanceof HomeportError ? failure.code : 'UNAVAILABLE',
      `Could not see which host key ${who.label} (${where(target)}) presents now, so nothing was replaced: ${errorMessage(failure)}`,
    );
  }
  return trust.replaceChanged({ ...who, host: target.host, port: target.port }, fingerprint);
}
