import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretStore } from '../core/secrets/secret-store';
import { createRegistries } from '../core/docker/registries';
import { runRegistry } from './registry-commands';
import type { StorageIo } from './storage-commands';

let dir: string;
let home: string;
let dataDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'homeport-registry-cli-'));
  home = join(dir, 'home');
  dataDir = join(dir, 'data');
  await mkdir(join(home, '.docker'), { recursive: true });
  await writeFile(
    join(home, '.docker', 'config.json'),
    JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') } } }),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function recorder(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: StorageIo = { out: (l) => out.push(l), err: (l) => err.push(l), secrets: { env: { HOME: home, ...env } } };
  return { io, out: () => out.join('\n'), err: () => err.join('\n') };
}

describe('homeport registry', () => {
  it('saves a credential with the secret from the environment only, lists it without the secret, removes it', async () => {
    await expect(runRegistry(['add', 'ghcr.io', '--username', 'me', '--password', 'x'], recorder().io)).rejects.toThrow(
      /Unknown option '--password'/,
    );
    await expect(
      runRegistry(['add', 'ghcr.io', '--username', 'me', '--data-dir', dataDir], recorder().io),
    ).rejects.toThrow('set HOMEPORT_REGISTRY_PASSWORD');

    let r = recorder({ HOMEPORT_REGISTRY_PASSWORD: 'ghp_cli_token' });
    expect(await runRegistry(['add', 'GHCR.io', '--username', 'me', '--data-dir', dataDir], r.io)).toBe(0);
    expect(r.out()).toContain('for ghcr.io');
    expect(await readFile(join(dataDir, 'docker-registries.json'), 'utf8')).not.toContain('ghp_cli_token');

    r = recorder();
    expect(await runRegistry(['list', '--data-dir', dataDir], r.io)).toBe(0);
    expect(r.out()).toBe('ghcr.io  me  saved\ndocker.io  hub  docker login');
    expect(r.out()).not.toContain('ghp_cli_token');

    const registries = createRegistries({ dataDir, secrets: createSecretStore({ dataDir }), env: { HOME: home } });
    const header = await registries.authHeader('ghcr.io/me/app:1');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8'))).toMatchObject({
      username: 'me',
      password: 'ghp_cli_token',
    });

    r = recorder();
    expect(await runRegistry(['remove', 'ghcr.io', '--data-dir', dataDir], r.io)).toBe(0);
    expect(await registries.authHeader('ghcr.io/me/app:1')).toBeUndefined();
    await expect(runRegistry(['remove', 'ghcr.io', '--data-dir', dataDir], recorder().io)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
