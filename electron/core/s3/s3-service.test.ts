import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3TestSchema } from '@shared/storage-schemas';
import { createSecretStore } from '../secrets/secret-store';
import { createS3Profiles, type S3Profiles } from './profiles';
import { createS3Service, type S3Service } from './s3-service';

// s3rver knows one key pair, S3RVER / S3RVER, and answers InvalidAccessKeyId to any other access
// key id. It does NOT verify Signature V4 signatures (only V2 ones): a wrong secret key passes. The
// SignatureDoesNotMatch and AccessDenied mappings are tested below with a tiny fake server instead.
// It lacks bucket ACLs and bucket policies (PUT ?acl, PUT/DELETE ?policy answer NotImplemented;
// GET ?policy answers MethodNotAllowed).

let dir: string;
let server: S3rver;
let endpoint: string;
let profiles: S3Profiles;
let s3: S3Service;
let silent: Server;
let silentPort: number;
const sockets: Socket[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'homeport-s3-'));
  await mkdir(join(dir, 's3rver'));
  server = new S3rver({ address: '127.0.0.1', port: 0, directory: join(dir, 's3rver'), silent: true });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  profiles = createS3Profiles({
    dataDir: join(dir, 'data'),
    secrets: createSecretStore({ dataDir: join(dir, 'data') }),
  });
  s3 = createS3Service({ profiles });
  await profiles.add({ name: 'local', endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  // A server that accepts connections and never answers.
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('S3 service against s3rver', () => {
  it('tests a profile: connected', async () => {
    const result = await s3.test('local');
    expect(s3TestSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({ status: 'connected', profile: 'local', buckets: 0 });
  });

  it('reports an unknown access key as an auth failure', async () => {
    await profiles.add({ name: 'wrong-key', endpoint, accessKeyId: 'NOBODY', secretAccessKey: 'S3RVER' });
    const badKey = await s3.test('wrong-key');
    expect(badKey).toMatchObject({ status: 'failed', reason: 'auth' });
    expect(badKey.status === 'failed' && badKey.message).toMatch(
      /InvalidAccessKeyId.*the server does not know access key id 'NOBODY'/,
    );
    await expect(s3.listBuckets('wrong-key')).rejects.toMatchObject({ code: 'UNAUTHORIZED', reason: 'auth' });
  });

  it('reports a closed port as unreachable, https to an http port as tls, silence as timeout', async () => {
    const port = await freePort();
    await profiles.add({
      name: 'closed',
      endpoint: `http://127.0.0.1:${port}`,
      accessKeyId: 'k',
      secretAccessKey: 's',
    });
    const closed = await s3.test('closed');
    expect(closed).toMatchObject({ status: 'failed', reason: 'unreachable' });
    expect(closed.status === 'failed' && closed.message).toMatch(/nothing listens on 127\.0\.0\.1:\d+/);

    await profiles.add({
      name: 'not-tls',
      endpoint: endpoint.replace('http:', 'https:'),
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    });
    expect(await s3.test('not-tls')).toMatchObject({ status: 'failed', reason: 'tls' });

    await profiles.add({
      name: 'silent',
      endpoint: `http://127.0.0.1:${silentPort}`,
      accessKeyId: 'k',
      secretAccessKey: 's',
    });
    const slow = await s3.test('silent', 300);
    expect(slow).toMatchObject({ status: 'failed', reason: 'timeout' });
    expect(slow.status === 'failed' && slow.message).toMatch(/no answer within 300 ms/);
  });

  it('creates a bucket, lists it, and leaves it unchanged when created again', async () => {
    expect(await s3.createBucket('local', 'media')).toEqual({ bucket: 'media', status: 'created' });
    const buckets = await s3.listBuckets('local');
    expect(buckets.map((b) => b.name)).toContain('media');
    expect(buckets.find((b) => b.name === 'media')?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await s3.createBucket('local', 'media')).toEqual({ bucket: 'media', status: 'unchanged' });
    expect(await s3.test('local')).toMatchObject({ status: 'connected', buckets: 1 });
  });

  it('refuses an invalid bucket name, naming the bucket and the rule', async () => {
    await expect(s3.createBucket('local', 'My_Bucket')).rejects.toThrow(
      /^'bucket': bucket name "My_Bucket" has upper-case letters\. Bucket names are 3 to 63/,
    );
    await expect(s3.createBucket('local', 'ab')).rejects.toThrow(/"ab" has 2 characters/);
    await expect(s3.createBucket('local', '192.168.1.10')).rejects.toThrow(
      /"192\.168\.1\.10" looks like an IP address/,
    );
    await expect(s3.createBucket('local', 'a..b')).rejects.toThrow(/"a\.\.b" has two dots in a row/);
    await expect(s3.createBucket('local', '-abc')).rejects.toThrow(/must start and end with a letter or digit/);
    await expect(s3.createBucket('local', 'a_b-c')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect((await s3.listBuckets('local')).map((b) => b.name)).not.toContain('My_Bucket');
  });

  it('refuses to delete a bucket with objects, deletes an empty one', async () => {
    await s3.createBucket('local', 'full');
    const client = await s3.clientFor('local');
    await client.request({ method: 'PUT', bucket: 'full', key: 'notes/a b.txt', body: 'hello', operation: 'put' });
    await expect(s3.deleteBucket('local', 'full')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/bucket 'full' is not empty \(it holds 'notes\/a b\.txt' and maybe more\)/),
    });
    expect((await s3.listBuckets('local')).map((b) => b.name)).toContain('full');

    await s3.createBucket('local', 'empty-one');
    await s3.deleteBucket('local', 'empty-one');
    expect((await s3.listBuckets('local')).map((b) => b.name)).not.toContain('empty-one');
    await expect(s3.deleteBucket('local', 'empty-one')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/bucket 'empty-one' does not exist/),
    });
  });

  it('says clearly that s3rver supports neither bucket ACLs nor bucket policies', async () => {
    await s3.createBucket('local', 'policies');
    await expect(s3.makePrivate('local', 'policies')).rejects.toMatchObject({
      reason: 'not-implemented',
      message: expect.stringMatching(/this server does not support bucket ACLs or bucket policies/),
    });
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::policies/*' }],
    };
    await expect(s3.setPolicy('local', 'policies', policy)).rejects.toMatchObject({
      reason: 'not-implemented',
      message: expect.stringMatching(/this server does not support bucket policies/),
    });
    await expect(s3.getPolicy('local', 'policies')).rejects.toMatchObject({
      reason: 'not-implemented',
      message: expect.stringMatching(/this server does not support bucket policies/),
    });
    // Asked for a private bucket, s3rver creates it; nothing more can be applied there.
    expect(await s3.createBucket('local', 'private-one', { private: true })).toEqual({
      bucket: 'private-one',
      status: 'created',
      privacy: { acl: 'unsupported', policy: 'unsupported' },
    });
  });

  it('checks a policy before sending it', async () => {
    await expect(s3.setPolicy('local', 'policies', '{not json')).rejects.toThrow(/^'policy': is not valid JSON/);
    await expect(s3.setPolicy('local', 'policies', { Statement: [] })).rejects.toThrow(/^'policy': has no "Version"/);
    await expect(s3.setPolicy('local', 'policies', { Version: '2012-10-17', Statement: [] })).rejects.toThrow(
      /^'policy': "Statement" must be/,
    );
  });
});

describe('S3 service against a server that refuses the signature', () => {
  // Answers every request with the given S3 error, as S3, MinIO or Garage do for a bad signature.
  let fake: HttpServer;
  let answer = {
    status: 403,
    code: 'SignatureDoesNotMatch',
    message: 'The request signature we calculated does not match',
  };
  let fakeProfiles: S3Profiles;
  let fakeS3: S3Service;
  let fakeDir: string;

  beforeAll(async () => {
    fakeDir = await mkdtemp(join(tmpdir(), 'homeport-s3-fake-'));
    fake = createHttpServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${answer.code}</Code><Message>${answer.message}</Message><RequestId>1</RequestId></Error>`,
      );
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const { port } = fake.address() as { port: number };
    fakeProfiles = createS3Profiles({ dataDir: fakeDir, secrets: createSecretStore({ dataDir: fakeDir }) });
    fakeS3 = createS3Service({ profiles: fakeProfiles });
    await fakeProfiles.add({
      name: 'fake',
      endpoint: `http://127.0.0.1:${port}`,
      accessKeyId: 'homeport',
      secretAccessKey: 'wrong',
    });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => fake.close(() => resolve()));
    await rm(fakeDir, { recursive: true, force: true });
  });

  it('maps SignatureDoesNotMatch to auth: the secret key is wrong', async () => {
    answer = {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match',
    };
    const result = await fakeS3.test('fake');
    expect(result).toMatchObject({ status: 'failed', reason: 'auth' });
    expect(result.status === 'failed' && result.message).toMatch(
      /SignatureDoesNotMatch.*the secret access key does not match access key id 'homeport'; enter the secret key again/,
    );
  });

  it('maps AccessDenied to auth (forbidden), other S3 errors to http with code and message', async () => {
    answer = { status: 403, code: 'AccessDenied', message: 'Access Denied.' };
    await expect(fakeS3.deleteBucket('fake', 'media')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      reason: 'auth',
      message: expect.stringMatching(
        /AccessDenied: Access Denied\..*access key 'homeport' is not allowed to list bucket 'media'/,
      ),
    });
    answer = { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' };
    const result = await fakeS3.test('fake');
    expect(result).toMatchObject({ status: 'failed', reason: 'http' });
    expect(result.status === 'failed' && result.message).toMatch(/list buckets failed \(SlowDown: Please reduce/);
  });
});
