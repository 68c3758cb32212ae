/**
 * Building blocks of stack values schemas, shared by every stack (catalog and user stacks): sizes,
 * images, replica counts, ports, and the NFS place a stack mounts (a saved NAS export or a server and
 * path). Each carries the message the user sees when the value is wrong, naming the fix.
 */
import { z } from 'zod';
import { kubernetesOnly } from '@shared/deploy-form-schemas';
import { hostNameProblem, imageRef, isIPv4, k8sName, savedName } from '@shared/names';

/** An absolute path without whitespace, quotes or shell metacharacters. */
export const SAFE_PATH = /^\/[^\s'"`;$\\&|<>]*$/;
/** A storage quantity ('10Gi', '1Ti', '500M'). */
export const QUANTITY = /^[0-9]+(?:\.[0-9]+)?(?:Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

export const image = (fallback: string) => imageRef.default(fallback).meta({ title: 'Image' });
export const quantity = (fallback: string) =>
  z.string().regex(QUANTITY, { message: "must be a size like '10Gi' or '1Ti'" }).default(fallback);
/** A StorageClass name; left out, the cluster's default class. Docker Swarm has no StorageClass. */
export const storageClass = k8sName
  .optional()
  .meta({ title: 'Storage class', ...kubernetesOnly })
  .describe("Kubernetes StorageClass (empty: the cluster's default)");
export const storage = (size: string) =>
  z
    .strictObject({ size: quantity(size).meta({ title: 'Size' }), storageClass })
    .prefault({})
    .meta({ title: 'Storage' });
export const replicas = (fallback: number) =>
  z
    .number()
    .int()
    .min(1, { message: 'must be at least 1' })
    .max(100, { message: 'must be at most 100' })
    .default(fallback)
    .meta({ title: 'Replicas' });
export const port = z.number().int().min(1, { message: 'must be a port from 1 to 65535' }).max(65535, {
  message: 'must be a port from 1 to 65535',
});

/**
 * A saved NAS host, export or S3 profile: the very rule the contract and the Storage screen apply
 * to the names they save, so any saved name can be referenced and nothing else can.
 */
export const refName = (what: string) => savedName.describe(`Name of a saved ${what}`);

/**
 * A saved NAS host and one of Homeport's exports on it; resolved into server and path at deploy
 * time (electron/core/references). Any values object of the shape `{ nas, server, path }` is one.
 */
export const nasExportRef = z
  .strictObject({
    host: refName('NAS host').meta({ title: 'NAS host' }).describe('Saved NAS host'),
    export: refName('NFS export').meta({ title: 'Export' }).describe('Export Homeport manages on that host'),
  })
  .optional()
  .meta({ title: 'Saved NAS export' })
  .describe('A saved NAS host and one of its exports; replaces server and path');

export const nfsServer = z
  .string()
  .refine((s) => hostNameProblem(s) === undefined || isIPv4(s), {
    message: 'must be a hostname (nas.lan) or an IPv4 address (192.168.1.10); remove spaces and symbols',
  })
  .optional()
  .meta({ title: 'NFS server' });

export const nfsPath = z
  .string()
  .regex(SAFE_PATH, { message: "must be an absolute path like /export/media, without spaces, quotes or ';'" })
  .optional()
  .meta({ title: 'Exported path' });

const autoscaleFields = {
  enabled: z.boolean().default(false).meta({ title: 'Autoscale' }),
  min: z.number().int().min(1, { message: 'must be at least 1' }).default(2).meta({ title: 'Minimum replicas' }),
  max: z
    .number()
    .int()
    .min(1, { message: 'must be at least 1' })
    .max(100)
    .default(10)
    .meta({ title: 'Maximum replicas' }),
  cpuPercent: z.number().int().min(1).max(100).default(70).meta({ title: 'Target CPU use (%)' }),
};
const memoryPercent = z.number().int().min(1).max(100).default(80).meta({ title: 'Target memory use (%)' });
const minNotAboveMax = (a: { min: number; max: number }) => a.min <= a.max;
const minAboveMax = { message: 'must not be above max', path: ['min'] };

/** Autoscaling of a component on CPU use (off by default, 2–10 replicas at 70 %). */
export const autoscaleOnCpu = z
  .strictObject(autoscaleFields)
  .refine(minNotAboveMax, minAboveMax)
  .prefault({})
  .meta({ title: 'Autoscaling' });

/** Autoscaling on CPU and memory use (memory at 80 % by default). */
export const autoscaleOnCpuAndMemory = z
  .strictObject({ ...autoscaleFields, memoryPercent })
  .refine(minNotAboveMax, minAboveMax)
  .prefault({})
  .meta({ title: 'Autoscaling' });
