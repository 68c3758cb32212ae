/** Schemas of NAS hosts (SSH), their NFS exports, and S3 endpoint profiles. No secret ever appears here. */
import { z } from 'zod';
import { hostKeySchema, sshFailureReasons } from './ssh-schemas';
import {
  absolutePath,
  bucketName,
  existingBucketName,
  exportPath,
  hostAddress,
  isIPv4,
  isIPv6,
  posixUserName,
  posixUserProblem,
  ruled,
  savedName,
  type Problem,
} from './names';

export const nasAuthKinds = ['key', 'agent', 'password'] as const;

/** A saved NAS host as the renderer sees it: how to reach it, never its credentials. */
export const nasHostSchema = z.object({
  name: z.string(),
  address: z.string(),
  port: z.number().int(),
  user: z.string(),
  auth: z.enum(nasAuthKinds),
  /** For key auth: the private key file on this machine. */
  keyFile: z.string().optional(),
  /** A passphrase or password is stored (encrypted); its value never leaves the main process. */
  hasSecret: z.boolean(),
});
export type NasHost = z.infer<typeof nasHostSchema>;

export const nasProbeSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('connected'),
    host: z.string(),
    /** PRETTY_NAME of /etc/os-release, or uname. */
    os: z.string(),
    /** exportfs is installed (nfs-kernel-server or the NAS's own NFS server). */
    nfsServer: z.boolean(),
    /** Commands that need root run as root, or through `sudo -n`. */
    privilege: z.enum(['root', 'sudo', 'none']),
    /** Free space of candidate export locations. */
    paths: z.array(z.object({ path: z.string(), freeBytes: z.number(), totalBytes: z.number() })),
  }),
  z.object({
    status: z.literal('failed'),
    host: z.string(),
    reason: z.enum(sshFailureReasons),
    message: z.string(),
    /** For an unknown host key: what the user is asked to accept. */
    hostKey: hostKeySchema.optional(),
  }),
]);
export type NasProbe = z.infer<typeof nasProbeSchema>;

export const squashOptions = ['root_squash', 'no_root_squash', 'all_squash'] as const;

/** An NFS export Homeport manages (its own drop-in file under /etc/exports.d/). */
export const nfsExportSchema = z.object({
  /** Names the drop-in file: /etc/exports.d/homeport-<name>.exports */
  name: z.string(),
  path: z.string(),
  /** Addresses or CIDRs allowed to mount it (the cluster's nodes). */
  clients: z.array(z.string()),
  readOnly: z.boolean(),
  squash: z.enum(squashOptions),
  /** exportfs -v lists it as active. */
  active: z.boolean(),
  /** The options exportfs reports for it. */
  options: z.string().optional(),
});
export type NfsExport = z.infer<typeof nfsExportSchema>;

/** A saved S3 endpoint profile as the renderer sees it: no keys. */
export const s3ProfileSchema = z.object({
  name: z.string(),
  /** https://s3.nas.lan:9000 */
  endpoint: z.string(),
  region: z.string(),
  pathStyle: z.boolean(),
  /** The access key id is shown (it names the user); the secret key never is. */
  accessKeyId: z.string(),
  /** A CA certificate file on this machine that signs the endpoint's certificate (a private CA). */
  caFile: z.string().optional(),
});
export type S3Profile = z.infer<typeof s3ProfileSchema>;

export const s3BucketSchema = z.object({ name: z.string(), createdAt: z.string().optional() });
export type S3Bucket = z.infer<typeof s3BucketSchema>;

export const s3TestSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('connected'), profile: z.string(), buckets: z.number().int(), latencyMs: z.number() }),
  z.object({
    status: z.literal('failed'),
    profile: z.string(),
    reason: z.enum(['unreachable', 'tls', 'timeout', 'auth', 'http']),
    message: z.string(),
  }),
]);
export type S3Test = z.infer<typeof s3TestSchema>;

// ---- inputs: what the contract, the core services and the CLI accept ----------------------------

/** A password, passphrase or key typed by the user: sent once to the main process, never sent back. */
export const typedSecret = z
  .string()
  .min(1, 'is empty: leave the field out instead')
  .max(4096)
  .refine((v) => !v.includes('\0'), 'must not contain a NUL byte');

export const sshPort = z
  .number({ error: 'use a whole number from 1 to 65535 (SSH uses 22)' })
  .int('use a whole number from 1 to 65535 (SSH uses 22)')
  .min(1, 'use a whole number from 1 to 65535 (SSH uses 22)')
  .max(65535, 'use a whole number from 1 to 65535 (SSH uses 22)');

/**
 * The rules between auth, keyFile and secret of a NAS host, as a field and its message. `adding`:
 * a new host with password auth needs the password (an edit may keep the stored one).
 */
export function nasAuthProblem(
  input: { auth?: unknown; keyFile?: unknown; secret?: unknown; user?: unknown },
  adding: boolean,
): { field: 'auth' | 'keyFile' | 'secret'; message: string } | undefined {
  const { auth } = input;
  if (typeof auth !== 'string' || !(nasAuthKinds as readonly string[]).includes(auth)) {
    return {
      field: 'auth',
      message: `${JSON.stringify(auth)} is not an authentication method: use 'key', 'agent' or 'password'`,
    };
  }
  // Key auth may leave the key file out: the IdentityFile of ~/.ssh/config (or the agent) is used.
  if (
    auth === 'key' &&
    input.keyFile !== undefined &&
    (typeof input.keyFile !== 'string' || input.keyFile.trim() === '')
  ) {
    return {
      field: 'keyFile',
      message:
        'enter the absolute path of the private key file on this machine (e.g. /home/me/.ssh/id_ed25519), or leave it out to use the IdentityFile of ~/.ssh/config',
    };
  }
  if (auth !== 'key' && input.keyFile !== undefined) {
    return { field: 'keyFile', message: `a key file is only used with auth 'key'; remove it or switch auth to 'key'` };
  }
  if (auth === 'agent' && input.secret !== undefined) {
    return {
      field: 'secret',
      message: `auth 'agent' uses the keys of the SSH agent; remove the password or switch auth`,
    };
  }
  if (adding && auth === 'password' && input.secret === undefined) {
    return { field: 'secret', message: `auth 'password' needs the password of '${String(input.user)}'` };
  }
  return undefined;
}

export const nasHostInputSchema = z
  .object({
    name: savedName,
    address: hostAddress,
    port: sshPort.optional(),
    user: posixUserName,
    auth: z.enum(nasAuthKinds),
    /** For key auth: the private key file on this machine. */
    keyFile: absolutePath.optional(),
    /** The key's passphrase, or the password. */
    secret: typedSecret.optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    const problem = nasAuthProblem(input, true);
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });
export type NasHostInput = z.input<typeof nasHostInputSchema>;

/** A NAS host named in a request. */
export const nasRefSchema = z.object({ host: savedName }).strict();

function canonicalIp(ip: string): string {
  return isIPv6(ip) ? new URL(`http://[${ip}]/`).hostname.replace(/^\[|\]$/g, '') : ip;
}

const ipv4Number = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const NFS_HOST_PATTERN = /^[A-Za-z0-9*?](?:[A-Za-z0-9*?-]*[A-Za-z0-9*?])?$/;

/** An NFS client: `*`, an IP address, a CIDR (network bits only), a host name or a wildcard (`*.lan`). */
export function nfsClientProblem(client: string): Problem {
  const c = client.trim();
  if (c === '') return 'a client is empty; enter an address (192.168.1.10), a CIDR (10.0.0.0/24) or a host name';
  if (c === '*' || isIPv4(c) || isIPv6(c)) return undefined;
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(c);
  if (cidr && (isIPv4(cidr[1]!) || isIPv6(cidr[1]!))) {
    const v4 = isIPv4(cidr[1]!);
    const bits = Number(cidr[2]);
    if (bits > (v4 ? 32 : 128)) return `"${c}": a prefix length is at most ${v4 ? 32 : 128}`;
    if (v4 && bits < 32) {
      const n = ipv4Number(cidr[1]!);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      const network = (n & mask) >>> 0;
      if (network !== n) {
        const net = [24, 16, 8, 0].map((s) => (network >>> s) & 255).join('.');
        return `"${c}" has host bits set; write the network as ${net}/${bits}`;
      }
    }
    return undefined;
  }
  if (c.length <= 253 && c.split('.').every((l) => NFS_HOST_PATTERN.test(l))) return undefined;
  return `"${c}" is not a client NFS understands here: use an IP address (192.168.1.10), a CIDR (10.0.0.0/24, fd00::/64), a host name (node1.lan) or a wildcard (*.lan)`;
}

/** A valid client in the form exportfs reports it: trimmed, lower case, IPv6 compressed. */
export function normalizeNfsClient(client: string): string {
  const c = client.trim();
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(c);
  if (cidr) return `${canonicalIp(cidr[1]!).toLowerCase()}/${Number(cidr[2])}`;
  return canonicalIp(c).toLowerCase();
}
export const nfsClient = ruled(nfsClientProblem);

/** The owner of an exported directory: a user name (its login group), or numeric uid:gid. */
export function exportOwnerProblem(v: string): Problem {
  const ids = /^(\d{1,10}):(\d{1,10})$/.exec(v);
  if (ids) {
    return Number(ids[1]) <= 4294967294 && Number(ids[2]) <= 4294967294
      ? undefined
      : `"${v}": uid and gid are whole numbers from 0 to 4294967294`;
  }
  return posixUserProblem(v) === undefined
    ? undefined
    : `${JSON.stringify(v)} is not a user name nor uid:gid; use a name like media, or numbers like 1000:1000`;
}
export const exportOwner = ruled(exportOwnerProblem);

/** An octal permission mode for a directory, like 0755 or 2775. */
export const fileMode = ruled((v) =>
  /^[0-7]{3,4}$/.test(v) ? undefined : `${JSON.stringify(v)} is not an octal mode; write it like '0755' or '2775'`,
);

export const exportInputSchema = z
  .object({
    host: savedName,
    name: savedName,
    path: exportPath,
    clients: z
      .array(nfsClient)
      .min(1, 'enter at least one client allowed to mount the export (for example 10.0.0.0/24)'),
    readOnly: z.boolean(),
    squash: z.enum(squashOptions),
    owner: exportOwner.optional(),
    mode: fileMode.optional(),
  })
  .strict();
export type ExportInput = z.input<typeof exportInputSchema>;

/** Checks an S3 endpoint URL: http(s), no credentials, no query. */
export function s3EndpointProblem(v: string): Problem {
  const text = v.trim();
  if (text === '') return 'enter the S3 endpoint URL, for example https://s3.nas.lan:9000';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL; write it as https://host[:port], for example https://s3.nas.lan:9000`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"${text}" must start with https:// (or http://), not ${url.protocol}//`;
  }
  if (url.username || url.password)
    return `"${text}" holds credentials; enter the keys in their own fields, not in the URL`;
  if (url.search || url.hash) return `"${text}" has a query or fragment; give only https://host[:port][/path]`;
  return undefined;
}

/** The endpoint as saved: scheme, host, port and path, without a trailing slash. */
export function normalizeS3Endpoint(v: string): string {
  const url = new URL(v.trim());
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

export const s3Endpoint = z
  .string()
  .max(2048)
  .superRefine((v, ctx) => {
    const message = s3EndpointProblem(v);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  })
  .transform(normalizeS3Endpoint);

export const s3Region = ruled((v) =>
  /^[A-Za-z0-9_-]{1,64}$/.test(v)
    ? undefined
    : `${JSON.stringify(v)} must be letters, digits, hyphens or underscores (us-east-1 for MinIO and SeaweedFS, garage for Garage)`,
);

export const s3AccessKeyId = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const message =
      v === ''
        ? 'enter the access key id the S3 server gave you'
        : /^[\x21-\x7e]{1,128}$/.test(v)
          ? undefined
          : 'must be up to 128 printable characters without spaces';
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });

/** Never echoed: only what is wrong with it. */
export const s3SecretKey = z
  .string()
  .superRefine((v, ctx) => {
    const message =
      v.trim() === ''
        ? 'enter the secret access key that goes with the access key id'
        : /[\r\n\0]/.test(v) || v.length > 256
          ? 'must be one line of at most 256 characters'
          : undefined;
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  })
  .transform((v) => v.trim());

/** Virtual-host style puts the bucket in the host name, which an IP address cannot have. */
export function pathStyleProblem(pathStyle: boolean, endpoint: string): Problem {
  if (s3EndpointProblem(endpoint) !== undefined) return undefined;
  const host = new URL(endpoint.trim()).hostname.replace(/^\[|\]$/g, '');
  return !pathStyle && (isIPv4(host) || isIPv6(host))
    ? `virtual-host style puts the bucket in the host name, which ${endpoint} (an IP address) cannot have; use path style`
    : undefined;
}

export const s3ProfileInputSchema = z
  .object({
    name: savedName,
    endpoint: s3Endpoint,
    /** Default 'us-east-1' (MinIO and SeaweedFS accept it; Garage's default is 'garage'). */
    region: s3Region.optional(),
    /** Default true: bucket in the path, as MinIO, Garage and SeaweedFS expect. */
    pathStyle: z.boolean().optional(),
    accessKeyId: s3AccessKeyId,
    secretAccessKey: s3SecretKey,
    /** A CA certificate file on this machine that signs the endpoint's certificate (a private CA). */
    caFile: absolutePath.optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    const message = pathStyleProblem(input.pathStyle ?? true, input.endpoint);
    if (message !== undefined) ctx.addIssue({ code: 'custom', path: ['pathStyle'], message });
  });
export type S3ProfileInput = z.input<typeof s3ProfileInputSchema>;

/** A bucket to create; the bucket of the other bucket channels may predate today's naming rules. */
export const newBucketRefSchema = z.object({ profile: savedName, bucket: bucketName }).strict();
export const bucketRefSchema = z.object({ profile: savedName, bucket: existingBucketName }).strict();
