/**
 * The S3 destination and the streaming object operations against s3rver (a real S3 server in
 * Node), reached through a relay that records each request line and can cut the connection.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretStore } from '../../secrets/secret-store';
import { openS3Objects, type S3ListEntry } from '../../s3/objects';
import { createS3Profiles, type S3Profiles } from '../../s3/profiles';
import { createS3Service } from '../../s3/s3-service';
import { createOpenDestination } from './open';
import { destinationContract } from './testing/contract';
import { startS3rverProcess, type S3rverProcess } from './testing/s3rver-process';
import { digest, randomStream, startRelay, type Relay } from './testing/streams';

const MiB = 1024 * 1024;
let dir: string;
let server: S3rverProcess;
let relay: Relay;
let profiles: S3Profiles;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'homeport-s3-dest-'));
  await mkdir(join(dir, 's3rver'));
  server = await startS3rverProcess(join(dir, 's3rver'));
  relay = await startRelay(server.port);
  profiles = createS3Profiles({
    dataDir: join(dir, 'data'),
    secrets: createSecretStore({ dataDir: join(dir, 'data') }),
  });
  await profiles.add({
    name: 'home-s3',
    endpoint: `http://127.0.0.1:${relay.port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  });
  await createS3Service({ profiles }).createBucket('home-s3', 'backups');
});

afterAll(async () => {
  await relay?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const open = () =>
  createOpenDestination({
    nasHosts: { connect: () => Promise.reject(new Error('no NAS here')) },
    s3Profiles: profiles,
  })({
    kind: 's3',
    profile: 'home-s3',
    bucket: 'backups',
    prefix: 'homeport/nightly',
  });

async function all(entries: AsyncIterable<S3ListEntry>): Promise<S3ListEntry[]> {
  const out: S3ListEntry[] = [];
  for await (const e of entries) out.push(e);
  return out;
}

/** The part uploads the relay saw since `from`. */
const partsSince = (from: number) => relay.firstLines.slice(from).filter((l) => /^PUT .*[?&]partNumber=\d+/.test(l));

describe('S3 destination', () => {
  destinationContract({
    open,
    relay: () => relay,
    folder: () => `run-${++n}`,
    maxRssGrowthBytes: 48 * MiB,
  });

  it('keeps files under the prefix and names the destination without a credential', async () => {
    const dest = await open();
    expect(dest.label).toBe("S3 'home-s3' bucket 'backups' under homeport/nightly/");
    await dest.write('b1/manifest.json', randomStream(10));
    const objects = await openS3Objects(profiles, 'home-s3');
    expect(await all(objects.list('backups', 'homeport/nightly/b1/'))).toEqual([
      { key: 'homeport/nightly/b1/manifest.json', bytes: 10 },
    ]);
    expect(JSON.stringify(dest)).not.toContain('S3RVER');
    await dest.remove('b1');
  });

  it('uploads a 64 MiB stream as 8 parts of 8 MiB', async () => {
    const dest = await open();
    const from = relay.firstLines.length;
    const source = randomStream(64 * MiB);
    await dest.write('parts/big.bin', source);
    expect(partsSince(from)).toHaveLength(8);
    expect(await digest(await dest.read('parts/big.bin'))).toEqual({ sha256: source.sha256(), bytes: 64 * MiB });
    await dest.remove('parts');
  }, 60_000);
});

describe('S3 objects', () => {
  it('uploads more than 3 parts of a chosen size, and a small object with one PUT', async () => {
    const objects = await openS3Objects(profiles, 'home-s3');
    let from = relay.firstLines.length;
    const source = randomStream(21 * MiB + 5);
    expect(await objects.put('backups', 'objects/multi.bin', source, { partBytes: 5 * MiB })).toEqual({
      bytes: 21 * MiB + 5,
    });
    const lines = relay.firstLines.slice(from);
    expect(partsSince(from).map((l) => /partNumber=(\d+)/.exec(l)![1])).toEqual(['1', '2', '3', '4', '5']);
    expect(lines.filter((l) => l.startsWith('POST ') && l.includes('uploads'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('POST ') && l.includes('uploadId='))).toHaveLength(1);
    expect(await digest(await objects.get('backups', 'objects/multi.bin'))).toEqual({
      sha256: source.sha256(),
      bytes: 21 * MiB + 5,
    });

    from = relay.firstLines.length;
    await objects.put('backups', 'objects/small.txt', randomStream(4 * MiB));
    expect(relay.firstLines.slice(from)).toEqual([expect.stringMatching(/^PUT \/backups\/objects\/small\.txt HTTP/)]);
    await expect(objects.put('backups', 'x', randomStream(1), { partBytes: MiB })).rejects.toThrow(/at least/);
  }, 60_000);

  it('lists with a delimiter across pages', async () => {
    const objects = await openS3Objects(profiles, 'home-s3');
    for (const k of ['a', 'b', 'c', 'd', 'e']) await objects.put('backups', `paged/${k}.txt`, randomStream(3));
    for (const k of ['x', 'y']) await objects.put('backups', `paged/${k}/inner.txt`, randomStream(3));
    const from = relay.firstLines.length;
    const listed = await all(objects.list('backups', 'paged/', { delimiter: '/', pageSize: 2 }));
    // Several pages: each is one request.
    expect(relay.firstLines.slice(from).length).toBeGreaterThan(1);
    expect(listed.filter((e) => 'key' in e).map((e) => ('key' in e ? e.key : ''))).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((k) => `paged/${k}.txt`),
    );
    expect(listed.filter((e) => 'prefix' in e)).toEqual([{ prefix: 'paged/x/' }, { prefix: 'paged/y/' }]);
    const everything = await all(objects.list('backups', 'paged/', { pageSize: 3 }));
    expect(everything).toHaveLength(7);
    for (const e of everything) if ('key' in e) await objects.remove('backups', e.key);
    expect(await all(objects.list('backups', 'paged/'))).toEqual([]);
  });

  it('says NOT_FOUND for a missing object and names a missing bucket', async () => {
    const objects = await openS3Objects(profiles, 'home-s3');
    await expect(objects.get('backups', 'nothing/here')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(objects.get('backups', 'nothing/here')).rejects.toThrow(/read object 'nothing\/here'.*NoSuchKey/);
    const dest = await createOpenDestination({
      nasHosts: { connect: () => Promise.reject(new Error('no NAS here')) },
      s3Profiles: profiles,
    })({ kind: 's3', profile: 'home-s3', bucket: 'no-such-bucket', prefix: '' });
    await expect(dest.write('f', randomStream(10))).rejects.toThrow(/NoSuchBucket.*nothing was written at f/);
  });

  it('signs each part with its SHA-256, never UNSIGNED-PAYLOAD', async () => {
    const objects = await openS3Objects(profiles, 'home-s3');
    const from = relay.heads.length;
    await objects.put('backups', 'objects/signed.bin', randomStream(11 * MiB), { partBytes: 5 * MiB });
    const heads = relay.heads.slice(from);
    const parts = heads.filter((h) => /^PUT .*partNumber=/.test(h));
    expect(parts).toHaveLength(3);
    expect(parts.map((h) => /\r\ncontent-length: (\d+)/i.exec(h)?.[1])).toEqual([`${5 * MiB}`, `${5 * MiB}`, `${MiB}`]);
    for (const h of heads) {
      expect(h).toMatch(/\r\nx-amz-content-sha256: [0-9a-f]{64}\r\n/i);
      expect(h).toMatch(/\r\nauthorization: AWS4-HMAC-SHA256 Credential=S3RVER\//i);
    }
    await objects.remove('backups', 'objects/signed.bin');
  });
});
