import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretStore } from '../secrets/secret-store';
import { createRegistries } from './registries';
import { encodeRegistryAuth, registryOfImage } from './registry-auth';

/** What the engine does with the header: base64url with padding, then JSON. */
const decode = (header: string | undefined) =>
  header === undefined ? undefined : (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as unknown);

describe('the registry an image names', () => {
  it('is docker.io for bare names, else the first component when it looks like a host', () => {
    expect(registryOfImage('postgres:18-alpine')).toBe('docker.io');
    expect(registryOfImage('rustfs/rustfs:latest')).toBe('docker.io');
    expect(registryOfImage('docker.io/library/postgres')).toBe('docker.io');
    expect(registryOfImage('index.docker.io/me/app:1')).toBe('docker.io');
    expect(registryOfImage('ghcr.io/lusoris/revenge:latest')).toBe('ghcr.io');
    expect(registryOfImage('Registry.NAS.lan:5000/team/app@sha256:abc')).toBe('registry.nas.lan:5000');
    expect(registryOfImage('localhost/app')).toBe('localhost');
    expect(registryOfImage('localhost:5000/app:1')).toBe('localhost:5000');
  });

  it('encodes the header as base64url JSON with padding, as the engine decodes it', () => {
    const header = encodeRegistryAuth({ username: 'me', password: 'p?>>~', serveraddress: 'ghcr.io' });
    expect(header).not.toMatch(/[+/]/);
    expect(header.length % 4).toBe(0);
    expect(decode(header)).toEqual({ username: 'me', password: 'p?>>~', serveraddress: 'ghcr.io' });
  });
});

describe('registry credentials', () => {
  let dir: string;
  let home: string;
  let bin: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeport-registries-'));
    home = join(dir, 'home');
    bin = join(dir, 'bin');
    await mkdir(join(home, '.docker'), { recursive: true });
    await mkdir(bin);
    env = { HOME: home, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const registries = () =>
    createRegistries({ dataDir: join(dir, 'data'), secrets: createSecretStore({ dataDir: join(dir, 'data') }), env });
  const dockerConfig = (config: unknown) => writeFile(join(home, '.docker', 'config.json'), JSON.stringify(config));
  /** A credential helper that records its arguments and stdin, and answers like docker-credential-pass. */
  const helper = (name: string, answers: Record<string, { Username: string; Secret: string }>) =>
    writeFile(
      join(bin, `docker-credential-${name}`),
      [
        '#!/bin/sh',
        `log=${JSON.stringify(join(dir, `${name}.log`))}`,
        'server=$(cat)',
        'printf "%s|%s\\n" "$*" "$server" >> "$log"',
        'case "$server" in',
        ...Object.entries(answers).map(
          ([server, a]) =>
            `  ${JSON.stringify(server)}) printf '%s' ${JSON.stringify(JSON.stringify({ ServerURL: server, ...a }))} ;;`,
        ),
        '  *) echo "credentials not found in native keychain"; exit 1 ;;',
        'esac',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  const helperLog = async (name: string) =>
    (await readFile(join(dir, `${name}.log`), 'utf8').catch(() => '')).split('\n').filter(Boolean);

  it('reads plain auth entries and identity tokens from ~/.docker/config.json', async () => {
    await dockerConfig({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass').toString('base64') },
        'registry.nas.lan:5000': { identitytoken: 'refresh-token' },
      },
    });
    const r = registries();
    expect(decode(await r.authHeader('postgres:18'))).toEqual({
      username: 'hubuser',
      password: 'hub:pass',
      serveraddress: 'https://index.docker.io/v1/',
    });
    expect(decode(await r.authHeader('registry.nas.lan:5000/app:1'))).toEqual({
      identitytoken: 'refresh-token',
      serveraddress: 'registry.nas.lan:5000',
    });
    expect(await r.authHeader('ghcr.io/me/app')).toBeUndefined();
    expect(await r.list()).toEqual([
      { host: 'docker.io', username: 'hubuser', source: 'docker-config' },
      { host: 'registry.nas.lan:5000', source: 'docker-config' },
    ]);
  });

  it('runs the credential helper of the registry (credHelpers) and the default store (credsStore)', async () => {
    await helper('ghcr', { 'ghcr.io': { Username: 'gh-user', Secret: 'gh-token' } });
    await helper('store', {
      'https://index.docker.io/v1/': { Username: '<token>', Secret: 'hub-identity' },
    });
    await dockerConfig({ credsStore: 'store', credHelpers: { 'ghcr.io': 'ghcr' }, auths: { 'quay.io': {} } });
    const r = registries();
    expect(decode(await r.authHeader('ghcr.io/me/app:1'))).toEqual({
      username: 'gh-user',
      password: 'gh-token',
      serveraddress: 'ghcr.io',
    });
    expect(decode(await r.authHeader('me/private'))).toEqual({
      identitytoken: 'hub-identity',
      serveraddress: 'https://index.docker.io/v1/',
    });
    // The store has nothing for quay.io: anonymous.
    expect(await r.authHeader('quay.io/org/app')).toBeUndefined();
    expect(await helperLog('ghcr')).toEqual(['get|ghcr.io']);
    expect(await helperLog('store')).toEqual(['get|https://index.docker.io/v1/', 'get|quay.io']);
    expect(await r.list()).toEqual([
      { host: 'ghcr.io', source: 'docker-config', helper: 'ghcr' },
      { host: 'quay.io', source: 'docker-config', helper: 'store' },
    ]);
  });

  it('names a missing helper of a registry, and ignores a missing default store', async () => {
    await dockerConfig({
      credsStore: 'desktop',
      credHelpers: { 'ghcr.io': 'gone' },
      auths: { 'registry.nas.lan': { auth: Buffer.from('u:p').toString('base64') } },
    });
    const r = registries();
    await expect(r.authHeader('ghcr.io/me/app')).rejects.toThrow(
      /^Registry credential for ghcr\.io \(image ghcr\.io\/me\/app\): .*docker-credential-gone is not on PATH/,
    );
    expect(await r.authHeader('postgres')).toBeUndefined();
    expect(decode(await r.authHeader('registry.nas.lan/app'))).toMatchObject({ username: 'u', password: 'p' });
  });

  it('keeps a saved password only in the secret store, and prefers it to the docker login', async () => {
    await dockerConfig({ auths: { 'ghcr.io': { auth: Buffer.from('docker-user:docker-pass').toString('base64') } } });
    const r = registries();
    await r.add({ host: 'GHCR.io', username: 'saved-user', secret: 'saved-token-123' });
    expect(decode(await r.authHeader('ghcr.io/me/app'))).toEqual({
      username: 'saved-user',
      password: 'saved-token-123',
      serveraddress: 'ghcr.io',
    });
    const file = join(dir, 'data', 'docker-registries.json');
    expect(await readFile(file, 'utf8')).not.toContain('saved-token-123');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'data', 'secrets.json'), 'utf8')).not.toContain('saved-token-123');
    expect(await r.list()).toEqual([{ host: 'ghcr.io', username: 'saved-user', source: 'saved' }]);
    expect(JSON.stringify(await r.list())).not.toContain('saved-token');

    await expect(r.add({ host: 'ghcr.io', username: 'x', secret: 'y' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(r.add({ host: 'ghcr.io/path', username: 'x', secret: 'y' })).rejects.toThrow(/^'host': registry:/);
    await r.remove('ghcr.io');
    expect(decode(await r.authHeader('ghcr.io/me/app'))).toMatchObject({ username: 'docker-user' });
    expect(await readFile(join(dir, 'data', 'secrets.json'), 'utf8')).not.toContain('registry/ghcr.io');
    await expect(r.remove('ghcr.io')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
