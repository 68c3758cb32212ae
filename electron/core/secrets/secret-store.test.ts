import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeyFileCipher, createSecretStore } from './secret-store';

const dir = () => mkdtempSync(join(tmpdir(), 'homeport-secrets-'));

describe('secret store', () => {
  it('keeps values encrypted in a 0600 file with a 0600 key, and reads them back', async () => {
    const dataDir = dir();
    const store = createSecretStore({ dataDir });
    await store.set('s3/nas/secret-key', 'wJalrXUtnFEMI/K7MDENG');
    await store.set('nas/box/password', 'hunter2');
    expect(await store.get('s3/nas/secret-key')).toBe('wJalrXUtnFEMI/K7MDENG');
    expect(await store.has('nas/box/password')).toBe(true);
    const file = readFileSync(join(dataDir, 'secrets.json'), 'utf8');
    expect(file).not.toContain('wJalrXUtnFEMI');
    expect(file).not.toContain('hunter2');
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    // A second store (a restart) reads the same values with the same key file.
    expect(await createSecretStore({ dataDir }).get('nas/box/password')).toBe('hunter2');
    await store.delete('nas/box/password');
    expect(await store.get('nas/box/password')).toBeUndefined();
    expect(await store.get('s3/nas/secret-key')).toBe('wJalrXUtnFEMI/K7MDENG');
  });

  it('says so when the key no longer fits, instead of returning garbage', async () => {
    const dataDir = dir();
    await createSecretStore({ dataDir }).set('x', 'value');
    writeFileSync(join(dataDir, 'secret.key'), Buffer.alloc(32, 7).toString('base64'));
    await expect(createSecretStore({ dataDir }).get('x')).rejects.toThrow(
      /cannot be decrypted .*enter the credential again/,
    );
  });

  it('reads values the key file sealed when a desktop cipher is in use, and seals new ones with it', async () => {
    const dataDir = dir();
    await createSecretStore({ dataDir }).set('old', 'from web mode');
    const reversing = {
      kind: 'safe-storage' as const,
      encrypt: async (p: string) => [...p].reverse().join(''),
      decrypt: async (s: string) => [...s].reverse().join(''),
    };
    const desktop = createSecretStore({ dataDir, cipher: reversing });
    expect(await desktop.get('old')).toBe('from web mode');
    await desktop.set('new', 'abc');
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toContain('safe-storage|cba');
    await expect(createSecretStore({ dataDir }).get('new')).rejects.toThrow(/sealed with the desktop's safe-storage/);
  });

  it('ends with one key when two instances create it at once, so both sealed values stay readable', async () => {
    const dataDir = dir();
    const [a, b] = [createKeyFileCipher(dataDir), createKeyFileCipher(dataDir)];
    const [sealedA, sealedB] = await Promise.all([a.encrypt('from a'), b.encrypt('from b')]);
    const later = createKeyFileCipher(dataDir);
    expect(await later.decrypt(sealedA)).toBe('from a');
    expect(await later.decrypt(sealedB)).toBe('from b');
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
  });

  it('seals each value with its own nonce', async () => {
    const cipher = createKeyFileCipher(dir());
    const a = await cipher.encrypt('same');
    const b = await cipher.encrypt('same');
    expect(a).not.toBe(b);
    expect(await cipher.decrypt(a)).toBe('same');
  });
});
