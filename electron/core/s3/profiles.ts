/**
 * The S3 endpoint profiles Homeport knows, saved in <dataDir>/s3-profiles.json (0600): where the
 * endpoint is and which access key id to use. The secret access key lives only in the secret store
 * (under s3/<name>/secret-key): never in the JSON, never returned by list().
 */
import { open } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { absolutePath, savedName, storedName } from '@shared/names';
import {
  pathStyleProblem,
  s3AccessKeyId,
  s3Endpoint,
  s3ProfileSchema,
  s3Region,
  s3SecretKey,
  type S3Profile,
} from '@shared/storage-schemas';
import { checkField, HomeportError } from '../errors';
import type { SecretStore } from '../secrets/secret-store';
import { withDirLock } from '../storage/dir-lock';
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

export const secretKeyId = (name: string) => `s3/${name}/secret-key`;

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

export function validateProfileName(name: unknown): string {
  return checkField(savedName, 'name', name);
}

/** Checks and normalizes an endpoint URL (no trailing slash). */
export function validateEndpointUrl(endpoint: unknown): string {
  return checkField(s3Endpoint, 'endpoint', typeof endpoint === 'string' ? endpoint : '');
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

function validatePathStyle(pathStyle: unknown, endpoint: string): boolean {
  if (pathStyle === undefined) return true;
  const style = checkField(z.boolean({ error: 'must be true or false' }), 'pathStyle', pathStyle);
  const problem = pathStyleProblem(style, endpoint);
  if (problem !== undefined) throw new HomeportError('INVALID_INPUT', `'pathStyle': ${problem}`);
  return style;
}

function validateCaFile(caFile: unknown, endpoint: string): string | undefined {
  if (caFile === undefined || caFile === '') return undefined;
  const file = checkField(absolutePath, 'caFile', caFile);
  if (!endpoint.startsWith('https:')) {
    throw new HomeportError(
      'INVALID_INPUT',
      `'caFile': a CA certificate applies to https:// endpoints only; ${endpoint} is plain http`,
    );
  }
  return file;
}

/** Checks a profile with the rules of the contract's s3:add (shared/storage-schemas.ts). */
export function validateProfile(input: S3ProfileInput): S3Profile {
  if (typeof input !== 'object' || input === null) throw new HomeportError('INVALID_INPUT', 'Expected an S3 profile');
  const name = validateProfileName(input.name);
  const endpoint = validateEndpointUrl(input.endpoint);
  const caFile = validateCaFile(input.caFile, endpoint);
  return {
    name,
    endpoint,
    region: input.region === undefined ? DEFAULT_S3_REGION : checkField(s3Region, 'region', input.region),
    pathStyle: validatePathStyle(input.pathStyle, endpoint),
    accessKeyId: checkField(s3AccessKeyId, 'accessKeyId', input.accessKeyId),
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
    validateProfileName(name);
    const found = (await store.read()).profiles.find((p) => p.name === name);
    if (!found) throw new HomeportError('NOT_FOUND', `No S3 profile named '${name}'; add it first`);
    return found;
  }

  async function add(input: S3ProfileInput & { secretAccessKey: string }): Promise<SavedS3Profile> {
    const profile = validateProfile(input);
    const secret = checkField(s3SecretKey, 'secretAccessKey', input?.secretAccessKey);
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
    const secret =
      changes.secretAccessKey === undefined
        ? undefined
        : checkField(s3SecretKey, 'secretAccessKey', changes.secretAccessKey);
    await store.update((s) => {
      if (!s.profiles.some((p) => p.name === name)) {
        throw new HomeportError('NOT_FOUND', `No S3 profile named '${name}'`);
      }
      return { profiles: s.profiles.map((p) => (p.name === name ? profile : p)) };
    });
    if (secret !== undefined) await secrets.set(secretKeyId(name), secret);
    return { profile, warnings: endpointWarnings(profile.endpoint) };
  }

  /** Removes the profile and its secret key; any saved name, even one from before today's rule. */
  async function remove(name: string): Promise<void> {
    checkField(storedName, 'name', name);
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

  // A profile and its secret key change together, under the data directory's lock, so no other
  // process sees (or keeps) one without the other.
  const locked =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A) =>
      withDirLock(opts.dataDir, () => fn(...args));
  return { list, get, add: locked(add), update: locked(update), remove: locked(remove), credentials };
}

export type S3Profiles = ReturnType<typeof createS3Profiles>;
