/**
 * Credentials Homeport keeps (SSH passwords and passphrases, S3 secret keys): encrypted at rest,
 * readable only by the main process. On the desktop the cipher is Electron's safeStorage (the OS
 * keychain); in web mode and the CLI it is AES-256-GCM with a random key in a 0600 file of the
 * data directory. Values never go to the renderer.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { HomeportError } from '../errors';
import { JsonStore } from '../storage/json-store';

export interface SecretCipher {
  /** 'safe-storage' (OS keychain) or 'key-file' (a 0600 key in the data directory). */
  readonly kind: 'safe-storage' | 'key-file';
  encrypt(plain: string): Promise<string>;
  decrypt(sealed: string): Promise<string>;
}

const KEY_BYTES = 32;

/**
 * Creates the key file only if none exists, and returns the key in it afterwards: when two
 * processes start at once, both end up with the winner's key. The key is written and synced to
 * a temp file first, then linked into place: link(2) fails on an existing name as O_EXCL does,
 * and the file never appears empty or half-written to a racing reader.
 */
async function createKeyOnce(keyPath: string, fresh: Buffer): Promise<void> {
  const tmp = `${keyPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(fresh.toString('base64'));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, keyPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** AES-256-GCM with a key kept in <dataDir>/secret.key (created 0600 on first use). */
export function createKeyFileCipher(dataDir: string): SecretCipher {
  const keyPath = join(dataDir, 'secret.key');
  let key: Promise<Buffer> | undefined;
  const readKey = async () => {
    const existing = Buffer.from((await readFile(keyPath, 'utf8')).trim(), 'base64');
    if (existing.length !== KEY_BYTES) {
      throw new HomeportError(
        'INTERNAL',
        `${keyPath} is not a Homeport key (expected ${KEY_BYTES} bytes). Move it aside only if you accept losing the stored credentials.`,
      );
    }
    return existing;
  };
  const loadKey = () =>
    (key ??= (async () => {
      try {
        return await readKey();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await mkdir(dataDir, { recursive: true, mode: 0o700 });
        await createKeyOnce(keyPath, randomBytes(KEY_BYTES));
        return readKey();
      }
    })().catch((err: unknown) => {
      key = undefined;
      throw err;
    }));
  return {
    kind: 'key-file',
    async encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', await loadKey(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    async decrypt(sealed) {
      const [version, iv, tag, body] = sealed.split(':');
      if (version !== 'v1' || !iv || !tag || body === undefined) {
        throw new HomeportError('INTERNAL', 'A stored credential is not in a format Homeport reads; enter it again');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', await loadKey(), Buffer.from(iv, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
      } catch {
        throw new HomeportError(
          'INTERNAL',
          `A stored credential cannot be decrypted with ${keyPath} (was the key replaced?); enter the credential again`,
        );
      }
    },
  };
}

/** Each value is '<cipher kind>|<sealed>', so values sealed by the key file stay readable on the desktop. */
const storeSchema = z.object({ secrets: z.record(z.string(), z.string()) });

export interface SecretStore {
  readonly cipherKind: SecretCipher['kind'];
  get(id: string): Promise<string | undefined>;
  set(id: string, value: string): Promise<void>;
  delete(id: string): Promise<void>;
  has(id: string): Promise<boolean>;
}

/** Encrypted values by id ('nas/<name>/password', 's3/<name>/secret-key') in <dataDir>/secrets.json (0600). */
export function createSecretStore(opts: { dataDir: string; cipher?: SecretCipher }): SecretStore {
  const keyFile = createKeyFileCipher(opts.dataDir);
  const cipher = opts.cipher ?? keyFile;
  const store = new JsonStore(join(opts.dataDir, 'secrets.json'), storeSchema, () => ({ secrets: {} }));
  return {
    cipherKind: cipher.kind,
    async get(id) {
      const all = (await store.read()).secrets;
      const entry = Object.hasOwn(all, id) ? all[id] : undefined;
      if (entry === undefined) return undefined;
      const at = entry.indexOf('|');
      const kind = entry.slice(0, at);
      const sealed = entry.slice(at + 1);
      if (kind === keyFile.kind) return keyFile.decrypt(sealed);
      if (kind === cipher.kind) return cipher.decrypt(sealed);
      throw new HomeportError(
        'INTERNAL',
        `This credential was sealed with the desktop's ${kind}, which is not available here; enter it again`,
      );
    },
    async set(id, value) {
      const entry = `${cipher.kind}|${await cipher.encrypt(value)}`;
      await store.update((s) => ({ secrets: { ...s.secrets, [id]: entry } }));
    },
    async delete(id) {
      await store.update((s) => {
        const { [id]: _gone, ...rest } = s.secrets;
        return { secrets: rest };
      });
    },
    async has(id) {
      return Object.hasOwn((await store.read()).secrets, id);
    },
  };
}
