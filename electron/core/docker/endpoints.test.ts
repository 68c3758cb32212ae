import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEndpointUrl, validateEndpoint } from './endpoint-url';
import { createSshTrust } from '../ssh/trust';
import { createDockerEndpoints, envEndpoint } from './endpoints';

describe('endpoint URLs', () => {
  it('parses unix, tcp and ssh', () => {
    expect(parseEndpointUrl('unix:///var/run/docker.sock')).toEqual({
      kind: 'unix',
      socketPath: '/var/run/docker.sock',
    });
    expect(parseEndpointUrl('tcp://10.0.0.5:2376')).toEqual({
      kind: 'tcp',
      host: '10.0.0.5',
      port: 2376,
      loopback: false,
    });
    expect(parseEndpointUrl('tcp://127.0.0.1:2375')).toMatchObject({ loopback: true });
    expect(parseEndpointUrl('tcp://[::1]:2375')).toMatchObject({ host: '::1', loopback: true });
    expect(parseEndpointUrl('ssh://ops@nas.lan')).toEqual({
      kind: 'ssh',
      user: 'ops',
      host: 'nas.lan',
      port: 22,
      explicitPort: false,
      socketPath: '/var/run/docker.sock',
    });
    expect(parseEndpointUrl('ssh://ops@nas.lan:2222/run/user/1000/docker.sock')).toEqual({
      kind: 'ssh',
      user: 'ops',
      host: 'nas.lan',
      port: 2222,
      explicitPort: true,
      socketPath: '/run/user/1000/docker.sock',
    });
    // No user: ~/.ssh/config's User for the host, else the local user, as ssh does.
    expect(parseEndpointUrl('ssh://nas')).toEqual({
      kind: 'ssh',
      host: 'nas',
      port: 22,
      explicitPort: false,
      socketPath: '/var/run/docker.sock',
    });
  });

  it('names the field and the fix', () => {
    expect(() => parseEndpointUrl('unix://var/run/docker.sock')).toThrow(
      /'Docker endpoint URL': .*absolute socket path.*three slashes/,
    );
    expect(() => parseEndpointUrl('tcp://nas.lan')).toThrow(
      /'Docker endpoint URL': .*has no port: add it, for example tcp:\/\/nas.lan:2376/,
    );
    expect(() => parseEndpointUrl('tcp://nas.lan:99999')).toThrow(
      /'Docker endpoint URL': port "99999" is not a number from 1 to 65535/,
    );
    expect(() => parseEndpointUrl('ssh://ops@nas.lan:ssh')).toThrow(
      /'Docker endpoint URL': port "ssh" is not a number/,
    );
    expect(() => parseEndpointUrl('ssh://a@b@nas.lan')).toThrow(
      /'Docker endpoint URL': .*is not ssh:\/\/\[user@\]host/,
    );
    expect(() => parseEndpointUrl('https://nas.lan:2376')).toThrow(
      /'Docker endpoint URL': .*write tcp:\/\/host:port instead/,
    );
    expect(() => parseEndpointUrl('')).toThrow(/'Docker endpoint URL': enter unix:/);
    expect(() => parseEndpointUrl('nas.lan')).toThrow(/'Docker endpoint URL': .*is not a Docker endpoint URL/);
  });

  it('requires TLS for a remote tcp host, all three files, and fitting options', () => {
    expect(() => validateEndpoint({ name: 'nas', url: 'tcp://10.0.0.5:2376' })).toThrow(/'tls': .*needs TLS/);
    expect(validateEndpoint({ name: 'local', url: 'tcp://127.0.0.1:2375' }).endpoint).toEqual({
      name: 'local',
      url: 'tcp://127.0.0.1:2375',
    });
    expect(() =>
      validateEndpoint({
        name: 'nas',
        url: 'tcp://10.0.0.5:2376',
        tls: { caFile: '/c/ca.pem', certFile: '', keyFile: '/c/key.pem' },
      }),
    ).toThrow(/'tls.certFile': TLS needs all three files/);
    expect(() =>
      validateEndpoint({
        name: 'nas',
        url: 'tcp://10.0.0.5:2376',
        tls: { caFile: 'ca.pem', certFile: '/c', keyFile: '/k' },
      }),
    ).toThrow(/'tls.caFile': 'ca.pem' is relative/);
    expect(() =>
      validateEndpoint({ name: 'nas', url: 'unix:///d.sock', tls: { caFile: '/a', certFile: '/c', keyFile: '/k' } }),
    ).toThrow(/'tls': TLS files apply to tcp:\/\/ endpoints only/);
    expect(() => validateEndpoint({ name: 'nas', url: 'unix:///d.sock', sshKeyFile: '/k' })).toThrow(/'sshKeyFile'/);
    expect(() => validateEndpoint({ name: 'Nas_1', url: 'unix:///d.sock' })).toThrow(
      /'name': "Nas_1" has upper-case letters: use 1 to 63 lowercase/,
    );
    expect(() => validateEndpoint({ name: 'a'.repeat(64), url: 'unix:///d.sock' })).toThrow(/'name'/);
    expect(() => validateEndpoint({ name: '-nas', url: 'unix:///d.sock' })).toThrow(/'name'/);
  });

  it('reads $DOCKER_HOST with its TLS settings', () => {
    expect(envEndpoint({})).toBeUndefined();
    expect(
      envEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }),
    ).toEqual({
      name: 'env',
      url: 'tcp://10.0.0.5:2376',
      tls: { caFile: '/certs/ca.pem', certFile: '/certs/cert.pem', keyFile: '/certs/key.pem' },
    });
  });
});

describe('saved endpoints', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeport-endpoints-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('adds, lists and removes; refuses duplicates; keeps the file 0600', async () => {
    const endpoints = createDockerEndpoints({
      dataDir: dir,
      trust: createSshTrust({ dataDir: dir }),
      env: { DOCKER_HOST: 'unix:///run/docker.sock' },
    });
    await endpoints.add({ name: 'nas', url: 'ssh://ops@nas.lan' });
    await expect(endpoints.add({ name: 'nas', url: 'unix:///x.sock' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(endpoints.add({ name: 'env', url: 'unix:///x.sock' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await endpoints.list()).toEqual([
      { name: 'env', url: 'unix:///run/docker.sock', source: 'env' },
      { name: 'nas', url: 'ssh://ops@nas.lan', source: 'saved' },
    ]);
    expect((await stat(join(dir, 'docker-endpoints.json'))).mode & 0o777).toBe(0o600);
    await expect(endpoints.remove('env')).rejects.toThrow(/comes from \$DOCKER_HOST/);
    await endpoints.remove('nas');
    await expect(endpoints.remove('nas')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await endpoints.list()).map((e) => e.name)).toEqual(['env']);
  });

  it('names a missing TLS file at connect time', async () => {
    const endpoints = createDockerEndpoints({ dataDir: dir, trust: createSshTrust({ dataDir: dir }), env: {} });
    await endpoints.add({
      name: 'nas',
      url: 'tcp://10.0.0.5:2376',
      tls: { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
    });
    const result = await endpoints.test('nas');
    expect(result).toMatchObject({ status: 'failed', reason: 'config' });
    expect(result.status === 'failed' && result.message).toMatch(
      /Endpoint 'nas': 'tls.caFile' .*ca.pem does not exist/,
    );
  });

  it('reports an invalid $DOCKER_HOST as a config failure', async () => {
    const endpoints = createDockerEndpoints({
      dataDir: dir,
      trust: createSshTrust({ dataDir: dir }),
      env: { DOCKER_HOST: 'tcp://nas.lan' },
    });
    expect(await endpoints.test('env')).toMatchObject({ status: 'failed', reason: 'config' });
  });
});
