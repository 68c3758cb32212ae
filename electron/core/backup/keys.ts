/**
 * The key a backup's secrets are encrypted with: a passphrase the user sets once, kept sealed in
 * the credential store like every other credential, or a key file the user keeps (its path is kept;
 * the file is read when a backup or restore needs it). Neither ever leaves the main process.
 */
import { HomeportError } from '../errors';
import type { SecretStore } from '../secrets/secret-store';
import { readUserFile } from '../storage/user-file';
import type { BackupKeys } from './types';

const PASSPHRASE = 'backup/passphrase';
const KEY_FILE = 'backup/key-file';
const MIN_PASSPHRASE = 12;

export function createBackupKeys(secrets: SecretStore): BackupKeys {
  return {
    async status() {
      if (await secrets.has(PASSPHRASE)) return { kind: 'passphrase' };
      if (await secrets.has(KEY_FILE)) return { kind: 'key-file' };
      return { kind: 'none' };
    },
    async set(input) {
      if ('passphrase' in input) {
        if (input.passphrase.length < MIN_PASSPHRASE) {
          throw new HomeportError('INVALID_INPUT', `passphrase: use at least ${MIN_PASSPHRASE} characters`);
        }
        await secrets.set(PASSPHRASE, input.passphrase);
        await secrets.delete(KEY_FILE);
        return;
      }
      const bytes = await readUserFile(input.keyFile, { kind: 'token', field: 'keyFile' });
      if (bytes.length < 16) {
        throw new HomeportError(
          'INVALID_INPUT',
          `keyFile: ${input.keyFile} holds ${bytes.length} bytes; use at least 16 random bytes`,
        );
      }
      await secrets.set(KEY_FILE, input.keyFile);
      await secrets.delete(PASSPHRASE);
    },
    async material() {
      const passphrase = await secrets.get(PASSPHRASE);
      if (passphrase !== undefined) return Buffer.from(passphrase, 'utf8');
      const file = await secrets.get(KEY_FILE);
      return file === undefined ? undefined : readUserFile(file, { kind: 'token', field: 'Backup key file' });
    },
  };
}
