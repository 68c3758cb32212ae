/**
 * An S3 client for the bucket operations Homeport needs, over node:http(s) with Signature V4.
 * Path style (https://host/bucket) or virtual-host style (https://bucket.host/). Failures are
 * classified (unreachable, tls, timeout, auth, http, not-implemented) and say what to do.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { S3Bucket } from '@shared/storage-schemas';
import type { ErrorCode } from '@shared/contract';
import { bucketName, existingBucketName } from '@shared/names';
import { checkField, errorMessage, HomeportError } from '../errors';
import type { S3Credentials } from './profiles';
import { EMPTY_SHA256, encodePath, sha256Hex, signRequest } from './sigv4';
import { escapeXml, xmlBlocks, xmlText } from './xml';

export type S3FailureReason = 'unreachable' | 'tls' | 'timeout' | 'auth' | 'http' | 'not-implemented';

const AUTH_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'AuthorizationHeaderMalformed',
  'RequestTimeTooSkewed',
  'InvalidToken',
  'ExpiredToken',
  'AccountProblem',
]);

function errorCodeOf(reason: S3FailureReason, status?: number, s3Code?: string): ErrorCode {
  if (reason === 'auth') return s3Code === 'AccessDenied' || (!s3Code && status === 403) ? 'FORBIDDEN' : 'UNAUTHORIZED';
  if (reason !== 'http') return 'UNAVAILABLE';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 400) return 'INVALID_INPUT';
  if (status === 403) return 'FORBIDDEN';
  return 'UNAVAILABLE';
}

export class S3RequestError extends HomeportError {
  constructor(
    readonly reason: S3FailureReason,
    message: string,
    readonly status?: number,
    /** The S3 error code of the answer (NoSuchBucket, BucketNotEmpty, ...). */
    readonly s3Code?: string,
  ) {
    super(errorCodeOf(reason, status, s3Code), message);
    this.name = 'S3RequestError';
  }
}

export interface S3ClientOptions extends S3Credentials {
  /** Names the endpoint in messages; default: the endpoint URL. */
  label?: string;
  /** Per request; default 15 s. */
  timeoutMs?: number;
  /** Host name resolution; default the system's (tests point <bucket>.localhost at loopback). */
  lookup?: LookupFunction;
  /** The CA certificates (PEM) that sign the endpoint's certificate, instead of the system's. */
  ca?: string;
}

export interface S3Call {
  method: 'GET' | 'PUT' | 'DELETE' | 'HEAD' | 'POST';
  bucket?: string;
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  /** What the call does, for messages: "list buckets", "create bucket 'media'". */
  operation: string;
  /** The optional S3 feature the call uses ("bucket policies"): a server without it answers not-implemented. */
  feature?: string;
}

export interface S3Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_BODY = 16 * 1024 * 1024;

const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|EPROTO$|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY|GET)|ERR_OSSL_|HOSTNAME_MISMATCH)/;
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

/** S3 bucket naming rules (shared/names.ts), with a message that names the bucket and the rule it breaks. */
export function validateBucketName(name: unknown): string {
  return checkField(bucketName, 'bucket', name);
}

/** Existing buckets may predate today's rules (upper case, underscores): only what cannot be addressed is refused. */
function checkExistingBucketName(name: unknown): string {
  return checkField(existingBucketName, 'bucket', name);
}

/** Checks a bucket policy: JSON with Version and Statement. Returns it as compact JSON text. */
export function validatePolicy(policy: unknown): string {
  let doc: unknown = policy;
  if (typeof policy === 'string') {
    try {
      doc = JSON.parse(policy);
    } catch (err) {
      throw new HomeportError('INVALID_INPUT', `'policy': is not valid JSON (${errorMessage(err)})`);
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new HomeportError('INVALID_INPUT', `'policy': must be a JSON object with "Version" and "Statement"`);
  }
  const { Version, Statement } = doc as { Version?: unknown; Statement?: unknown };
  if (typeof Version !== 'string' || Version === '') {
    throw new HomeportError('INVALID_INPUT', `'policy': has no "Version" (use "2012-10-17")`);
  }
  const statements = Array.isArray(Statement) ? Statement : Statement === undefined ? [] : [Statement];
  if (statements.length === 0 || statements.some((s) => typeof s !== 'object' || s === null || Array.isArray(s))) {
    throw new HomeportError(
      'INVALID_INPUT',
      `'policy': "Statement" must be a statement object or a non-empty list of them`,
    );
  }
  return JSON.stringify(doc);
}

export function createS3Client(opts: S3ClientOptions) {
  const base = new URL(opts.endpoint);
  const basePath = base.pathname.replace(/\/+$/, '');
  const label = opts.label ?? opts.endpoint;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const transport = base.protocol === 'https:' ? https : http;
  const defaultPort = base.protocol === 'https:' ? 443 : 80;
  // The profile's own CA, for a store whose certificate a private CA signs; no connection is kept.
  const agent = base.protocol === 'https:' && opts.ca ? new https.Agent({ ca: opts.ca, keepAlive: false }) : false;

  function failure(call: S3Call, res: S3Response): S3RequestError {
    const s3Code = xmlText(res.body, 'Code');
    const s3Message = xmlText(res.body, 'Message');
    const said = s3Code ? `${s3Code}${s3Message ? `: ${s3Message}` : ''}` : `HTTP ${res.status}`;
    const prefix = `${label}: ${call.operation} failed (${said})`;
    if (
      s3Code === 'NotImplemented' ||
      res.status === 501 ||
      (call.feature !== undefined && (s3Code === 'MethodNotAllowed' || res.status === 405))
    ) {
      const what = call.feature ? `this server does not support ${call.feature}` : 'this server does not support it';
      return new S3RequestError('not-implemented', `${prefix}: ${what}`, res.status, s3Code ?? 'NotImplemented');
    }
    const key = opts.accessKeyId;
    if ((s3Code && AUTH_CODES.has(s3Code)) || (!s3Code && (res.status === 401 || res.status === 403))) {
      const hint =
        s3Code === 'InvalidAccessKeyId'
          ? `the server does not know access key id '${key}'; check the profile's access key id`
          : s3Code === 'SignatureDoesNotMatch'
            ? `the secret access key does not match access key id '${key}'; enter the secret key again`
            : s3Code === 'AuthorizationHeaderMalformed'
              ? `check the profile's region (now '${opts.region}')`
              : s3Code === 'RequestTimeTooSkewed'
                ? `this machine's clock differs too much from the server's; fix the clock`
                : `access key '${key}' is not allowed to ${call.operation}; grant it on the server`;
      return new S3RequestError('auth', `${prefix}: ${hint}`, res.status, s3Code);
    }
    return new S3RequestError('http', prefix, res.status, s3Code);
  }

  function networkFailure(call: S3Call, err: unknown, timedOut: boolean): S3RequestError {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const prefix = `${label}: ${call.operation} failed`;
    if (timedOut || code === 'ETIMEDOUT') {
      return new S3RequestError(
        'timeout',
        `${prefix}: no answer within ${timeoutMs} ms; check the address and that the server is up`,
      );
    }
    if (TLS_CODES.test(code) || /SSL routines|certificate/i.test(errorMessage(err))) {
      return new S3RequestError(
        'tls',
        `${prefix}: TLS failed (${code || errorMessage(err)}: ${errorMessage(err)}); the server's certificate is not trusted (${opts.ca ? "the profile's CA file does not sign it" : "set the profile's CA certificate file if a private CA signs it"}), does not name ${base.hostname}, or the port does not speak https`,
      );
    }
    const what = UNREACHABLE_CODES.has(code)
      ? code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `the host name ${base.hostname} does not resolve`
        : code === 'ECONNREFUSED'
          ? `nothing listens on ${base.host}`
          : errorMessage(err)
      : errorMessage(err);
    return new S3RequestError('unreachable', `${prefix}: ${what}; check the endpoint URL and that the server is up`);
  }

  /** Where a call goes and how to connect (objects.ts streams its own requests the same way). */
  function route(call: Pick<S3Call, 'bucket' | 'key'>) {
    const virtualHost = !opts.pathStyle && call.bucket !== undefined;
    const rawPath =
      virtualHost || call.bucket === undefined
        ? `${basePath}/${call.key ?? ''}`
        : `${basePath}/${call.bucket}${call.key !== undefined ? `/${call.key}` : ''}`;
    return {
      hostname: (virtualHost ? `${call.bucket}.${base.hostname}` : base.hostname).replace(/^\[|\]$/g, ''),
      host: virtualHost ? `${call.bucket}.${base.host}` : base.host,
      path: encodePath(rawPath),
      port: base.port ? Number(base.port) : defaultPort,
      transport,
      agent,
      ...(opts.lookup ? { lookup: opts.lookup } : {}),
    };
  }

  /** Sends a signed request; a non-2xx answer becomes an S3RequestError. */
  function request(call: S3Call): Promise<S3Response> {
    const { hostname, host, path, port, lookup } = route(call);
    const body = call.body === undefined ? undefined : Buffer.from(call.body, 'utf8');
    const headers: Record<string, string> = { ...call.headers };
    if (body) {
      headers['content-length'] = String(body.length);
      headers['content-md5'] = createHash('md5').update(body).digest('base64');
    }
    const signed = signRequest({
      method: call.method,
      host,
      path,
      query: call.query,
      headers,
      payloadHash: body ? sha256Hex(body) : EMPTY_SHA256,
      region: opts.region,
      accessKeyId: opts.accessKeyId,
      secretAccessKey: opts.secretAccessKey,
    });
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const req = transport.request(
        {
          method: call.method,
          hostname,
          port,
          path: signed.queryString ? `${path}?${signed.queryString}` : path,
          headers: signed.headers,
          agent,
          ...(lookup ? { lookup } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY) {
              req.destroy(new Error(`the answer is larger than ${MAX_BODY} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            clearTimeout(timer);
            const answer = {
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            };
            if (answer.status >= 200 && answer.status < 300) resolve(answer);
            else reject(failure(call, answer));
          });
          res.on('error', (err) => {
            clearTimeout(timer);
            reject(networkFailure(call, err, timedOut));
          });
        },
      );
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy(new Error('timeout'));
      }, timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(networkFailure(call, err, timedOut));
      });
      req.end(body);
    });
  }

  async function listBuckets(): Promise<S3Bucket[]> {
    const res = await request({ method: 'GET', operation: 'list buckets' });
    if (!/<ListAllMyBucketsResult[\s>]/.test(res.body)) {
      throw new S3RequestError(
        'http',
        `${label}: list buckets answered HTTP ${res.status} without a bucket list; is this an S3 endpoint?`,
        res.status,
      );
    }
    const buckets = xmlBlocks(xmlBlocks(res.body, 'Buckets')[0] ?? '', 'Bucket');
    return buckets.flatMap((b) => {
      const name = xmlText(b, 'Name');
      if (!name) return [];
      const createdAt = xmlText(b, 'CreationDate');
      return [createdAt ? { name, createdAt } : { name }];
    });
  }

  /** Creates the bucket; 'exists' when this key owns it already. */
  async function createBucket(name: string, region = opts.region): Promise<'created' | 'exists'> {
    validateBucketName(name);
    const body =
      region && region !== 'us-east-1'
        ? `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${escapeXml(region)}</LocationConstraint></CreateBucketConfiguration>`
        : undefined;
    try {
      await request({ method: 'PUT', bucket: name, body, operation: `create bucket '${name}'` });
      return 'created';
    } catch (err) {
      if (err instanceof S3RequestError && err.s3Code === 'BucketAlreadyOwnedByYou') return 'exists';
      if (err instanceof S3RequestError && err.s3Code === 'BucketAlreadyExists') {
        throw new S3RequestError(
          'http',
          `${label}: bucket '${name}' exists and belongs to another account; pick another name`,
          409,
          err.s3Code,
        );
      }
      throw err;
    }
  }

  function notFound(name: string, err: S3RequestError): S3RequestError {
    return new S3RequestError('http', `${label}: bucket '${name}' does not exist`, 404, err.s3Code);
  }

  function notEmpty(name: string, key?: string): S3RequestError {
    const holds = key ? ` (it holds '${key}' and maybe more)` : '';
    return new S3RequestError(
      'http',
      `${label}: bucket '${name}' is not empty${holds}; Homeport deletes only empty buckets, so empty it first`,
      409,
      'BucketNotEmpty',
    );
  }

  /** Deletes an empty bucket; a bucket with objects is refused. */
  async function deleteBucket(name: string): Promise<void> {
    checkExistingBucketName(name);
    let listing: S3Response;
    try {
      listing = await request({
        method: 'GET',
        bucket: name,
        query: { 'list-type': '2', 'max-keys': '1' },
        operation: `list bucket '${name}'`,
      });
    } catch (err) {
      if (err instanceof S3RequestError && err.s3Code === 'NoSuchBucket') throw notFound(name, err);
      throw err;
    }
    const key = xmlText(listing.body, 'Key');
    const count = Number(xmlText(listing.body, 'KeyCount') ?? '0');
    if (key !== undefined || count > 0) throw notEmpty(name, key);
    try {
      // Versions or delete markers do not show in the listing: the server refuses with BucketNotEmpty.
      await request({ method: 'DELETE', bucket: name, operation: `delete bucket '${name}'` });
    } catch (err) {
      if (err instanceof S3RequestError && err.s3Code === 'NoSuchBucket') throw notFound(name, err);
      if (err instanceof S3RequestError && err.s3Code === 'BucketNotEmpty') throw notEmpty(name);
      throw err;
    }
  }

  /** The bucket policy, or undefined when the bucket has none. */
  async function getPolicy(name: string): Promise<Record<string, unknown> | undefined> {
    checkExistingBucketName(name);
    let res: S3Response;
    try {
      res = await request({
        method: 'GET',
        bucket: name,
        query: { policy: '' },
        operation: `read the policy of bucket '${name}'`,
        feature: 'bucket policies',
      });
    } catch (err) {
      if (err instanceof S3RequestError && err.s3Code === 'NoSuchBucketPolicy') return undefined;
      if (err instanceof S3RequestError && err.s3Code === 'NoSuchBucket') throw notFound(name, err);
      throw err;
    }
    try {
      const doc = JSON.parse(res.body) as unknown;
      if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return doc as Record<string, unknown>;
    } catch {
      // Below: a server that ignores ?policy answers with something else (a listing).
    }
    throw new S3RequestError(
      'not-implemented',
      `${label}: read the policy of bucket '${name}' did not return a policy: this server does not support bucket policies`,
      res.status,
    );
  }

  /** Replaces the bucket policy (JSON with Version and Statement). */
  async function setPolicy(name: string, policy: unknown): Promise<void> {
    checkExistingBucketName(name);
    const text = validatePolicy(policy);
    try {
      await request({
        method: 'PUT',
        bucket: name,
        query: { policy: '' },
        headers: { 'content-type': 'application/json' },
        body: text,
        operation: `set the policy of bucket '${name}'`,
        feature: 'bucket policies',
      });
    } catch (err) {
      if (err instanceof S3RequestError && err.s3Code === 'NoSuchBucket') throw notFound(name, err);
      throw err;
    }
  }

  /** Removes the bucket policy; false when the bucket had none. */
  async function deletePolicy(name: string): Promise<boolean> {
    checkExistingBucketName(name);
    try {
      await request({
        method: 'DELETE',
        bucket: name,
        query: { policy: '' },
        operation: `remove the policy of bucket '${name}'`,
        feature: 'bucket policies',
      });
      return true;
    } catch (err) {
      if (err instanceof S3RequestError && err.s3Code === 'NoSuchBucketPolicy') return false;
      if (err instanceof S3RequestError && err.s3Code === 'NoSuchBucket') throw notFound(name, err);
      throw err;
    }
  }

  const unsupported = (err: unknown) =>
    err instanceof S3RequestError &&
    (err.reason === 'not-implemented' || err.s3Code === 'AccessControlListNotSupported');

  /**
   * Takes public access away: the canned ACL 'private' and no bucket policy. Each part the server
   * lacks is reported 'unsupported'; when it supports neither, that is an error (nothing was done).
   */
  async function makePrivate(
    name: string,
  ): Promise<{ acl: 'private' | 'unsupported'; policy: 'removed' | 'none' | 'unsupported' }> {
    checkExistingBucketName(name);
    let acl: 'private' | 'unsupported' = 'private';
    try {
      await request({
        method: 'PUT',
        bucket: name,
        query: { acl: '' },
        headers: { 'x-amz-acl': 'private' },
        operation: `make bucket '${name}' private`,
        feature: 'bucket ACLs',
      });
    } catch (err) {
      if (err instanceof S3RequestError && err.s3Code === 'NoSuchBucket') throw notFound(name, err);
      if (!unsupported(err)) throw err;
      acl = 'unsupported';
    }
    let policy: 'removed' | 'none' | 'unsupported';
    try {
      const current = await getPolicy(name);
      policy = current === undefined ? 'none' : (await deletePolicy(name)) ? 'removed' : 'none';
    } catch (err) {
      if (!unsupported(err)) throw err;
      policy = 'unsupported';
    }
    if (acl === 'unsupported' && policy === 'unsupported') {
      throw new S3RequestError(
        'not-implemented',
        `${label}: this server does not support bucket ACLs or bucket policies, so Homeport cannot change who may read bucket '${name}'; on such servers a bucket is reachable only with keys the server grants access to it`,
        501,
        'NotImplemented',
      );
    }
    return { acl, policy };
  }

  const bucketOps = { listBuckets, createBucket, deleteBucket, getPolicy, setPolicy, deletePolicy, makePrivate };
  // route and the failure mappers serve objects.ts, which streams the bodies this client buffers.
  return { ...bucketOps, request, route, failure, networkFailure };
}

export type S3Client = ReturnType<typeof createS3Client>;
