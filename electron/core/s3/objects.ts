/**
 * Streaming object operations on an S3 endpoint: list (ListObjectsV2, paged), get (the body as a
 * stream), put (one PUT for a small object, else a multipart upload holding one part in memory at
 * a time) and remove. Backups write through it, and copy a stack's bucket objects with it.
 *
 * Every payload is signed with its SHA-256: a part is buffered anyway, so hashing it costs one pass
 * and the server checks every byte (no UNSIGNED-PAYLOAD, even over plain http). A multipart upload
 * is completed only when the whole stream arrived; on any failure or abort it is aborted, so
 * nothing appears at the key.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { addAbortSignal, type Readable } from 'node:stream';
import { HomeportError } from '../errors';
import { createS3Client, S3RequestError, type S3Call, type S3ClientOptions } from './client';
import { readProfileCa, type S3Profiles } from './profiles';
import { EMPTY_SHA256, signRequest } from './sigv4';
import { escapeXml, xmlBlocks, xmlText } from './xml';

export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
/** S3 allows at most 10,000 parts per upload. */
const MAX_PARTS = 10_000;
/** An error answer's body is read for its code and message only. */
const MAX_ERROR_BODY = 64 * 1024;

export type S3ListEntry = { key: string; bytes: number } | { prefix: string };

export interface S3Objects {
  /** Objects (and, with a delimiter, the common prefixes) under `prefix`, every page. */
  list(
    bucket: string,
    prefix?: string,
    opts?: { delimiter?: string; /** Keys per page; default the server's (1000). */ pageSize?: number },
  ): AsyncIterable<S3ListEntry>;
  /** The object's bytes as a stream; NOT_FOUND (S3RequestError) when there is no such object. */
  get(bucket: string, key: string, opts?: { signal?: AbortSignal }): Promise<Readable>;
  /** Streams `data` to the key; nothing appears there unless all of it arrived. */
  put(
    bucket: string,
    key: string,
    data: Readable,
    opts?: { signal?: AbortSignal; partBytes?: number },
  ): Promise<{ bytes: number }>;
  remove(bucket: string, key: string): Promise<void>;
}

export function createS3Objects(opts: S3ClientOptions): S3Objects & { readonly label: string } {
  const client = createS3Client(opts);
  const label = opts.label ?? opts.endpoint;
  const timeoutMs = opts.timeoutMs ?? 15_000;

  const cancelled = (operation: string) => new HomeportError('UNAVAILABLE', `${label}: ${operation} was cancelled`);

  /** One signed request with a Buffer body (or none); resolves with the answer's head once it is 2xx. */
  function send(call: S3Call, body: Buffer[] | undefined, signal?: AbortSignal): Promise<http.IncomingMessage> {
    const { hostname, host, path, port, transport, agent, lookup } = client.route(call);
    const headers: Record<string, string> = { ...call.headers };
    const length = body?.reduce((sum, chunk) => sum + chunk.length, 0) ?? 0;
    if (body) headers['content-length'] = String(length);
    let payloadHash = EMPTY_SHA256;
    if (length > 0) {
      const hash = createHash('sha256');
      for (const chunk of body ?? []) hash.update(chunk);
      payloadHash = hash.digest('hex');
    }
    const signed = signRequest({
      method: call.method,
      host,
      path,
      query: call.query,
      headers,
      payloadHash,
      region: opts.region,
      accessKeyId: opts.accessKeyId,
      secretAccessKey: opts.secretAccessKey,
    });
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled(call.operation));
      let idle = false;
      const req = transport.request(
        {
          method: call.method,
          hostname,
          port,
          path: signed.queryString ? `${path}?${signed.queryString}` : path,
          headers: signed.headers,
          agent,
          ...(lookup ? { lookup } : {}),
          ...(signal ? { signal } : {}),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(res);
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_ERROR_BODY) chunks.push(chunk);
          });
          res.on('end', () =>
            reject(
              client.failure(call, { status, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
            ),
          );
          res.on('error', (err) => reject(client.networkFailure(call, err, idle)));
        },
      );
      // An idle limit, not a total one: a large body may take long, but never silent for long.
      req.setTimeout(timeoutMs, () => {
        idle = true;
        req.destroy(new Error('timeout'));
      });
      req.on('error', (err) => {
        if (signal?.aborted) reject(cancelled(call.operation));
        else reject(client.networkFailure(call, err, idle));
      });
      for (const chunk of body ?? []) req.write(chunk);
      req.end();
    });
  }

  async function* list(
    bucket: string,
    prefix = '',
    listOpts: { delimiter?: string; pageSize?: number } = {},
  ): AsyncIterable<S3ListEntry> {
    let token: string | undefined;
    do {
      const query: Record<string, string> = { 'list-type': '2', prefix };
      if (listOpts.delimiter) query.delimiter = listOpts.delimiter;
      if (listOpts.pageSize) query['max-keys'] = String(listOpts.pageSize);
      if (token) query['continuation-token'] = token;
      const res = await client.request({
        method: 'GET',
        bucket,
        query,
        operation: `list bucket '${bucket}'${prefix ? ` under '${prefix}'` : ''}`,
      });
      for (const block of xmlBlocks(res.body, 'Contents')) {
        const key = xmlText(block, 'Key');
        if (key !== undefined) yield { key, bytes: Number(xmlText(block, 'Size') ?? '0') };
      }
      for (const block of xmlBlocks(res.body, 'CommonPrefixes')) {
        const p = xmlText(block, 'Prefix');
        if (p !== undefined) yield { prefix: p };
      }
      token = xmlText(res.body, 'IsTruncated') === 'true' ? xmlText(res.body, 'NextContinuationToken') : undefined;
    } while (token);
  }

  async function get(bucket: string, key: string, getOpts: { signal?: AbortSignal } = {}): Promise<Readable> {
    const res = await send(
      { method: 'GET', bucket, key, operation: `read object '${key}' in bucket '${bucket}'` },
      undefined,
      getOpts.signal,
    );
    return getOpts.signal ? addAbortSignal(getOpts.signal, res) : res;
  }

  /**
   * Reads the source in parts of `size` bytes (the last may be smaller), one part at a time, kept
   * as the source's own chunks: no copy is made, so a part costs its size in memory.
   */
  function partsOf(data: Readable, size: number) {
    const iterator = data[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let leftover: Buffer | undefined;
    let ended = false;
    return async (): Promise<{ part: Buffer[]; length: number; last: boolean }> => {
      const part: Buffer[] = [];
      let length = 0;
      const take = (chunk: Buffer) => {
        const room = size - length;
        if (chunk.length > room) {
          leftover = chunk.subarray(room);
          chunk = chunk.subarray(0, room);
        }
        part.push(chunk);
        length += chunk.length;
      };
      if (leftover) {
        const chunk = leftover;
        leftover = undefined;
        take(chunk);
      }
      while (length < size && !ended && !leftover) {
        const next = await iterator.next();
        if (next.done) ended = true;
        else take(next.value);
      }
      return { part, length, last: ended && !leftover };
    };
  }

  async function put(
    bucket: string,
    key: string,
    data: Readable,
    putOpts: { signal?: AbortSignal; partBytes?: number } = {},
  ): Promise<{ bytes: number }> {
    const { signal } = putOpts;
    const partBytes = putOpts.partBytes ?? DEFAULT_PART_BYTES;
    if (partBytes < MIN_PART_BYTES) {
      throw new HomeportError('INVALID_INPUT', `'partBytes': S3 parts are at least ${MIN_PART_BYTES} bytes (5 MiB)`);
    }
    const what = `upload object '${key}' to bucket '${bucket}'`;
    const source = signal ? addAbortSignal(signal, data) : data;
    const next = partsOf(source, partBytes);
    const guard = async <T>(step: Promise<T>): Promise<T> => {
      try {
        return await step;
      } catch (err) {
        // Anything else is the source's own error, for the caller that gave the stream.
        if (signal?.aborted) throw cancelled(what);
        throw err;
      }
    };

    const first = await guard(next());
    if (first.last) {
      const res = await guard(send({ method: 'PUT', bucket, key, operation: what }, first.part, signal));
      res.resume();
      return { bytes: first.length };
    }

    const created = await client.request({ method: 'POST', bucket, key, query: { uploads: '' }, operation: what });
    const uploadId = xmlText(created.body, 'UploadId');
    if (!uploadId) throw new S3RequestError('http', `${label}: ${what}: the server started no multipart upload`);
    const etags: string[] = [];
    let bytes = 0;
    try {
      let current = first;
      for (;;) {
        if (current.length > 0 || etags.length === 0) {
          if (etags.length >= MAX_PARTS) {
            throw new HomeportError(
              'INVALID_INPUT',
              `${label}: ${what}: more than ${MAX_PARTS} parts; use larger parts`,
            );
          }
          const partNumber = etags.length + 1;
          const res = await guard(
            send(
              {
                method: 'PUT',
                bucket,
                key,
                query: { partNumber: String(partNumber), uploadId },
                operation: `${what} (part ${partNumber})`,
              },
              current.part,
              signal,
            ),
          );
          res.resume();
          const etag = res.headers.etag;
          if (!etag)
            throw new S3RequestError('http', `${label}: ${what}: part ${partNumber} came back without an ETag`);
          etags.push(etag);
          bytes += current.length;
        }
        if (current.last) break;
        current = await guard(next());
      }
      signal?.throwIfAborted();
      const body =
        '<CompleteMultipartUpload>' +
        etags
          .map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`)
          .join('') +
        '</CompleteMultipartUpload>';
      const done = await client.request({ method: 'POST', bucket, key, query: { uploadId }, body, operation: what });
      // S3 may answer 200 and report the failure in the body.
      if (/<Error[\s>]/.test(done.body))
        throw client.failure({ method: 'POST', operation: what }, { ...done, status: 500 });
      return { bytes };
    } catch (err) {
      // Parts of an upload never completed are not an object; aborting frees the server's space.
      await client
        .request({ method: 'DELETE', bucket, key, query: { uploadId }, operation: `abort ${what}` })
        .catch(() => undefined);
      data.destroy();
      if (signal?.aborted) throw cancelled(what);
      throw err;
    }
  }

  async function remove(bucket: string, key: string): Promise<void> {
    await client.request({ method: 'DELETE', bucket, key, operation: `delete object '${key}' in bucket '${bucket}'` });
  }

  return { label, list, get, put, remove };
}

/** Object operations with a saved profile's keys (read from the secret store; they stay in the main process). */
export async function openS3Objects(
  profiles: Pick<S3Profiles, 'credentials'>,
  name: string,
  timeoutMs?: number,
): Promise<S3Objects & { readonly label: string }> {
  const { caFile, ...creds } = await profiles.credentials(name);
  const ca = caFile ? await readProfileCa(name, caFile) : undefined;
  return createS3Objects({
    ...creds,
    ...(ca ? { ca } : {}),
    label: `${creds.endpoint} (S3 profile '${name}')`,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
}
