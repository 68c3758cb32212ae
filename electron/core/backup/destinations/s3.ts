/**
 * A backup destination under a prefix of a saved S3 profile's bucket. Objects are written by
 * S3Objects.put: one PUT for a small file, a multipart upload completed only at the end (and
 * aborted otherwise) for a large one, so a key holds a whole file or nothing.
 */
import type { Readable } from 'node:stream';
import { HomeportError } from '../../errors';
import { S3RequestError } from '../../s3/client';
import type { S3Objects } from '../../s3/objects';
import type { BackupDestination, DestinationEntry } from '../destination';
import { holdErrors, pathSegments, writeFailure } from './paths';

export interface S3DestinationOptions {
  bucket: string;
  /** '' or segments joined by '/'. */
  prefix: string;
  label: string;
  /** Multipart part size; default S3Objects' (8 MiB). */
  partBytes?: number;
}

export function createS3Destination(objects: S3Objects, opts: S3DestinationOptions): BackupDestination {
  const { bucket, label } = opts;
  const prefix = opts.prefix.replace(/\/+$/, '');
  const keyOf = (segments: string[]) => [...(prefix ? [prefix] : []), ...segments].join('/');

  async function write(path: string, data: Readable, wopts: { signal?: AbortSignal } = {}) {
    const key = keyOf(pathSegments(path, label, 'refused'));
    holdErrors(data);
    try {
      return await objects.put(bucket, key, data, {
        ...(wopts.signal ? { signal: wopts.signal } : {}),
        ...(opts.partBytes ? { partBytes: opts.partBytes } : {}),
      });
    } catch (err) {
      throw writeFailure(label, path, err, wopts.signal);
    }
  }

  async function read(path: string, ropts: { signal?: AbortSignal } = {}): Promise<Readable> {
    const key = keyOf(pathSegments(path, label, 'refused'));
    try {
      return await objects.get(bucket, key, ropts);
    } catch (err) {
      if (err instanceof S3RequestError && err.status === 404 && err.s3Code !== 'NoSuchBucket') {
        throw new HomeportError(
          'NOT_FOUND',
          `${label}: ${path} does not exist (no object '${key}' in bucket '${bucket}')`,
        );
      }
      throw err;
    }
  }

  async function list(dir: string): Promise<DestinationEntry[]> {
    const segments = pathSegments(dir, label, 'allowed');
    const under = segments.length > 0 || prefix ? `${keyOf(segments)}/` : '';
    const entries: DestinationEntry[] = [];
    for await (const entry of objects.list(bucket, under, { delimiter: '/' })) {
      if ('prefix' in entry) entries.push({ name: entry.prefix.slice(under.length).replace(/\/$/, ''), kind: 'dir' });
      else if (entry.key.length > under.length) {
        entries.push({ name: entry.key.slice(under.length), kind: 'file', bytes: entry.bytes });
      }
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async function remove(path: string): Promise<void> {
    const key = keyOf(pathSegments(path, label, 'refused'));
    await objects.remove(bucket, key);
    // A folder is every key under it; the listing is read whole first, as deleting while paging skips keys.
    const under: string[] = [];
    for await (const entry of objects.list(bucket, `${key}/`)) if ('key' in entry) under.push(entry.key);
    for (const k of under) await objects.remove(bucket, k);
  }

  return { label, write, read, list, remove, close: async () => undefined };
}
