import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endpointTestSchema } from '@shared/swarm-schemas';
import { createSshTrust } from '../ssh/trust';
import { chooseApiVersion, MAX_DOCKER_API_VERSION, MIN_DOCKER_API_VERSION } from './api-version';
import { createDockerClient } from './client';
import { createDockerEndpoints } from './endpoints';
import { startFakeEngine, type FakeEngine } from './testing/fake-engine';

describe('choosing the Engine API version', () => {
  it('takes the older of the engine and Homeport, and refuses engines older than Homeport needs', () => {
    expect(chooseApiVersion('1.52')).toEqual({ version: MAX_DOCKER_API_VERSION });
    expect(chooseApiVersion('1.47')).toEqual({ version: '1.47' });
    expect(chooseApiVersion('1.41')).toEqual({ version: '1.41' });
    expect(chooseApiVersion('2.0')).toEqual({ version: MAX_DOCKER_API_VERSION });
    expect(chooseApiVersion('1.40')).toMatchObject({ refused: expect.stringMatching(/1\.40, older than the 1\.41/) });
    expect(chooseApiVersion(undefined)).toMatchObject({ refused: expect.stringMatching(/without an Engine API/) });
    expect(chooseApiVersion('latest')).toMatchObject({ refused: expect.stringMatching(/"latest"/) });
    expect(MIN_DOCKER_API_VERSION).toBe('1.41');
  });
});

describe('Engine API negotiation against an engine with a 1.44 floor (Docker Engine 29)', () => {
  let engine: FakeEngine;
  let dataDir: string;
  let endpoints: ReturnType<typeof createDockerEndpoints>;

  beforeEach(async () => {
    engine = await startFakeEngine({ apiVersion: '1.52', minApiVersion: '1.44' });
    dataDir = await mkdtemp(join(tmpdir(), 'homeport-negotiate-'));
    endpoints = createDockerEndpoints({ dataDir, trust: createSshTrust({ dataDir }), env: {} });
    await endpoints.add({ name: 'current', url: engine.host });
  });
  afterEach(async () => {
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const versioned = () => engine.requests.filter((r) => r.path !== '/_ping');
  const pings = () => engine.requests.filter((r) => r.path === '/_ping' && r.version === undefined);

  it('refuses 1.41 itself, exactly as Engine 29 does', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ socketPath: engine.socketPath, path: '/v1.41/version' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      message:
        'client version 1.41 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version',
    });
  });

  it('connects with the newest version both speak, pinging once per endpoint', async () => {
    const result = endpointTestSchema.parse(await endpoints.test('current'));
    expect(result).toMatchObject({ status: 'connected', version: '29.0.0', apiVersion: '1.52' });
    expect(versioned().map((r) => r.version)).toEqual([MAX_DOCKER_API_VERSION, MAX_DOCKER_API_VERSION]);

    // Later clients of the endpoint reuse the negotiated version.
    const client = await endpoints.openClient('current');
    await client.request('/info');
    client.close();
    expect(pings()).toHaveLength(1);
    expect(versioned().every((r) => r.version === MAX_DOCKER_API_VERSION)).toBe(true);
  });

  it('speaks an older engine its own version', async () => {
    engine.setVersions('1.47', '1.24');
    const client = await endpoints.openClient('current');
    await Promise.all([client.request('/version'), client.request('/info'), client.request('/services')]);
    client.close();
    expect(versioned().map((r) => r.version)).toEqual(['1.47', '1.47', '1.47']);
    // Concurrent first requests share one negotiation.
    expect(pings()).toHaveLength(1);
  });

  it('asks again when an engine upgraded since refuses the version it spoke before', async () => {
    engine.setVersions('1.43', '1.24');
    const before = await endpoints.openClient('current');
    await before.request('/version');
    before.close();
    engine.setVersions('1.52', '1.44');

    const after = await endpoints.openClient('current');
    const info = await after.request<{ Swarm: { LocalNodeState: string } }>('/info');
    after.close();
    expect(info.Swarm.LocalNodeState).toBe('active');
    expect(versioned().map((r) => `${r.version} ${r.path}`)).toEqual([
      '1.43 /version',
      '1.43 /info',
      `${MAX_DOCKER_API_VERSION} /info`,
    ]);
    expect(pings()).toHaveLength(2);
  });

  it('names the endpoint when the engine is older than Homeport needs', async () => {
    engine.setVersions('1.40', '1.12');
    const result = endpointTestSchema.parse(await endpoints.test('current'));
    expect(result).toMatchObject({ status: 'failed', reason: 'http' });
    expect(result.status === 'failed' && result.message).toMatch(
      /endpoint 'current'.*speaks Engine API 1\.40, older than the 1\.41 \(Docker 20\.10\) Homeport needs; upgrade Docker/,
    );
    expect(versioned()).toEqual([]);
  });

  it('says which versions Homeport speaks when the engine no longer accepts any of them', async () => {
    engine.setVersions('1.60', '1.55');
    const client = createDockerClient({ kind: 'unix', socketPath: engine.socketPath }, 'unix:///fake');
    await expect(client.request('/version')).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(
        /^unix:\/\/\/fake refused Engine API 1\.51 \(client version 1\.51 is too old.*\); Homeport speaks 1\.41 to 1\.51/,
      ),
    });
    client.close();
  });
});
