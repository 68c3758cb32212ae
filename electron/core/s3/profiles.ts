/**
 * The S3 endpoint profiles Homeport knows, saved in <dataDir>/s3-profiles.json (0600): where the
 * endpoint is and which access key id to use. The secret access key lives only in the secret store
 * (under s3/<name>/secret-key): never in the JSON, never returned by list().
 */
import { open } from 'node:fs/promises';
import { isIP } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { s3ProfileSchema, type S3Profile } from '@shared/storage-schemas';
import { HomeportError } from '../errors';
import type { SecretStore } from '../secrets/secret-store';
import { JsonStore } from '../storage/json-store';

export const DEFAULT_S3_REGION = 'us-east-1';

export interface S3ProfileInput {
  name: string;
  /** http(s)://host[:port][/prefix] */
  endpoint: string;
  /** Default 'us-east-1' (MinIO and SeaweedFS accept it; Garage's default is 'garage'). */
  region?: string;
  /** Default true: bucket in the path, as MinIO, Garage and SeaweedFS expect. */
  pathStyle?: boolean;
  accessKeyId: string;
  /** A CA certificate file (absolute path) for an endpoint whose certificate a private CA signs. */
  caFile?: string;
}

/** What a client needs to sign requests; for the main process only (never sent to the renderer). */
export interface S3Credentials {
  endpoint: string;
  region: string;
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /** The profile's CA certificate file, read when a client is made (readProfileCa). */
  caFile?: string;
}

export interface SavedS3Profile {
  profile: S3Profile;
  /** Things the user should know about this profile (plain http across the network). */
  warnings: string[];
}

const storeSchema = z.object({ profiles: z.array(s3ProfileSchema) });

const invalid = (field: string, message: string) => new HomeportError('INVALID_INPUT', `'${field}': ${message}`);

export const secretKeyId = (name: string) => `s3/${name}/secret-key`;

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

export function validateProfileName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-z0-9-]{1,63}$/.test(name)) {
    throw invalid(
      'name',
      `"${String(name)}" must be 1 to 63 lowercase letters, digits or hyphens (for example nas-minio)`,
    );
  }
  return name;
}

/** Checks and normalizes an endpoint URL (no trailing slash). */
export function validateEndpointUrl(endpoint: unknown): string {
  const text = typeof endpoint === 'string' ? endpoint.trim() : '';
  if (text === '') throw invalid('endpoint', 'enter the S3 endpoint URL, for example https://s3.nas.lan:9000');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(
      'endpoint',
      `"${text}" is not a URL; write it as https://host[:port], for example https://s3.nas.lan:9000`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('endpoint', `"${text}" must start with https:// (or http://), not ${url.protocol}//`);
  }
  if (url.username || url.password) {
    throw invalid('endpoint', `"${text}" holds credentials; enter the keys in their own fields, not in the URL`);
  }
  if (url.search || url.hash) {
    throw invalid('endpoint', `"${text}" has a query or fragment; give only https://host[:port][/path]`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The warning for plain http to another machine: keys are signed, but data and bucket names travel in clear. */
export function endpointWarnings(endpoint: string): string[] {
  const url = new URL(endpoint);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return [
      `${endpoint} uses plain http to another machine: object data and bucket names cross the network unencrypted. Use https if the server offers it.`,
    ];
  }
  return [];
}

function validateRegion(region: unknown): string {
  if (region === undefined || region === '') return DEFAULT_S3_REGION;
  if (typeof region !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(region)) {
    throw invalid(
      'region',
      `"${String(region)}" must be letters, digits, hyphens or underscores (us-east-1 for MinIO and SeaweedFS, garage for Garage)`,
    );
  }
  return region;
}

function validateAccessKeyId(id: unknown): string {
  const text = typeof id === 'string' ? id.trim() : '';
  if (text === '') throw invalid('accessKeyId', 'enter the access key id the S3 server gave you');
  if (!/^[\x21-\x7e]{1,128}$/.test(text)) {
    throw invalid('accessKeyId', 'must be up to 128 printable characters without spaces');
  }
  return text;
}

function validateSecretKey(secret: unknown): string {
  if (typeof secret !== 'string' || secret.trim() === '') {
    throw invalid('secretAccessKey', 'enter the secret access key that goes with the access key id');
  }
  if (/[\r\n]/.test(secret) || secret.length > 256) {
    throw invalid('secretAccessKey', 'must be one line of at most 256 characters');
  }
  return secret.trim();
}

function validatePathStyle(pathStyle: unknown, endpoint: string): boolean {
  if (pathStyle === undefined) return true;
  if (typeof pathStyle !== 'boolean') throw invalid('pathStyle', 'must be true or false');
  if (!pathStyle && isIP(new URL(endpoint).hostname.replace(/^\[|\]$/g, ''))) {
    throw invalid(
      'pathStyle',
      `virtual-host style puts the bucket in the host name, which ${endpoint} (an IP address) cannot have; use path style`,
    );
  }
  return pathStyle;
}

function validateCaFile(caFile: unknown, endpoint: string): string | undefined {
  if (caFile === undefined || caFile === '') return undefined;
  if (typeof caFile !== 'string' || !isAbsolute(caFile.trim()) || caFile.includes('\0') || caFile.length > 4096) {
    throw invalid('caFile', 'give the absolute path of the CA certificate file (PEM), for example /etc/ssl/nas-ca.pem');
  }
  if (!endpoint.startsWith('https:')) {
    throw invalid('caFile', `a CA certificate applies to https:// endpoints only; ${endpoint} is plain http`);
  }
  return caFile.trim();
}

export function validateProfile(input: S3ProfileInput): S3Profile {
  if (typeof input !== 'object' || input === null) throw new HomeportError('INVALID_INPUT', 'Expected an S3 profile');
  const name = validateProfileName(input.name);
  const endpoint = validateEndpointUrl(input.endpoint);
  const caFile = validateCaFile(input.caFile, endpoint);
  return {
    name,
    endpoint,
    region: validateRegion(input.region),
    pathStyle: validatePathStyle(input.pathStyle, endpoint),
    accessKeyId: validateAccessKeyId(input.accessKeyId),
    ...(caFile !== undefined ? { caFile } : {}),
  };
}

const MAX_CA_BYTES = 1024 * 1024;

/** Reads a profile's CA certificate file (at most 1 MiB of PEM), saying which profile and field when it cannot. */
export async function readProfileCa(profile: string, caFile: string): Promise<string> {
  const fail = (why: string) =>
    new HomeportError(
      'INVALID_INPUT',
      `S3 profile '${profile}': 'caFile' ${caFile} ${why}; point it at the CA certificate (PEM)`,
    );
  let text: string;
  try {
    const handle = await open(caFile, 'r');
    try {
      const buf = Buffer.alloc(MAX_CA_BYTES + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      if (bytesRead > MAX_CA_BYTES) throw fail('is larger than 1 MiB');
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof HomeportError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'is not readable by Homeport'
          : `cannot be read (${code})`,
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw fail('holds no PEM certificate');
  return text;
}

export function createS3Profiles(opts: { dataDir: string; secrets: SecretStore }) {
  const store = new JsonStore(join(opts.dataDir, 's3-profiles.json'), storeSchema, () => ({ profiles: [] }));
  const { secrets } = opts;

  async function list(): Promise<S3Profile[]> {
    return (await store.read()).profiles.map((p) => ({ ...p }));
  }

  async function get(name: string): Promise<S3Profile> {
    const found = (await store.read()).profiles.find((p) => p.name === name);
    if (!found) throw new HomeportError('NOT_FOUND', `No S3 profile named '${name}'; add it first`);
    return found;
  }

  async function add(input: S3ProfileInput & { secretAccessKey: string }): Promise<SavedS3Profile> {
    const profile = validateProfile(input);
    const secret = validateSecretKey(input?.secretAccessKey);
    await store.update((s) => {
      if (s.profiles.some((p) => p.name === profile.name)) {
        throw new HomeportError(
          'CONFLICT',
          `'name': an S3 profile named '${profile.name}' exists already; pick another name or remove it first`,
        );
      }
      return { profiles: [...s.profiles, profile] };
    });
    try {
      await secrets.set(secretKeyId(profile.name), secret);
    } catch (err) {
      // A profile without its secret is useless: undo the add.
      await store.update((s) => ({ profiles: s.profiles.filter((p) => p.name !== profile.name) })).catch(() => {});
      throw err;
    }
    return { profile, warnings: endpointWarnings(profile.endpoint) };
  }

  /** Changes a profile; the secret key stays as it is unless a new one is given. The name cannot change. */
  async function update(
    name: string,
    changes: Partial<Omit<S3ProfileInput, 'name'>> & { secretAccessKey?: string },
  ): Promise<SavedS3Profile> {
    validateProfileName(name);
    const current = await get(name);
    const profile = validateProfile({ ...current, ...changes, name });
    const secret = changes.secretAccessKey === undefined ? undefined : validateSecretKey(changes.secretAccessKey);
    await store.update((s) => {
      if (!s.profiles.some((p) => p.name === name)) {
        throw new HomeportError('NOT_FOUND', `No S3 profile named '${name}'`);
      }
      return { profiles: s.profiles.map((p) => (p.name === name ? profile : p)) };
    });
    if (secret !== undefined) await secrets.set(secretKeyId(name), secret);
    return { profile, warnings: endpointWarnings(profile.endpoint) };
  }

  /** Removes the profile and its secret key. */
  async function remove(name: string): Promise<void> {
    validateProfileName(name);
    await store.update((s) => {
      if (!s.profiles.some((p) => p.name === name)) {
        throw new HomeportError('NOT_FOUND', `No S3 profile named '${name}'`);
      }
      return { profiles: s.profiles.filter((p) => p.name !== name) };
    });
    await secrets.delete(secretKeyId(name));
  }

  /** The profile with its secret key, for the main process only (clients, cluster secrets at deploy). */
  async function credentials(name: string): Promise<S3Credentials> {
    const profile = await get(name);
    const secretAccessKey = await secrets.get(secretKeyId(name));
    if (secretAccessKey === undefined) {
      throw new HomeportError(
        'NOT_FOUND',
        `S3 profile '${name}' has no stored secret access key; edit the profile and enter the secret key again`,
      );
    }
    const { endpoint, region, pathStyle, accessKeyId, caFile } = profile;
    return { endpoint, region, pathStyle, accessKeyId, secretAccessKey, ...(caFile ? { caFile } : {}) };
  }

  return { list, get, add, update, remove, credentials };
}

export type S3Profiles = ReturnType<typeof createS3Profiles>;
