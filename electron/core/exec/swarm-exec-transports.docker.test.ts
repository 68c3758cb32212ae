/**
 * Exec through every kind of Docker endpoint: TCP with TLS and ssh:// reach the same engine through
 * relays that, like dockerd itself, keep a half-closed connection open for the output still to come.
 */
import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki } from '../../testing/tls';
import type { DockerEndpoints } from '../docker/endpoints';
import { startSshd, TEST_USER, type TestSshd } from '../ssh/testing/sshd';
import { collect } from './testing/kube-fixture';
import { generatedInput, hashingSink, MB } from './testing/streams';
import { engine, runOn, standinService, testEndpoints } from './testing/swarm-fixture';

const run = promisify(execFile);

/** Relays each connection to the engine's socket, half-closes included. */
function relayTo(socketPath: string) {
  return (client: net.Socket) => {
    const upstream = net.connect({ path: socketPath, allowHalfOpen: true });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  };
}

let endpoints: DockerEndpoints;
let dir: string;
let service: { name: string; taskId: string };
let sshd: TestSshd;
const servers: net.Server[] = [];
const relayed = new Set<net.Socket>();

async function listen(server: net.Server, at: string | number): Promise<void> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    relayed.add(s);
    s.on('close', () => relayed.delete(s));
  });
  await new Promise<void>((resolve) =>
    typeof at === 'string' ? server.listen(at, resolve) : server.listen(at, '127.0.0.1', resolve),
  );
}

beforeAll(async () => {
  ({ endpoints, dir } = await testEndpoints());
  service = await standinService('exec-transports');

  const pki = createTestPki();
  const tlsServer = tls.createServer(
    // As dockerd --tlsverify: a client certificate from the CA, on the hijacked connection too.
    {
      cert: pki.serverCert,
      key: pki.serverKey,
      ca: pki.caCert,
      requestCert: true,
      rejectUnauthorized: true,
      allowHalfOpen: true,
    },
    relayTo(engine.socketPath),
  );
  await listen(tlsServer, 0);
  const files = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
  await writeFile(files.caFile, pki.caCert, { mode: 0o600 });
  // The CA signed the server's certificate: it serves as the client's too.
  await writeFile(files.certFile, pki.serverCert, { mode: 0o600 });
  await writeFile(files.keyFile, pki.serverKey, { mode: 0o600 });
  const port = (tlsServer.address() as net.AddressInfo).port;
  await endpoints.add({ name: 'tls', url: `tcp://127.0.0.1:${port}`, tls: files });

  sshd = await startSshd();
  const sshSocket = join(sshd.dir, 'docker.sock');
  await listen(net.createServer({ allowHalfOpen: true }, relayTo(engine.socketPath)), sshSocket);
  await run('chown', [TEST_USER, sshSocket]);
  await chmod(sshSocket, 0o600);
  const keyFile = join(dir, 'id_ed25519');
  await writeFile(keyFile, sshd.privateKey, { mode: 0o600 });
  await endpoints.add({
    name: 'ssh',
    url: `ssh://${sshd.user}@127.0.0.1:${sshd.port}${sshSocket}`,
    sshKeyFile: keyFile,
  });
  await endpoints.test('ssh');
  await endpoints.acceptHostKey('ssh', sshd.hostKeyFingerprint);

  const unixRelay = join(dir, 'relay.sock');
  await listen(net.createServer({ allowHalfOpen: true }, relayTo(engine.socketPath)), unixRelay);
  await endpoints.add({ name: 'relay', url: `unix://${unixRelay}` });
});

afterAll(async () => {
  for (const s of relayed) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await sshd?.close();
  if (service) await engine.docker(['service', 'rm', service.name]).catch(() => undefined);
});

describe.each(['tls', 'ssh'])('exec over the %s endpoint', (endpoint) => {
  it('pipes 8 MB through cat and gives exit code, stdout and stderr', async () => {
    const input = generatedInput(8 * MB);
    const sink = hashingSink();
    const session = runOn(endpoints, endpoint, { workload: { service: service.name }, command: ['cat'], stdin: true });
    const [, , result] = await Promise.all([
      pipeline(input.stream, session.stdin!),
      pipeline(session.stdout, sink.stream),
      session.result,
      session.stderr.resume(),
    ]);
    expect(result).toEqual({ kind: 'exited', code: 0 });
    expect((await sink.done).digest).toBe(await input.digest);

    const script = ['sh', '-c', 'echo out; echo err >&2; exit 3'];
    expect(await collect(runOn(endpoints, endpoint, { workload: { service: service.name }, command: script }))).toEqual(
      { out: 'out\n', err: 'err\n', result: { kind: 'exited', code: 3 } },
    );
  });
});

describe('a connection lost mid-stream', () => {
  it('is connection-lost naming the task, not an exit code', async () => {
    const session = runOn(endpoints, 'relay', {
      workload: { service: service.name },
      command: ['sh', '-c', 'echo started; sleep 30'],
    });
    const first = await new Promise<string>((r) => session.stdout.once('data', (c: Buffer) => r(c.toString())));
    expect(first).toBe('started\n');
    for (const s of relayed) if (s.localAddress === undefined) s.destroy();
    session.stdout.resume();
    const result = await session.result;
    expect(result).toMatchObject({ kind: 'failed', reason: 'connection-lost' });
    expect(result.kind === 'failed' && result.message).toMatch(
      new RegExp(`^task ${service.name}\\.1 .* on swarm endpoint 'relay': the connection was lost`),
    );
  });
});
