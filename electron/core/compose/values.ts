/**
 * The values of a user stack: what a user tweaks per deploy, with the compose file's settings as
 * defaults (so `{}` deploys the file as mapped).
 *
 *   services.<service>.image            the image (default: the file's)
 *   services.<service>.replicas         instances (default: deploy.replicas, scale, or 1)
 *   services.<service>.ports.<target>   the host port a published port is published on (Swarm)
 *   volumes.<volume>                    where its data lives, by the volume's mapping kind:
 *       nas / nfs: { nas?: {host, export}, server?, path?, readOnly }   (a saved NAS export's
 *                  server and path are filled in at deploy time, as for catalog stacks' `nfs`)
 *       claim:     { size, storageClass? }
 *   ingress                             { enabled, host, service, port }: an HTTP entry point
 *                                       (Kubernetes, where published ports are not rendered)
 */
import { z } from 'zod';
import { dnsName } from '@shared/names';
import type { ComposeMapping, VolumeMapping } from '@shared/user-stack-schemas';
import type { ComposeProject } from './project';
import {
  image,
  nasExportRef,
  nfsPath,
  nfsServer,
  port,
  quantity,
  replicas,
  storageClass,
} from '../stacks/values-common';

/** A volume's values: the NFS place (nas / nfs mappings) or the claim's size and class. */
export type VolumeValues =
  | { nas?: { host: string; export: string }; server?: string; path?: string; readOnly: boolean }
  | { size: string; storageClass?: string };

export interface UserStackValues {
  services: Record<string, { image: string; replicas: number; ports: Record<string, number> }>;
  volumes: Record<string, VolumeValues>;
  ingress: { enabled: boolean; host?: string; service: string; port: number };
}

/** The mapping a volume deploys with: the user's, else the import's suggestion. */
export function volumeMappingOf(p: ComposeProject, mapping: ComposeMapping, volume: string): VolumeMapping {
  return (
    mapping.volumes[volume] ?? p.volumes.find((v) => v.name === volume)?.suggested ?? { kind: 'claim', size: '10Gi' }
  );
}

function volumeSchema(m: VolumeMapping) {
  if (m.kind === 'claim') {
    const cls = m.storageClass !== undefined ? storageClass.default(m.storageClass) : storageClass;
    return z.strictObject({ size: quantity(m.size), storageClass: cls }).prefault({});
  }
  const nas = m.kind === 'nas' ? nasExportRef.default({ host: m.host, export: m.export }) : nasExportRef;
  return z
    .strictObject({
      nas,
      server: m.kind === 'nfs' ? nfsServer.default(m.server) : nfsServer,
      path: m.kind === 'nfs' ? nfsPath.default(m.path) : nfsPath,
      readOnly: z.boolean().default(m.readOnly),
    })
    .prefault({});
}

/** The component users reach: the first service publishing a port, else the first service. */
export function primaryService(p: ComposeProject): string {
  return (p.services.find((s) => s.ports.length > 0) ?? p.services[0])?.name ?? '';
}

export function userStackValuesSchema(p: ComposeProject, mapping: ComposeMapping): z.ZodType<UserStackValues> {
  const services = Object.fromEntries(
    p.services.map((s) => [
      s.name,
      z
        .strictObject({
          image: image(s.image),
          replicas: replicas(Math.max(1, s.replicas)),
          ports: z
            .strictObject(
              Object.fromEntries(s.ports.map((pp) => [String(pp.target), port.default(pp.published ?? pp.target)])),
            )
            .prefault({}),
        })
        .prefault({}),
    ]),
  );
  const used = new Set(p.services.flatMap((s) => s.mounts.map((m) => m.volume)));
  const volumes = Object.fromEntries(
    p.volumes.filter((v) => used.has(v.name)).map((v) => [v.name, volumeSchema(volumeMappingOf(p, mapping, v.name))]),
  );
  const primary = p.services.find((s) => s.name === primaryService(p));
  const names = p.services.map((s) => s.name) as [string, ...string[]];
  return z
    .strictObject({
      services: z.strictObject(services).prefault({}),
      volumes: z.strictObject(volumes).prefault({}),
      ingress: z
        .strictObject({
          enabled: z.boolean().default(false),
          host: dnsName.optional().describe('Host name the stack is reached at'),
          service: z.enum(names).default(names[0] === undefined ? '' : (primary?.name ?? names[0])),
          port: port.default(primary?.ports[0]?.target ?? primary?.expose[0] ?? 80),
        })
        .refine((i) => !i.enabled || i.host !== undefined, { message: 'give the host name', path: ['host'] })
        .prefault({}),
    })
    .prefault({}) as unknown as z.ZodType<UserStackValues>;
}
