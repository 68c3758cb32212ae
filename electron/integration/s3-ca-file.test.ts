/**
 * An S3 profile's own CA certificate: s3rver behind a TLS front whose certificate a private CA
 * signs (as a NAS's MinIO or Garage often is). Without the profile's CA file the store is not
 * trusted; with it, it is, and no process-wide NODE_EXTRA_CA_CERTS is needed.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ProfileSchema, s3TestSchema } from '@shared/storage-schemas';
import { runS3, type StorageIo } from '../cli/storage-commands';
import { createTestPki } from '../testing/tls';
import { createSecretStore } from '../core/secrets/secret-store';
import { createS3Profiles, type S3Profiles } from '../core/s3/profiles';
import { createS3Service, type S3Service } from '../core/s3/s3-service';

let dir: string;
let s3rver: S3rver;
let front: Server;
let endpoint: string;
let caFile: string;
let otherCaFile: string;
let profiles: S3Profiles;
let s3: S3Service;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'homeport-s3-ca-'));
  await mkdir(join(dir, 's3rver'));
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory: join(dir, 's3rver'), silent: true });
  const { port: plainPort } = await s3rver.run();
  const pki = createTestPki();
  caFile = join(dir, 'ca.pem');
  otherCaFile = join(dir, 'other-ca.pem');
  await writeFile(caFile, pki.caCert);
  await writeFile(otherCaFile, pki.otherCaCert);
  // The TLS front end: TLS terminated here, the bytes passed on to s3rver.
  front = createServer({ cert: pki.serverCert, key: pki.serverKey }, (socket) => {
    const upstream = connect(plainPort, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  front.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const dataDir = join(dir, 'data');
  profiles = createS3Profiles({ dataDir, secrets: createSecretStore({ dataDir }) });
  s3 = createS3Service({ profiles });
});

afterAll(async () => {
  await new Promise((resolve) => front?.close(resolve));
  await s3rver?.close();
  await rm(dir, { recursive: true, force: true });
});

const keys = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

describe("an S3 profile's CA certificate file", () => {
  it('trusts a store signed by a private CA only with the profile CA file', async () => {
    // The process trusts only the system's CAs (NODE_EXTRA_CA_CERTS, if set, is not this CA).
    expect(process.env.NODE_EXTRA_CA_CERTS ?? '').not.toContain(dir);
    await profiles.add({ name: 'no-ca', endpoint, ...keys });
    expect(s3TestSchema.parse(await s3.test('no-ca'))).toMatchObject({ status: 'failed', reason: 'tls' });

    const saved = await profiles.add({ name: 'private-ca', endpoint, caFile, ...keys });
    expect(s3ProfileSchema.parse(saved.profile)).toMatchObject({ name: 'private-ca', caFile });
    expect(await s3.test('private-ca')).toMatchObject({ status: 'connected', profile: 'private-ca' });
    await s3.createBucket('private-ca', 'avatars');
    expect((await s3.listBuckets('private-ca')).map((b) => b.name)).toContain('avatars');

    await profiles.add({ name: 'wrong-ca', endpoint, caFile: otherCaFile, ...keys });
    const wrong = s3TestSchema.parse(await s3.test('wrong-ca'));
    expect(wrong).toMatchObject({ status: 'failed', reason: 'tls' });
    expect(wrong.status === 'failed' && wrong.message).toMatch(/the profile's CA file does not sign it/);
  });

  it('names the profile and the field when the CA file is missing, not a certificate, or the endpoint is http', async () => {
    const missing = join(dir, 'missing.pem');
    await profiles.add({ name: 'ca-missing', endpoint, caFile: missing, ...keys });
    await expect(s3.listBuckets('ca-missing')).rejects.toThrow(
      `S3 profile 'ca-missing': 'caFile' ${missing} does not exist; point it at the CA certificate (PEM)`,
    );
    const notPem = join(dir, 'not.pem');
    await writeFile(notPem, 'hello');
    await profiles.add({ name: 'ca-not-pem', endpoint, caFile: notPem, ...keys });
    await expect(s3.listBuckets('ca-not-pem')).rejects.toThrow(/holds no PEM certificate/);
    const big = join(dir, 'big.pem');
    await writeFile(big, Buffer.alloc(1024 * 1024 + 10, 'A'));
    await profiles.add({ name: 'ca-big', endpoint, caFile: big, ...keys });
    await expect(s3.listBuckets('ca-big')).rejects.toThrow(/larger than 1 MiB/);
    await expect(profiles.add({ name: 'plain', endpoint: 'http://127.0.0.1:9000', caFile, ...keys })).rejects.toThrow(
      /^'caFile': .*https:\/\/ endpoints only/,
    );
    await expect(profiles.add({ name: 'relative', endpoint, caFile: 'ca.pem', ...keys })).rejects.toThrow(
      /^'caFile': 'ca.pem' is relative: give the full path of the file/,
    );
  });

  it('takes --ca-file on the command line', async () => {
    const out: string[] = [];
    const io: StorageIo = {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      secrets: { env: { HOMEPORT_S3_SECRET_KEY: 'S3RVER' } },
    };
    const dataDir = join(dir, 'cli');
    const args = ['--data-dir', dataDir];
    expect(
      await runS3(
        ['add', 'nas', '--endpoint', endpoint, '--access-key-id', 'S3RVER', '--ca-file', caFile, ...args],
        io,
      ),
    ).toBe(0);
    expect(await runS3(['test', 'nas', ...args], io)).toBe(0);
    expect(out.join('\n')).toContain('nas: connected');
    expect(await runS3(['list', ...args], io)).toBe(0);
    expect(out.join('\n')).toContain(`CA ${caFile}`);
    expect(await readFile(join(dataDir, 's3-profiles.json'), 'utf8')).toContain(caFile);
  });
});
