/**
 * The NAS hosts Homeport manages over SSH, saved in <dataDir>/nas-hosts.json (0600). A host's
 * password or key passphrase lives only in the encrypted SecretStore under `nas/<name>/secret`: it
 * is never written to nas-hosts.json and never returned. Connections verify the host key (Homeport's
 * <dataDir>/known_hosts and the user's ~/.ssh/known_hosts) before any credential is sent. The address
 * is looked up in ~/.ssh/config as `ssh <address>` would: what is saved here wins, the config gives
 * the rest (HostName, Port, IdentityFile, ProxyJump).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { absolutePath, hostAddress, posixUserName, savedName, storedName } from '@shared/names';
import { nasAuthKinds, nasAuthProblem, sshPort, typedSecret, type NasHost } from '@shared/storage-schemas';
import { checkField, HomeportError } from '../errors';
import type { SecretStore } from '../secrets/secret-store';
import type { SshAuth, SshSession } from '../ssh/connect';
import { SshConfigError, type SshErrorContext } from '../ssh/errors';
import {
  acceptShownOnPath,
  connectSshTarget,
  readFirstIdentity,
  replaceChangedOnPath,
  resolveSshTarget,
  type SshHop,
} from '../ssh/target';
import type { SshTrust } from '../ssh/trust';
import { JsonStore } from '../storage/json-store';
import { withDirLock } from '../storage/dir-lock';
import { probeNas } from './probe';

export type NasAuthKind = (typeof nasAuthKinds)[number];

/** A host as saved in nas-hosts.json: no secret. */
const savedHostSchema = z.object({
  name: z.string(),
  address: z.string(),
  /** Absent: ~/.ssh/config's Port for the address, else 22. */
  port: z.number().int().optional(),
  user: z.string(),
  auth: z.enum(nasAuthKinds),
  /** Absent with key auth: ~/.ssh/config's IdentityFile for the address. */
  keyFile: z.string().optional(),
});
type SavedHost = z.infer<typeof savedHostSchema>;
const storeSchema = z.object({ hosts: z.array(savedHostSchema) });

export interface NasHostInput {
  name: string;
  address: string;
  /** Default: ~/.ssh/config's Port for the address, else 22. */
  port?: number;
  user: string;
  auth: NasAuthKind;
  /** For key auth: the private key file on this machine (absolute path); default ~/.ssh/config's IdentityFile. */
  keyFile?: string;
  /** The key passphrase (key auth) or the password (password auth); stored encrypted. */
  secret?: string;
}

export type NasHostChanges = Partial<Omit<NasHostInput, 'name'>>;

export interface NasHostsOptions {
  dataDir: string;
  secrets: SecretStore;
  /** The data directory's SSH trust, shared with the Docker ssh:// endpoints. */
  trust: SshTrust;
  env?: NodeJS.ProcessEnv;
}

const invalid = (field: string, message: string) => new HomeportError('INVALID_INPUT', `'${field}': ${message}`);

export const secretId = (name: string) => `nas/${name}/secret`;

export function validateHostName(name: unknown): string {
  return checkField(savedName, 'name', name);
}

/** A DNS host name, an IPv4 address or an IPv6 address (brackets are removed). */
export function validateAddress(address: unknown): string {
  return checkField(hostAddress, 'address', address);
}

export function validatePort(port: unknown): number {
  return port === undefined ? 22 : checkField(sshPort, 'port', port);
}

/** A portable POSIX user name. */
export function validateUser(user: unknown): string {
  return checkField(posixUserName, 'user', user);
}

function validateAuth(input: {
  auth?: unknown;
  keyFile?: unknown;
  secret?: unknown;
}): Pick<SavedHost, 'auth' | 'keyFile'> {
  const problem = nasAuthProblem(input, false);
  if (problem) throw invalid(problem.field, problem.message);
  if (input.secret !== undefined) checkField(typedSecret, 'secret', input.secret);
  const auth = input.auth as NasAuthKind;
  if (auth !== 'key' || input.keyFile === undefined) return { auth };
  return { auth, keyFile: checkField(absolutePath, 'keyFile', input.keyFile) };
}

export function validateHostInput(input: NasHostInput): SavedHost {
  if (typeof input !== 'object' || input === null) throw invalid('host', 'expected an object');
  const name = validateHostName(input.name);
  const address = validateAddress(input.address);
  const port = input.port === undefined ? undefined : validatePort(input.port);
  const user = validateUser(input.user);
  return { name, address, ...(port !== undefined ? { port } : {}), user, ...validateAuth(input) };
}

export function createNasHosts(opts: NasHostsOptions) {
  const env = opts.env ?? process.env;
  const { secrets, trust } = opts;
  const store = new JsonStore(join(opts.dataDir, 'nas-hosts.json'), storeSchema, () => ({ hosts: [] }));

  async function toPublic(h: SavedHost): Promise<NasHost> {
    // The port the connection will use; a broken ~/.ssh/config shows when connecting.
    const port = h.port ?? (await targetOf(h).catch(() => undefined))?.port ?? 22;
    return {
      name: h.name,
      address: h.address,
      port,
      user: h.user,
      auth: h.auth,
      ...(h.keyFile !== undefined ? { keyFile: h.keyFile } : {}),
      hasSecret: await secrets.has(secretId(h.name)),
    };
  }

  async function saved(name: string): Promise<SavedHost> {
    validateHostName(name);
    const found = (await store.read()).hosts.find((h) => h.name === name);
    if (!found) throw new HomeportError('NOT_FOUND', `No NAS host named '${name}'; add it first`);
    return found;
  }

  async function list(): Promise<NasHost[]> {
    return Promise.all((await store.read()).hosts.map(toPublic));
  }

  async function get(name: string): Promise<NasHost> {
    return toPublic(await saved(name));
  }

  async function add(input: NasHostInput): Promise<NasHost> {
    const host = validateHostInput(input);
    if (host.auth === 'password' && input.secret === undefined) {
      throw invalid('secret', `auth 'password' needs the password of '${host.user}'`);
    }
    await store.update((s) => {
      if (s.hosts.some((h) => h.name === host.name)) {
        throw new HomeportError(
          'CONFLICT',
          `'name': a NAS host named '${host.name}' exists already; pick another name or remove it first`,
        );
      }
      return { hosts: [...s.hosts, host] };
    });
    try {
      if (input.secret !== undefined) await secrets.set(secretId(host.name), input.secret);
      else await secrets.delete(secretId(host.name));
    } catch (err) {
      await store.update((s) => ({ hosts: s.hosts.filter((h) => h.name !== host.name) }));
      throw err;
    }
    return toPublic(host);
  }

  /** Changes a host; the stored secret is kept unless `secret` is given (or the auth no longer uses one). */
  async function update(name: string, changes: NasHostChanges): Promise<NasHost> {
    validateHostName(name);
    if ('name' in changes && (changes as { name?: unknown }).name !== name) {
      throw invalid('name', 'a host cannot be renamed; remove it and add it under the new name');
    }
    const current = await saved(name);
    const auth = changes.auth ?? current.auth;
    const authChanged = auth !== current.auth;
    const keyFile = changes.keyFile ?? (auth === 'key' ? current.keyFile : undefined);
    const merged: NasHostInput = {
      name,
      address: changes.address ?? current.address,
      port: changes.port ?? current.port,
      user: changes.user ?? current.user,
      auth,
      ...(keyFile !== undefined ? { keyFile } : {}),
      ...(changes.secret !== undefined ? { secret: changes.secret } : {}),
    };
    const host = validateHostInput(merged);
    const hadSecret = await secrets.has(secretId(name));
    if (host.auth === 'password' && changes.secret === undefined && (authChanged || !hadSecret)) {
      throw invalid('secret', `auth 'password' needs the password of '${host.user}'`);
    }
    await store.update((s) => {
      if (!s.hosts.some((h) => h.name === name)) throw new HomeportError('NOT_FOUND', `No NAS host named '${name}'`);
      return { hosts: s.hosts.map((h) => (h.name === name ? host : h)) };
    });
    if (changes.secret !== undefined) await secrets.set(secretId(name), changes.secret);
    else if (host.auth === 'agent' || authChanged) await secrets.delete(secretId(name));
    return toPublic(host);
  }

  /** Removes the host and its secret; any saved name, even one from before today's rule. */
  async function remove(name: string): Promise<void> {
    checkField(storedName, 'name', name);
    await store.update((s) => {
      if (!s.hosts.some((h) => h.name === name)) throw new HomeportError('NOT_FOUND', `No NAS host named '${name}'`);
      return { hosts: s.hosts.filter((h) => h.name !== name) };
    });
    await secrets.delete(secretId(name));
  }

  const labelOf = (name: string) => ({ label: `NAS host '${name}'` });

  function targetOf(host: SavedHost) {
    return resolveSshTarget(
      {
        host: host.address,
        user: host.user,
        ...(host.port !== undefined ? { port: host.port } : {}),
        ...(host.keyFile !== undefined ? { keyFile: host.keyFile } : {}),
      },
      env,
      labelOf(host.name),
    );
  }

  async function authOf(host: SavedHost, identityFiles: string[]): Promise<SshAuth> {
    const context = labelOf(host.name);
    const secret = await secrets.get(secretId(host.name));
    if (host.auth === 'key') {
      const privateKey = await readFirstIdentity(identityFiles, 'keyFile', context);
      if (!privateKey) {
        throw new SshConfigError(
          identityFiles.length === 0
            ? `Private key file: none is set, and ~/.ssh/config gives ${host.address} no IdentityFile; set the key file`
            : `Private key file: none of the IdentityFile keys ~/.ssh/config gives ${host.address} exists (${identityFiles.join(', ')}); set the key file`,
          context,
        );
      }
      return { kind: 'key', privateKey, ...(secret !== undefined ? { passphrase: secret } : {}) };
    }
    if (host.auth === 'agent') {
      const socket = env.SSH_AUTH_SOCK;
      if (!socket) {
        throw new SshConfigError(
          `auth 'agent' needs a running SSH agent (SSH_AUTH_SOCK is not set); start one and add your key (ssh-add), or use a key file`,
          context,
        );
      }
      return { kind: 'agent', socket };
    }
    if (secret === undefined) throw new SshConfigError('no password is stored; edit the host and enter it', context);
    return { kind: 'password', password: secret };
  }

  /**
   * A jump host's credential: its IdentityFile from ~/.ssh/config, else the SSH agent, else the
   * host's own key. Never the host's password.
   */
  async function jumpAuthOf(host: SavedHost, targetKeys: string[], hop: SshHop, context: SshErrorContext) {
    const key = await readFirstIdentity(hop.identityFiles, 'IdentityFile', context);
    const passphrase = host.auth === 'key' ? await secrets.get(secretId(host.name)) : undefined;
    const samePassphrase = hop.identityFiles.some((f) => targetKeys.includes(f)) && passphrase !== undefined;
    if (key) return { kind: 'key' as const, privateKey: key, ...(samePassphrase ? { passphrase } : {}) };
    if (env.SSH_AUTH_SOCK) return { kind: 'agent' as const, socket: env.SSH_AUTH_SOCK };
    if (host.auth === 'key') return authOf(host, targetKeys);
    throw new SshConfigError(
      `no key to log in to the jump host with: set IdentityFile for ${hop.host} in ~/.ssh/config, or start an SSH agent`,
      context,
    );
  }

  /** Opens an SSH session to the host (the caller closes it). Failures are SshError with a reason. */
  async function connect(name: string, timeoutMs = 15_000): Promise<SshSession> {
    const host = await saved(name);
    const target = await targetOf(host);
    const auth = await authOf(host, target.identityFiles);
    return connectSshTarget(
      { ...target, user: host.user },
      {
        auth,
        jumpAuth: (hop, context) => jumpAuthOf(host, target.identityFiles, hop, context),
        hostKeys: trust,
        timeoutMs,
        ...labelOf(name),
        authHint:
          host.auth === 'password'
            ? 'Check the password, and that the host allows password logins.'
            : `Check that the public key is in ~${host.user}/.ssh/authorized_keys on the host.`,
        passphraseHint: 'edit the host and enter its passphrase',
      },
    );
  }

  /** Trusts the host key the last connection (or probe) to this host was shown, if it is the one the user checked. */
  async function acceptHostKey(name: string, fingerprint: string): Promise<void> {
    const host = await saved(name);
    await acceptShownOnPath(
      trust,
      await targetOf(host),
      { ...labelOf(name), showAgain: 'probe the host' },
      fingerprint,
    );
  }

  /**
   * Replaces the recorded host key of the host (or of a jump host on the way) by the changed key it
   * presents now, if `fingerprint` is the one the user confirmed; returns the fingerprints removed.
   */
  async function replaceHostKey(name: string, fingerprint: string): Promise<string[]> {
    const host = await saved(name);
    return replaceChangedOnPath(
      trust,
      await targetOf(host),
      { ...labelOf(name), showAgain: 'probe the host' },
      fingerprint,
      async () => (await connect(name)).close(),
    );
  }

  // A host and its secret change together, under the data directory's lock (see dir-lock.ts).
  const locked =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A) =>
      withDirLock(opts.dataDir, () => fn(...args));
  const hosts = {
    list,
    get,
    add: locked(add),
    update: locked(update),
    remove: locked(remove),
    connect,
    acceptHostKey,
    replaceHostKey,
  };
  return { ...hosts, probe: (name: string, timeoutMs?: number) => probeNas(hosts, name, timeoutMs) };
}

export type NasHosts = ReturnType<typeof createNasHosts>;
