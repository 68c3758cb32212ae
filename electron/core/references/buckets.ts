/**
 * The buckets a deploy names in saved S3 profiles, made to exist before the stack starts: created
 * private when missing, with anonymous read of the keys browsers load straight from the store
 * (the stack's signals say which: Revenge's avatar URLs point into the bucket).
 */
import { errorMessage, HomeportError } from '../errors';
import { S3RequestError } from '../s3/client';
import type { S3Service } from '../s3/s3-service';

export interface BucketNeeds {
  profile: string;
  bucket: string;
}

/** A bucket policy letting anyone read the objects under prefix, and nothing else. */
export function publicReadPolicy(bucket: string, prefix: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'HomeportPublicRead',
        Effect: 'Allow',
        Principal: { AWS: ['*'] },
        Action: ['s3:GetObject'],
        Resource: [`arn:aws:s3:::${bucket}/${prefix}*`],
      },
    ],
  };
}

export function createBucketProvisioner(s3: Pick<S3Service, 'createBucket' | 'setPolicy'>) {
  return async function ensureBuckets(buckets: readonly BucketNeeds[], publicPrefix?: string): Promise<void> {
    for (const { profile, bucket } of buckets) {
      try {
        await s3.createBucket(profile, bucket, { private: true });
        if (publicPrefix) await s3.setPolicy(profile, bucket, publicReadPolicy(bucket, publicPrefix));
      } catch (err) {
        // A store without bucket policies: the bucket exists; browsers need the store's own sharing.
        if (err instanceof S3RequestError && err.reason === 'not-implemented') continue;
        throw new HomeportError(
          err instanceof HomeportError ? err.code : 'UNAVAILABLE',
          `Bucket '${bucket}' of S3 profile '${profile}': ${errorMessage(err)}`,
        );
      }
    }
  };
}
