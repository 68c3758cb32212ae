import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createHostKeyStore } from './host-keys';
import { fingerprintSha256, hashHostName, keyTypeOf, lookup, parseKnownHosts } from './known-hosts';

const run = promisify(execFile);

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

const k1 = ed25519Blob();
const k2 = ed25519Blob();
const k3 = ed25519Blob();
const b64 = (k: Buffer) => k.toString('base64');

describe('parseKnownHosts / lookup', () => {
  it('reads plain, comma lists, [host]:port, comments and skips @cert-authority and junk', () => {
    const text = [
      '# a comment',
      '',
      `nas.lan,192.168.1.10 ssh-ed25519 ${b64(k1)} root@nas`,
      `[swarm.lan]:2222 ssh-ed25519 ${b64(k2)}`,
      `@cert-authority *.lan ssh-ed25519 ${b64(k3)}`,
      'garbage line',
      `   *.example.org,!bad.example.org ssh-ed25519 ${b64(k3)}`,
    ].join('\n');
    const entries = parseKnownHosts(text);
    expect(entries.map((e) => e.patterns)).toEqual([
      ['nas.lan', '192.168.1.10'],
      ['[swarm.lan]:2222'],
      ['*.example.org', '!bad.example.org'],
    ]);
    expect(lookup(entries, 'nas.lan', 22, 'ssh-ed25519', b64(k1))).toBe('match');
    expect(lookup(entries, 'NAS.lan', 22, 'ssh-ed25519', b64(k1))).toBe('match');
    expect(lookup(entries, '192.168.1.10', 22, 'ssh-ed25519', b64(k1))).toBe('match');
    expect(lookup(entries, 'nas.lan', 22, 'ssh-ed25519', b64(k2))).toBe('changed');
    expect(lookup(entries, 'nas.lan', 22, 'ssh-rsa', 'AAAA')).toBe('unknown');
    // A non-22 port only matches [host]:port lines, and the port matters.
    expect(lookup(entries, 'nas.lan', 2222, 'ssh-ed25519', b64(k1))).toBe('unknown');
    expect(lookup(entries, 'swarm.lan', 2222, 'ssh-ed25519', b64(k2))).toBe('match');
    expect(lookup(entries, 'swarm.lan', 22, 'ssh-ed25519', b64(k2))).toBe('unknown');
    expect(lookup(entries, 'swarm.lan', 2223, 'ssh-ed25519', b64(k2))).toBe('unknown');
    // The cert-authority line is not a host key.
    expect(lookup(entries, 'x.lan', 22, 'ssh-ed25519', b64(k3))).toBe('unknown');
    expect(lookup(entries, 'a.example.org', 22, 'ssh-ed25519', b64(k3))).toBe('match');
    expect(lookup(entries, 'bad.example.org', 22, 'ssh-ed25519', b64(k3))).toBe('unknown');
  });

  it('matches hashed entries written by ssh-keygen -H', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'homeport-kh-'));
    try {
      const file = join(dir, 'known_hosts');
      await writeFile(file, `nas.lan ssh-ed25519 ${b64(k1)}\n[10.0.0.5]:2222 ssh-ed25519 ${b64(k2)}\n`);
      await run('ssh-keygen', ['-H', '-f', file]);
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain('nas.lan');
      expect(text).toMatch(/^\|1\|/);
      const entries = parseKnownHosts(text);
      expect(entries).toHaveLength(2);
      expect(lookup(entries, 'nas.lan', 22, 'ssh-ed25519', b64(k1))).toBe('match');
      expect(lookup(entries, 'nas.lan', 22, 'ssh-ed25519', b64(k2))).toBe('changed');
      expect(lookup(entries, '10.0.0.5', 2222, 'ssh-ed25519', b64(k2))).toBe('match');
      expect(lookup(entries, '10.0.0.5', 22, 'ssh-ed25519', b64(k2))).toBe('unknown');
      expect(lookup(entries, 'other.lan', 22, 'ssh-ed25519', b64(k1))).toBe('unknown');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('hashHostName round-trips', () => {
    const line = `${hashHostName('[h.lan]:2200', Buffer.alloc(20, 7))} ssh-ed25519 ${b64(k1)}`;
    expect(lookup(parseKnownHosts(line), 'h.lan', 2200, 'ssh-ed25519', b64(k1))).toBe('match');
  });

  it('a revoked key never matches, whatever the line order', () => {
    const entries = parseKnownHosts(
      [
        `nas.lan ssh-ed25519 ${b64(k1)}`,
        `@revoked nas.lan ssh-ed25519 ${b64(k1)}`,
        `nas.lan ssh-ed25519 ${b64(k2)}`,
      ].join('\n'),
    );
    expect(lookup(entries, 'nas.lan', 22, 'ssh-ed25519', b64(k1))).toBe('revoked');
    expect(lookup(entries, 'nas.lan', 22, 'ssh-ed25519', b64(k2))).toBe('match');
    expect(lookup(entries, 'nas.lan', 22, 'ssh-ed25519', b64(k3))).toBe('changed');
  });
});

describe('fingerprintSha256', () => {
  it('equals ssh-keygen -lf', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'homeport-fp-'));
    try {
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
      const pub = (await readFile(join(dir, 'k.pub'), 'utf8')).split(' ');
      const blob = Buffer.from(pub[1]!, 'base64');
      const { stdout } = await run('ssh-keygen', ['-lf', join(dir, 'k.pub')]);
      expect(fingerprintSha256(blob)).toBe(stdout.split(' ')[1]);
      expect(keyTypeOf(blob)).toBe('ssh-ed25519');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('createHostKeyStore', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('accept writes an OpenSSH line 0600; either file is honoured; a change in either is refused', async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeport-hk-'));
    const user = join(dir, 'user_known_hosts');
    const own = join(dir, 'data', 'known_hosts');
    await writeFile(user, `${hashHostName('user.lan', Buffer.alloc(20, 1))} ssh-ed25519 ${b64(k1)}\n`);
    const store = createHostKeyStore({ file: own, userKnownHosts: user });

    expect(await store.check('user.lan', 22, k1)).toMatchObject({ verdict: 'match', source: user });
    expect(await store.check('user.lan', 22, k2)).toMatchObject({
      verdict: 'changed',
      source: user,
      expected: [fingerprintSha256(k1)],
      fingerprint: fingerprintSha256(k2),
    });
    expect(await store.check('nas.lan', 2222, k2)).toEqual({
      verdict: 'unknown',
      fingerprint: fingerprintSha256(k2),
      keyType: 'ssh-ed25519',
    });

    await store.accept('nas.lan', 2222, k2);
    await store.accept('nas.lan', 2222, k2); // idempotent
    expect(await readFile(own, 'utf8')).toBe(`[nas.lan]:2222 ssh-ed25519 ${b64(k2)}\n`);
    expect((await stat(own)).mode & 0o777).toBe(0o600);
    expect((await store.check('nas.lan', 2222, k2)).verdict).toBe('match');
    // ssh itself reads the line.
    const { stdout } = await run('ssh-keygen', ['-F', '[nas.lan]:2222', '-f', own]);
    expect(stdout).toContain(b64(k2));

    // Accepting a new key after a confirmed change replaces Homeport's own line...
    await store.accept('nas.lan', 2222, k3);
    expect(await readFile(own, 'utf8')).toBe(`[nas.lan]:2222 ssh-ed25519 ${b64(k3)}\n`);
    // ...but a changed key in the user's file still wins.
    await store.accept('user.lan', 22, k2);
    expect((await store.check('user.lan', 22, k2)).verdict).toBe('changed');

    await expect(store.accept('evil\nhost', 22, k1)).rejects.toThrow(/not a host name/);
  });

  it('refuses to accept a revoked key', async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeport-hk-'));
    const user = join(dir, 'user_known_hosts');
    await writeFile(user, `@revoked * ssh-ed25519 ${b64(k1)}\n`);
    const store = createHostKeyStore({ file: join(dir, 'known_hosts'), userKnownHosts: user });
    expect((await store.check('a.lan', 22, k1)).verdict).toBe('revoked');
    await expect(store.accept('a.lan', 22, k1)).rejects.toThrow(/revoked/);
  });
});
