import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endpointTestSchema } from '@shared/swarm-schemas';
import { savedName } from '@shared/names';
import { createSshTrust } from '../ssh/trust';
import { contextEndpointName } from './contexts';
import { createDockerEndpoints } from './endpoints';
import { startFakeEngine, type FakeEngine } from './testing/fake-engine';

const sha = (name: string) => createHash('sha256').update(name).digest('hex');

/** Writes a context the way `docker context create` stores it. */
async function writeContext(
  home: string,
  name: string,
  docker: { Host: string; SkipTLSVerify?: boolean },
  tls: string[] = [],
) {
  const meta = join(home, '.docker', 'contexts', 'meta', sha(name));
  await mkdir(meta, { recursive: true });
  await writeFile(
    join(meta, 'meta.json'),
    JSON.stringify({
      Name: name,
      Metadata: { Description: '' },
      Endpoints: { docker: { SkipTLSVerify: false, ...docker } },
    }),
  );
  if (tls.length > 0) {
    const dir = join(home, '.docker', 'contexts', 'tls', sha(name), 'docker');
    await mkdir(dir, { recursive: true });
    for (const f of tls) await writeFile(join(dir, f), `${f}\n`);
  }
}

describe('docker contexts as endpoints', () => {
  let dir: string;
  let home: string;
  let engine: FakeEngine;
  let endpoints: ReturnType<typeof createDockerEndpoints>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeport-contexts-'));
    home = join(dir, 'home');
    engine = await startFakeEngine({ apiVersion: '1.47', minApiVersion: '1.24' });
    const dataDir = join(dir, 'data');
    endpoints = createDockerEndpoints({ dataDir, trust: createSshTrust({ dataDir }), env: { HOME: home } });
  });
  afterEach(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('names each context within the endpoint name rules, distinctly', () => {
    expect(contextEndpointName('homelab')).toBe('context-homelab');
    const odd = ['Desktop.Linux', 'desktop_linux', 'x'.repeat(80), 'a+b'];
    const names = odd.map(contextEndpointName);
    for (const n of names) expect(savedName.safeParse(n).success, n).toBe(true);
    expect(new Set(names).size).toBe(odd.length);
    expect(names[0]).toMatch(/^context-desktop-linux-[0-9a-f]{6}$/);
  });

  it('lists contexts read only, with their TLS files, and connects through one', async () => {
    await writeContext(home, 'homelab', { Host: engine.host });
    await writeContext(home, 'Nas_TLS', { Host: 'tcp://10.0.0.5:2376' }, ['ca.pem', 'cert.pem', 'key.pem']);
    // A directory that is not the hash of the name it holds is stale: the docker CLI would not find it.
    const stale = join(home, '.docker', 'contexts', 'meta', sha('other'));
    await mkdir(stale, { recursive: true });
    await writeFile(
      join(stale, 'meta.json'),
      JSON.stringify({ Name: 'renamed', Endpoints: { docker: { Host: 'x' } } }),
    );
    await endpoints.add({ name: 'saved', url: 'unix:///var/run/docker.sock' });

    const tlsDir = join(home, '.docker', 'contexts', 'tls', sha('Nas_TLS'), 'docker');
    const nasName = contextEndpointName('Nas_TLS');
    expect(await endpoints.list()).toEqual([
      { name: 'context-homelab', url: engine.host, source: 'context' },
      {
        name: nasName,
        url: 'tcp://10.0.0.5:2376',
        source: 'context',
        tls: { caFile: join(tlsDir, 'ca.pem'), certFile: join(tlsDir, 'cert.pem'), keyFile: join(tlsDir, 'key.pem') },
      },
      { name: 'saved', url: 'unix:///var/run/docker.sock', source: 'saved' },
    ]);
    expect(endpointTestSchema.parse(await endpoints.test('context-homelab'))).toMatchObject({
      status: 'connected',
      endpoint: 'context-homelab',
      swarm: { state: 'active', isManager: true },
    });

    await expect(endpoints.remove('context-homelab')).rejects.toThrow(/is a docker context.*docker context rm/);
    await expect(endpoints.add({ name: 'context-homelab', url: engine.host })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('refuses, naming the context, what Homeport will not do: skip TLS verification, half the TLS files', async () => {
    await writeContext(home, 'insecure', { Host: 'tcp://10.0.0.5:2376', SkipTLSVerify: true }, [
      'ca.pem',
      'cert.pem',
      'key.pem',
    ]);
    await writeContext(home, 'half', { Host: 'tcp://10.0.0.6:2376' }, ['cert.pem', 'key.pem']);
    const insecure = endpointTestSchema.parse(await endpoints.test('context-insecure'));
    expect(insecure).toMatchObject({ status: 'failed', reason: 'config' });
    expect(insecure.status === 'failed' && insecure.message).toMatch(
      /^Endpoint 'context-insecure': docker context 'insecure': it skips TLS verification/,
    );
    const half = endpointTestSchema.parse(await endpoints.test('context-half'));
    expect(half.status === 'failed' && half.message).toMatch(/lacks ca\.pem; Homeport connects with the CA/);
  });

  it('reads $DOCKER_CONFIG instead of ~/.docker when it is set', async () => {
    const config = join(dir, 'docker-config');
    await writeContext(home, 'in-home', { Host: engine.host });
    await writeContext(join(config, '..', 'alt'), 'in-config', { Host: engine.host });
    const dataDir = join(dir, 'data2');
    const withConfig = createDockerEndpoints({
      dataDir,
      trust: createSshTrust({ dataDir }),
      env: { HOME: home, DOCKER_CONFIG: join(dir, 'alt', '.docker') },
    });
    expect((await withConfig.list()).map((e) => e.name)).toEqual(['context-in-config']);
  });
});
