import { describe, expect, it } from 'vitest';
import { decryptSecrets, encryptSecrets } from './crypto';

describe('the encrypted secrets of a backup', () => {
  const plain = Buffer.from(JSON.stringify({ 'revenge-secrets': { 'database-password': 's3cr3t-value' } }));
  const key = Buffer.from('correct horse battery staple');

  it('opens only with the key it was sealed with, and holds no plain value', async () => {
    const sealed = await encryptSecrets(plain, key);
    expect(sealed.includes(Buffer.from('s3cr3t-value'))).toBe(false);
    expect(await decryptSecrets(sealed, key, 'secrets.enc')).toEqual(plain);
    // A fresh salt and IV each time: two backups of the same secrets differ.
    expect((await encryptSecrets(plain, key)).equals(sealed)).toBe(false);
    await expect(decryptSecrets(sealed, Buffer.from('wrong passphrase!!'), 'The secrets of backup b')).rejects.toThrow(
      'The secrets of backup b does not open with the backup passphrase or key file set now: set the one this backup was made with',
    );
  });

  it('refuses a damaged or foreign file', async () => {
    const sealed = await encryptSecrets(plain, key);
    const flipped = Buffer.from(sealed);
    flipped.writeUInt8((flipped.readUInt8(flipped.length - 20) ^ 1) & 0xff, flipped.length - 20);
    await expect(decryptSecrets(flipped, key, 'secrets.enc')).rejects.toThrow(/does not open/);
    await expect(decryptSecrets(Buffer.from('{"plain": true}'), key, 'secrets.enc')).rejects.toThrow(
      'secrets.enc is not an encrypted Homeport secrets file (damaged?)',
    );
  });
});
