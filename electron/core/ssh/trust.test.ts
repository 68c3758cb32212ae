import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintSha256 } from './known-hosts';
import { createSshTrust } from './trust';

/** An ssh-ed25519 public key blob, as a host presents it. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const b = Buffer.alloc(4 + type.length + 4 + raw.length);
  b.writeUInt32BE(type.length, 0);
  type.copy(b, 4);
  b.writeUInt32BE(raw.length, 4 + type.length);
  raw.copy(b, 8 + type.length);
  return b;
}

const target = (host: string, port: number) => ({ host, port, label: `NAS host '${host}'`, showAgain: 'probe it' });

describe('createSshTrust', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('trusts only the key a host:port was shown, by its fingerprint, and for that host:port only', async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeport-trust-'));
    const trust = createSshTrust({ dataDir: dir });
    const shown = ed25519Blob();
    const fingerprint = fingerprintSha256(shown);

    // Nothing was shown yet.
    await expect(trust.acceptShown(target('nas.lan', 22), fingerprint)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await trust.check('nas.lan', 22, shown)).verdict).toBe('unknown');
    expect(trust.shown('nas.lan', 22)).toMatchObject({ fingerprint, keyType: 'ssh-ed25519' });

    // Another host, or the same host on another port, has nothing waiting.
    await expect(trust.acceptShown(target('other.lan', 22), fingerprint)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(trust.acceptShown(target('nas.lan', 2222), fingerprint)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // Another fingerprint is not the key that was shown.
    await expect(trust.acceptShown(target('nas.lan', 22), fingerprintSha256(ed25519Blob()))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(readFile(trust.file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });

    // Host names compare as ssh compares them (case-insensitively).
    await trust.acceptShown(target('NAS.lan', 22), fingerprint);
    expect(await readFile(trust.file, 'utf8')).toBe(`nas.lan ssh-ed25519 ${shown.toString('base64')}\n`);
    expect((await trust.check('nas.lan', 22, shown)).verdict).toBe('match');
    expect(trust.shown('nas.lan', 22)).toBeUndefined();
    await expect(trust.acceptShown(target('nas.lan', 22), fingerprint)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('never holds a changed key for trust, and will not trust a shown key once another is recorded', async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeport-trust-'));
    const user = join(dir, 'user_known_hosts');
    const recorded = ed25519Blob();
    await writeFile(user, `[nas.lan]:2222 ssh-ed25519 ${recorded.toString('base64')}\n`);
    const trust = createSshTrust({ dataDir: join(dir, 'data'), userKnownHosts: user });

    const other = ed25519Blob();
    expect((await trust.check('nas.lan', 2222, other)).verdict).toBe('changed');
    expect(trust.shown('nas.lan', 2222)).toBeUndefined();
    await expect(trust.acceptShown(target('nas.lan', 2222), fingerprintSha256(other))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    // Shown while unknown, then the user's file records another key before the user accepts.
    const shown = ed25519Blob();
    expect((await trust.check('box.lan', 22, shown)).verdict).toBe('unknown');
    await writeFile(user, `box.lan ssh-ed25519 ${recorded.toString('base64')}\n`, { flag: 'a' });
    await expect(trust.acceptShown(target('box.lan', 22), fingerprintSha256(shown))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await trust.check('box.lan', 22, shown)).verdict).toBe('changed');
  });
});
