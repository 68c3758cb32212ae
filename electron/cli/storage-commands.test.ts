import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../core/ssh/testing/sshd';
import { runNas, runS3, type StorageIo } from './storage-commands';

function recorder(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: StorageIo = { out: (l) => out.push(l), err: (l) => err.push(l), secrets: { env } };
  return { io, out: () => out.join('\n'), err: () => err.join('\n') };
}

describe('homeport s3', () => {
  let server: S3rver;
  let endpoint: string;
  let dataDir: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeport-s3-cli-'));
    await mkdir(join(dir, 's3'));
    server = new S3rver({ address: '127.0.0.1', port: 0, directory: join(dir, 's3'), silent: true });
    endpoint = `http://127.0.0.1:${(await server.run()).port}`;
    dataDir = join(dir, 'data');
  });
  afterAll(async () => server?.close());

  it('takes the secret key from the environment only, and never prints or stores it in clear', async () => {
    // A secret on the command line is refused as an unknown option.
    await expect(
      runS3(
        ['add', 'nas', '--endpoint', endpoint, '--access-key-id', 'S3RVER', '--secret-access-key', 'S3RVER'],
        recorder().io,
      ),
    ).rejects.toThrow(/Unknown option '--secret-access-key'/);
    // Without the variable and without a terminal, it says which variable to set.
    await expect(
      runS3(['add', 'nas', '--endpoint', endpoint, '--access-key-id', 'S3RVER', '--data-dir', dataDir], recorder().io),
    ).rejects.toThrow('set HOMEPORT_S3_SECRET_KEY');
    let r = recorder({ HOMEPORT_S3_SECRET_KEY: 'S3RVER' });
    expect(
      await runS3(['add', 'nas', '--endpoint', endpoint, '--access-key-id', 'S3RVER', '--data-dir', dataDir], r.io),
    ).toBe(0);
    expect(readFileSync(join(dataDir, 's3-profiles.json'), 'utf8')).not.toMatch(/"secret/i);
    r = recorder();
    expect(await runS3(['list', '--data-dir', dataDir], r.io)).toBe(0);
    expect(r.out()).toMatch(/^nas\s+http:\/\/127\.0\.0\.1:\d+\s+us-east-1\s+path\s+S3RVER$/m);
    r = recorder();
    expect(await runS3(['test', 'nas', '--data-dir', dataDir], r.io)).toBe(0);
    expect(r.out()).toContain('nas: connected · 0 buckets');
  });

  it('creates, lists and removes a bucket', async () => {
    let r = recorder();
    expect(await runS3(['mb', 'nas', 'avatars', '--data-dir', dataDir], r.io)).toBe(0);
    r = recorder();
    expect(await runS3(['buckets', 'nas', '--data-dir', dataDir], r.io)).toBe(0);
    expect(r.out()).toBe('avatars');
    r = recorder();
    expect(await runS3(['mb', 'nas', 'avatars', '--data-dir', dataDir], r.io)).toBe(0);
    expect(r.out()).toContain('exists already');
    expect(await runS3(['rb', 'nas', 'avatars', '--data-dir', dataDir], recorder().io)).toBe(0);
    await expect(runS3(['mb', 'nas', 'Bad_Name', '--data-dir', dataDir], recorder().io)).rejects.toThrow('Bad_Name');
  });
});

describe('homeport nas', () => {
  let sshd: TestSshd;
  let dataDir: string;
  let keyFile: string;
  const exportDir = `/srv/homeport-cli-${process.pid}`;
  beforeAll(async () => {
    sshd = await startSshd();
    const dir = mkdtempSync(join(tmpdir(), 'homeport-nas-cli-'));
    dataDir = join(dir, 'data');
    keyFile = join(dir, 'id');
    writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
  }, 30_000);
  afterAll(async () => {
    await runNas(['unexport', 'box', 'cli-media', '--data-dir', dataDir], recorder().io).catch(() => 1);
    await rm(exportDir, { recursive: true, force: true });
    await sshd?.close();
  });

  it('adds a host, shows the unknown host key, trusts it by fingerprint, exports a directory', async () => {
    const base = ['--data-dir', dataDir];
    let r = recorder();
    const add = [
      'add',
      'box',
      '--address',
      sshd.host,
      '--port',
      String(sshd.port),
      '--user',
      sshd.user,
      '--key',
      keyFile,
    ];
    expect(await runNas([...add, ...base], r.io)).toBe(0);
    r = recorder();
    expect(await runNas(['probe', 'box', ...base], r.io)).toBe(1);
    expect(r.err()).toContain(sshd.hostKeyFingerprint);
    r = recorder();
    expect(await runNas(['probe', 'box', '--trust', sshd.hostKeyFingerprint, ...base], r.io)).toBe(0);
    expect(r.out()).toContain('Privilege: sudo');
    r = recorder();
    const exp = ['export', 'box', 'cli-media', '--path', exportDir, '--clients', '127.0.0.1'];
    expect(await runNas([...exp, ...base], r.io)).toBe(0);
    expect(r.out()).toMatch(/cli-media\s+\/srv\/homeport-cli-\d+\s+127\.0\.0\.1\s+ro,root_squash\s+active/);
    r = recorder();
    expect(await runNas(['unexport', 'box', 'cli-media', ...base], r.io)).toBe(0);
    r = recorder();
    expect(await runNas(['exports', 'box', ...base], r.io)).toBe(0);
    expect(r.out()).toContain("No exports made by Homeport on 'box'");
  }, 60_000);

  it('needs exactly one way to log in, and a password only from the environment', async () => {
    const add = ['add', 'pw', '--address', '127.0.0.1', '--user', 'admin', '--data-dir', dataDir];
    await expect(runNas(add, recorder().io)).rejects.toThrow('exactly one of --key FILE, --agent or --password');
    await expect(runNas([...add, '--password'], recorder().io)).rejects.toThrow('set HOMEPORT_NAS_PASSWORD');
    expect(await runNas([...add, '--password'], recorder({ HOMEPORT_NAS_PASSWORD: 'hunter2' }).io)).toBe(0);
    expect(readFileSync(join(dataDir, 'nas-hosts.json'), 'utf8')).not.toContain('hunter2');
  });
});
