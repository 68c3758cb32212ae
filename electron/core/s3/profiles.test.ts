import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { s3ProfileSchema } from '@shared/storage-schemas';
import { createSecretStore } from '../secrets/secret-store';
import { createS3Profiles } from './profiles';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'homeport-s3-profiles-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const make = () => createS3Profiles({ dataDir: dir, secrets: createSecretStore({ dataDir: dir }) });

describe('S3 profiles', () => {
  it('saves the profile without its secret, which stays in the secret store', async () => {
    const profiles = make();
    const saved = await profiles.add({
      name: 'nas',
      endpoint: 'https://s3.nas.lan:9000/',
      accessKeyId: 'homeport',
      secretAccessKey: SECRET,
    });
    expect(saved).toEqual({
      profile: {
        name: 'nas',
        endpoint: 'https://s3.nas.lan:9000',
        region: 'us-east-1',
        pathStyle: true,
        accessKeyId: 'homeport',
      },
      warnings: [],
    });
    const file = await readFile(join(dir, 's3-profiles.json'), 'utf8');
    expect(file).not.toContain(SECRET);
    expect((await stat(join(dir, 's3-profiles.json'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'secrets.json'), 'utf8')).not.toContain(SECRET);

    const listed = await profiles.list();
    expect(listed).toEqual([saved.profile]);
    expect(JSON.stringify(listed)).not.toContain(SECRET);
    for (const p of listed) expect(s3ProfileSchema.strict().parse(p)).toEqual(p);

    expect(await profiles.credentials('nas')).toEqual({
      endpoint: 'https://s3.nas.lan:9000',
      region: 'us-east-1',
      pathStyle: true,
      accessKeyId: 'homeport',
      secretAccessKey: SECRET,
    });
  });

  it('names the field that is wrong', async () => {
    const profiles = make();
    const base = { name: 'nas', endpoint: 'https://s3.nas.lan', accessKeyId: 'k', secretAccessKey: 's' };
    await expect(profiles.add({ ...base, name: 'My NAS' })).rejects.toThrow(/^'name': /);
    await expect(profiles.add({ ...base, endpoint: 'ftp://nas' })).rejects.toThrow(/^'endpoint': .*https:\/\//);
    await expect(profiles.add({ ...base, endpoint: 'nas.lan:9000' })).rejects.toThrow(/^'endpoint': /);
    await expect(profiles.add({ ...base, endpoint: 'https://a:b@nas' })).rejects.toThrow(/^'endpoint': .*credentials/);
    await expect(profiles.add({ ...base, region: 'us east' })).rejects.toThrow(/^'region': /);
    await expect(profiles.add({ ...base, accessKeyId: '' })).rejects.toThrow(/^'accessKeyId': /);
    await expect(profiles.add({ ...base, secretAccessKey: '' })).rejects.toThrow(/^'secretAccessKey': /);
    await expect(profiles.add({ ...base, endpoint: 'https://192.168.1.5:9000', pathStyle: false })).rejects.toThrow(
      /^'pathStyle': /,
    );
    expect(await profiles.list()).toEqual([]);
  });

  it('flags plain http to another machine, not to loopback', async () => {
    const profiles = make();
    const remote = await profiles.add({
      name: 'lan',
      endpoint: 'http://192.168.1.5:9000',
      accessKeyId: 'k',
      secretAccessKey: 's',
    });
    expect(remote.warnings[0]).toMatch(/plain http/);
    const local = await profiles.add({
      name: 'local',
      endpoint: 'http://127.0.0.1:9000',
      accessKeyId: 'k',
      secretAccessKey: 's',
    });
    expect(local.warnings).toEqual([]);
  });

  it('refuses a duplicate name, keeps the secret on update unless given, removes the secret with the profile', async () => {
    const secrets = createSecretStore({ dataDir: dir });
    const profiles = createS3Profiles({ dataDir: dir, secrets });
    await profiles.add({ name: 'nas', endpoint: 'https://nas', accessKeyId: 'k', secretAccessKey: 'first' });
    await expect(
      profiles.add({ name: 'nas', endpoint: 'https://other', accessKeyId: 'k', secretAccessKey: 'second' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await profiles.credentials('nas')).secretAccessKey).toBe('first');

    await profiles.update('nas', { region: 'garage', pathStyle: true });
    expect(await profiles.credentials('nas')).toMatchObject({ region: 'garage', secretAccessKey: 'first' });
    await profiles.update('nas', { secretAccessKey: 'third' });
    expect((await profiles.credentials('nas')).secretAccessKey).toBe('third');
    await expect(profiles.update('nas', { endpoint: 'nope' })).rejects.toThrow(/^'endpoint': /);
    await expect(profiles.update('gone', { region: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await profiles.remove('nas');
    expect(await profiles.list()).toEqual([]);
    expect(await secrets.has('s3/nas/secret-key')).toBe(false);
    await expect(profiles.credentials('nas')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(profiles.remove('nas')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
