import { safeStorage } from 'electron';
import type { SecretCipher } from '../core/secrets/secret-store';

/**
 * The desktop's cipher for stored credentials: Electron's safeStorage (Keychain, DPAPI, or the
 * Secret Service / kwallet on Linux). Undefined when the OS offers no such store; Homeport then
 * falls back to its key file, as in web mode.
 */
export function safeStorageCipher(): SecretCipher | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  // On Linux without a keyring, Electron "encrypts" with a hard-coded key: no better than the key file.
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return undefined;
  return {
    kind: 'safe-storage',
    encrypt: async (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: async (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
