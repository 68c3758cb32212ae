import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3Client, validateBucketName } from './client';

// A fake S3 server with ACLs and policies (as MinIO has), recording what it was asked.
interface Seen {
  method: string;
  host: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let server: Server;
let port: number;
let seen: Seen[] = [];
let policy: string | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, host: req.headers.host!, url: req.url!, headers: req.headers, body });
      const url = new URL(req.url!, 'http://x');
      if (url.searchParams.has('policy')) {
        if (req.method === 'PUT') policy = body;
        if (req.method === 'DELETE') policy = undefined;
        if (req.method === 'GET' && policy === undefined) {
          res.writeHead(404, { 'content-type': 'application/xml' });
          res.end('<Error><Code>NoSuchBucketPolicy</Code><Message>The bucket policy does not exist</Message></Error>');
          return;
        }
        res.writeHead(req.method === 'DELETE' ? 204 : 200);
        res.end(req.method === 'GET' ? policy : '');
        return;
      }
      if (req.method === 'GET' && url.pathname.endsWith('/')) {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Owner><ID>1</ID></Owner><Buckets>' +
            '<Bucket><Name>a&amp;b</Name><CreationDate>2024-01-02T03:04:05.000Z</CreationDate></Bucket>' +
            '<Bucket><Name>media</Name></Bucket></Buckets></ListAllMyBucketsResult>',
        );
        return;
      }
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  policy = undefined;
});

const creds = { region: 'eu-central-1', accessKeyId: 'homeport', secretAccessKey: 'secret' };

describe('S3 client', () => {
  it('addresses path style under a base path and parses the bucket list', async () => {
    const client = createS3Client({ ...creds, endpoint: `http://127.0.0.1:${port}/s3`, pathStyle: true });
    expect(await client.listBuckets()).toEqual([
      { name: 'a&b', createdAt: '2024-01-02T03:04:05.000Z' },
      { name: 'media' },
    ]);
    expect(await client.createBucket('new-bucket')).toBe('created');
    expect(seen[0]).toMatchObject({ method: 'GET', host: `127.0.0.1:${port}`, url: '/s3/' });
    expect(seen[1]).toMatchObject({ method: 'PUT', url: '/s3/new-bucket' });
    expect(seen[1]!.body).toContain('<LocationConstraint>eu-central-1</LocationConstraint>');
    expect(seen[1]!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=homeport\/\d{8}\/eu-central-1\/s3\/aws4_request, SignedHeaders=content-length;content-md5;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
  });

  it('addresses virtual-host style with the bucket in the Host header', async () => {
    const lookup: LookupFunction = (_host, options, callback) => {
      if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
      else (callback as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4);
    };
    const client = createS3Client({ ...creds, endpoint: `http://s3.nas.lan:${port}`, pathStyle: false, lookup });
    await client.listBuckets();
    await client.setPolicy('media', { Version: '2012-10-17', Statement: [{ Effect: 'Deny' }] });
    expect(seen[0]).toMatchObject({ method: 'GET', host: `s3.nas.lan:${port}`, url: '/' });
    expect(seen[1]).toMatchObject({ method: 'PUT', host: `media.s3.nas.lan:${port}`, url: '/?policy=' });
  });

  it('makes a bucket private: private ACL, policy removed', async () => {
    const client = createS3Client({ ...creds, endpoint: `http://127.0.0.1:${port}`, pathStyle: true });
    const doc = {
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::media/*' },
    };
    await client.setPolicy('media', JSON.stringify(doc));
    expect(await client.getPolicy('media')).toEqual(doc);
    expect(await client.makePrivate('media')).toEqual({ acl: 'private', policy: 'removed' });
    expect(await client.getPolicy('media')).toBeUndefined();
    expect(await client.makePrivate('media')).toEqual({ acl: 'private', policy: 'none' });
    const aclCall = seen.find((s) => s.url === '/media?acl=');
    expect(aclCall).toMatchObject({ method: 'PUT' });
    expect(aclCall!.headers['x-amz-acl']).toBe('private');
    expect(aclCall!.headers.authorization).toContain('x-amz-acl');
  });
});

describe('validateBucketName', () => {
  it('accepts valid names', () => {
    for (const name of ['abc', 'media-backups', 'my.bucket.example', 'a'.repeat(63), '0days']) {
      expect(validateBucketName(name)).toBe(name);
    }
  });
  it('refuses invalid names, naming them', () => {
    expect(() => validateBucketName('a'.repeat(64))).toThrow(/has 64 characters/);
    expect(() => validateBucketName('bad.-name')).toThrow(/"bad\.-name" has a hyphen next to a dot/);
    expect(() => validateBucketName('xn--abc')).toThrow(/reserved/);
    expect(() => validateBucketName('with space')).toThrow(/"with space" contains " "/);
  });
});
