/**
 * S3 operations on saved profiles: test a profile, list, create (idempotently) and delete buckets,
 * make a bucket private, set its policy. Secret keys are read from the secret store per call and
 * stay in the main process.
 */
import type { S3Bucket, S3Test } from '@shared/storage-schemas';
import { errorMessage, HomeportError } from '../errors';
import { createS3Client, S3RequestError, validateBucketName, type S3Client } from './client';
import { readProfileCa, type S3Profiles } from './profiles';

export interface S3ServiceOptions {
  profiles: Pick<S3Profiles, 'credentials'>;
  /** Per request; default 15 s (10 s for test()). */
  timeoutMs?: number;
}

export interface CreateBucketResult {
  bucket: string;
  /** 'unchanged': it existed already and is owned by this key; nothing was done to it. */
  status: 'created' | 'unchanged';
  /** For a new bucket made private: what the server applied. */
  privacy?: MakePrivateResult;
}

export interface MakePrivateResult {
  acl: 'private' | 'unsupported';
  policy: 'removed' | 'none' | 'unsupported';
}

export function createS3Service(opts: S3ServiceOptions) {
  async function clientFor(name: string, timeoutMs = opts.timeoutMs): Promise<S3Client> {
    const { caFile, ...creds } = await opts.profiles.credentials(name);
    const ca = caFile ? await readProfileCa(name, caFile) : undefined;
    return createS3Client({
      ...creds,
      ...(ca ? { ca } : {}),
      label: `${creds.endpoint} (S3 profile '${name}')`,
      timeoutMs,
    });
  }

  /** Signs a ListBuckets with the profile's keys: connected with the bucket count, or why not. */
  async function test(name: string, timeoutMs = 10_000): Promise<S3Test> {
    const client = await clientFor(name, timeoutMs);
    const started = Date.now();
    try {
      const buckets = await client.listBuckets();
      return { status: 'connected', profile: name, buckets: buckets.length, latencyMs: Date.now() - started };
    } catch (err) {
      if (err instanceof S3RequestError) {
        const reason = err.reason === 'not-implemented' ? 'http' : err.reason;
        return { status: 'failed', profile: name, reason, message: err.message };
      }
      return {
        status: 'failed',
        profile: name,
        reason: 'unreachable',
        message: `S3 profile '${name}': ${errorMessage(err)}`,
      };
    }
  }

  async function listBuckets(name: string): Promise<S3Bucket[]> {
    return (await clientFor(name)).listBuckets();
  }

  /**
   * Creates the bucket, or leaves it as it is when this key owns it already. With private, a new
   * bucket gets the private ACL and no policy where the server supports them (buckets start
   * private on S3 servers anyway).
   */
  async function createBucket(
    name: string,
    bucket: string,
    options: { private?: boolean } = {},
  ): Promise<CreateBucketResult> {
    validateBucketName(bucket);
    const client = await clientFor(name);
    let existing: S3Bucket[] | undefined;
    try {
      existing = await client.listBuckets();
    } catch (err) {
      // A key allowed to create but not to list buckets: let the create call say whether it exists.
      if (!(err instanceof S3RequestError && err.reason === 'auth')) throw err;
    }
    if (existing?.some((b) => b.name === bucket)) return { bucket, status: 'unchanged' };
    if ((await client.createBucket(bucket)) === 'exists') return { bucket, status: 'unchanged' };
    if (!options.private) return { bucket, status: 'created' };
    try {
      return { bucket, status: 'created', privacy: await client.makePrivate(bucket) };
    } catch (err) {
      // Neither ACLs nor policies: the new bucket is as private as the server makes buckets.
      if (err instanceof S3RequestError && err.reason === 'not-implemented') {
        return { bucket, status: 'created', privacy: { acl: 'unsupported', policy: 'unsupported' } };
      }
      throw new HomeportError(
        err instanceof HomeportError ? err.code : 'UNAVAILABLE',
        `Bucket '${bucket}' was created, but making it private failed: ${errorMessage(err)}`,
      );
    }
  }

  async function deleteBucket(name: string, bucket: string): Promise<void> {
    await (await clientFor(name)).deleteBucket(bucket);
  }

  async function makePrivate(name: string, bucket: string): Promise<MakePrivateResult> {
    return (await clientFor(name)).makePrivate(bucket);
  }

  async function setPolicy(name: string, bucket: string, policy: unknown): Promise<void> {
    await (await clientFor(name)).setPolicy(bucket, policy);
  }

  async function getPolicy(name: string, bucket: string): Promise<Record<string, unknown> | undefined> {
    return (await clientFor(name)).getPolicy(bucket);
  }

  return { test, listBuckets, createBucket, deleteBucket, makePrivate, setPolicy, getPolicy, clientFor };
}

export type S3Service = ReturnType<typeof createS3Service>;
