/** Schemas of NAS hosts (SSH), their NFS exports, and S3 endpoint profiles. No secret ever appears here. */
import { z } from 'zod';
import { hostKeySchema, sshFailureReasons } from './ssh-schemas';

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
