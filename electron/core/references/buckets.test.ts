import { describe, expect, it } from 'vitest';
import { S3RequestError } from '../s3/client';
import { createBucketProvisioner, publicReadPolicy } from './buckets';

describe('buckets a deploy names', () => {
  it('are created private, with anonymous read of the public prefix only', async () => {
    const calls: unknown[] = [];
    const ensure = createBucketProvisioner({
      createBucket: async (profile, bucket, opts) => {
        calls.push(['create', profile, bucket, opts]);
        return { bucket, status: 'created' };
      },
      setPolicy: async (profile, bucket, policy) => {
        calls.push(['policy', profile, bucket, policy]);
      },
    });
    await ensure([{ profile: 'garage', bucket: 'avatars' }], 'avatars/');
    expect(calls).toEqual([
      ['create', 'garage', 'avatars', { private: true }],
      ['policy', 'garage', 'avatars', publicReadPolicy('avatars', 'avatars/')],
    ]);
    expect(publicReadPolicy('b', 'avatars/').Statement[0]).toMatchObject({
      Action: ['s3:GetObject'],
      Resource: ['arn:aws:s3:::b/avatars/*'],
    });
  });

  it('accept a store without bucket policies, and name the bucket when the store refuses', async () => {
    const noPolicies = createBucketProvisioner({
      createBucket: async (_p, bucket) => ({ bucket, status: 'unchanged' }),
      setPolicy: async () => {
        throw new S3RequestError('not-implemented', 'PutBucketPolicy is not implemented', 501);
      },
    });
    await expect(noPolicies([{ profile: 'p', bucket: 'b' }], 'avatars/')).resolves.toBeUndefined();
    const denied = createBucketProvisioner({
      createBucket: async () => {
        throw new S3RequestError('auth', 'Access Denied', 403, 'AccessDenied');
      },
      setPolicy: async () => {},
    });
    await expect(denied([{ profile: 'p', bucket: 'b' }])).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining("Bucket 'b' of S3 profile 'p'"),
    });
  });
});
