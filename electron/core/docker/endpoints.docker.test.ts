import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointTestSchema } from '@shared/swarm-schemas';
import { createSshTrust } from '../ssh/trust';
import { createDockerEndpoints } from './endpoints';
import { testEngine } from './testing/engine';

const run = promisify(execFile);
const engine = testEngine();

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
async function makeCa(dir: string, name: string) {
  const ca = join(dir, `${name}-ca`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name} test CA`,
    '-keyout',
    `${ca}.key`,
    '-out',
    `${ca}.pem`,
  ]);
  const issue = async (file: string, subj: string, ext: string) => {
    await run('openssl', [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      subj,
      '-keyout',
      `${file}.key`,
      '-out',
      `${file}.csr`,
    ]);
    await run('bash', ['-c', `printf '%s\\n' '${ext}' > ${file}.ext`]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      `${file}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${file}.ext`,
      '-out',
      `${file}.pem`,
    ]);
  };
  await issue(join(dir, `${name}-server`), '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  await issue(join(dir, `${name}-client`), '/CN=homeport', 'extendedKeyUsage=clientAuth');
  return {
    ca: `${ca}.pem`,
    serverCert: join(dir, `${name}-server.pem`),
    serverKey: join(dir, `${name}-server.key`),
    clientCert: join(dir, `${name}-client.pem`),
    clientKey: join(dir, `${name}-client.key`),
  };
}

describe('testing Docker endpoints against the engine', () => {
  let dir: string;
  let server: tls.Server;
  let tlsPort: number;
  let good: Awaited<ReturnType<typeof makeCa>>;
  let other: Awaited<ReturnType<typeof makeCa>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeport-endpoints-'));
    good = await makeCa(dir, 'good');
    other = await makeCa(dir, 'other');
    // A TLS front for the engine's socket that insists on a client certificate from the good CA, as dockerd --tlsverify does.
    server = tls.createServer(
      {
        cert: await readFile(good.serverCert),
        key: await readFile(good.serverKey),
        ca: await readFile(good.ca),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        const upstream = net.connect(engine.socketPath);
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      },
    );
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tlsPort = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('connects over the unix socket and describes the engine and its swarm', async () => {
    const endpoints = createDockerEndpoints({ dataDir: dir, trust: createSshTrust({ dataDir: dir }), env: {} });
    await endpoints.add({ name: 'unix-ok', url: engine.host });
    const result = endpointTestSchema.parse(await endpoints.test('unix-ok'));
    expect(result).toMatchObject({
      status: 'connected',
      endpoint: 'unix-ok',
      swarm: { state: 'active', isManager: true, nodes: 1, managers: 1 },
    });
    const version = (await engine.docker(['version', '--format', '{{.Server.Version}}'])).trim();
    expect(result.status === 'connected' && result.version).toBe(version);
    expect(result.status === 'connected' && result.swarm.nodeId).toBe(
      (await engine.docker(['info', '--format', '{{.Swarm.NodeID}}'])).trim(),
    );
  });

  it('treats $DOCKER_HOST as the endpoint env', async () => {
    const endpoints = createDockerEndpoints({
      dataDir: dir,
      trust: createSshTrust({ dataDir: dir }),
      env: { DOCKER_HOST: engine.host },
    });
    expect(await endpoints.test('env')).toMatchObject({ status: 'connected', endpoint: 'env' });
  });

  it('says a missing socket is unreachable', async () => {
    const endpoints = createDockerEndpoints({ dataDir: dir, trust: createSshTrust({ dataDir: dir }), env: {} });
    await endpoints.add({ name: 'unix-missing', url: `unix://${join(dir, 'nothing.sock')}` });
    const result = await endpoints.test('unix-missing');
    expect(result).toMatchObject({ status: 'failed', reason: 'unreachable' });
    expect(result.status === 'failed' && result.message).toMatch(/endpoint 'unix-missing'.*ENOENT.*is Docker running/);
  });

  it('says a refused tcp port is unreachable', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const endpoints = createDockerEndpoints({ dataDir: dir, trust: createSshTrust({ dataDir: dir }), env: {} });
    await endpoints.add({ name: 'tcp-refused', url: `tcp://127.0.0.1:${port}` });
    const result = await endpoints.test('tcp-refused');
    expect(result).toMatchObject({ status: 'failed', reason: 'unreachable' });
    expect(result.status === 'failed' && result.message).toMatch(/ECONNREFUSED/);
  });

  it('connects over TLS with the right CA and client certificate', async () => {
    const endpoints = createDockerEndpoints({ dataDir: dir, trust: createSshTrust({ dataDir: dir }), env: {} });
    await endpoints.add({
      name: 'tls-ok',
      url: `tcp://127.0.0.1:${tlsPort}`,
      tls: { caFile: good.ca, certFile: good.clientCert, keyFile: good.clientKey },
    });
    expect(await endpoints.test('tls-ok')).toMatchObject({ status: 'connected', swarm: { state: 'active' } });
  });

  it('fails with tls for a server certificate from another CA', async () => {
    const endpoints = createDockerEndpoints({ dataDir: dir, trust: createSshTrust({ dataDir: dir }), env: {} });
    await endpoints.add({
      name: 'tls-wrong-ca',
      url: `tcp://127.0.0.1:${tlsPort}`,
      tls: { caFile: other.ca, certFile: good.clientCert, keyFile: good.clientKey },
    });
    const result = await endpoints.test('tls-wrong-ca');
    expect(result).toMatchObject({ status: 'failed', reason: 'tls', endpoint: 'tls-wrong-ca' });
    expect(result.status === 'failed' && result.message).toMatch(/check the CA/);
  });

  it('fails with tls when the engine refuses the client certificate', async () => {
    const endpoints = createDockerEndpoints({ dataDir: dir, trust: createSshTrust({ dataDir: dir }), env: {} });
    await endpoints.add({
      name: 'tls-wrong-client',
      url: `tcp://127.0.0.1:${tlsPort}`,
      tls: { caFile: good.ca, certFile: other.clientCert, keyFile: other.clientKey },
    });
    expect(await endpoints.test('tls-wrong-client')).toMatchObject({ status: 'failed', reason: 'tls' });
  });

  it('connects through the docker contexts the docker CLI created, TLS files included', async () => {
    const config = join(dir, 'docker-config');
    const docker = (args: string[]) => run('docker', ['--config', config, ...args]);
    await docker([
      'context',
      'create',
      'Lab_TLS',
      '--docker',
      `host=tcp://127.0.0.1:${tlsPort},ca=${good.ca},cert=${good.clientCert},key=${good.clientKey}`,
    ]);
    await docker(['context', 'create', 'local', '--docker', `host=${engine.host}`]);
    // The CLI itself reaches the engine through the TLS context.
    expect(
      (await docker(['--context', 'Lab_TLS', 'info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim(),
    ).toBe('active');

    const endpoints = createDockerEndpoints({
      dataDir: dir,
      trust: createSshTrust({ dataDir: dir }),
      env: { DOCKER_CONFIG: config },
    });
    const contexts = (await endpoints.list()).filter((e) => e.source === 'context');
    expect(contexts.map((e) => e.name)).toEqual([
      expect.stringMatching(/^context-lab-tls-[0-9a-f]{6}$/),
      'context-local',
    ]);
    expect(contexts[0]!.tls?.caFile).toMatch(/\/contexts\/tls\/[0-9a-f]{64}\/docker\/ca\.pem$/);
    expect(await endpoints.test(contexts[0]!.name)).toMatchObject({ status: 'connected', swarm: { state: 'active' } });
    expect(await endpoints.test('context-local')).toMatchObject({ status: 'connected', swarm: { state: 'active' } });
  });

  it('times out against a port that never answers', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const endpoints = createDockerEndpoints({ dataDir: dir, trust: createSshTrust({ dataDir: dir }), env: {} });
    await endpoints.add({ name: 'tcp-silent', url: `tcp://127.0.0.1:${port}` });
    const result = await endpoints.test('tcp-silent', 500);
    expect(result).toMatchObject({ status: 'failed', reason: 'timeout' });
    silent.close();
  });
});
