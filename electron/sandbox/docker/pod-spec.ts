/**
 * A pod's container as a Docker container, built the way a kubelet builds it: command and args
 * over the image's entrypoint and cmd (expanded with the environment), the environment as
 * container-inputs.ts works it out, Secret/ConfigMap volumes as read-only files written on this
 * machine and bind-mounted (a subPath as the single file), emptyDir and claims as writable
 * directories, and the names of the Services that select the pod as network aliases.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { containerEnv, expand, volumeFiles, volumesOf, type ContainerSpec, type Volume } from '../container-inputs';
import { RESOURCES, type ResourceType } from '../resources';
import type { KObject, Store } from '../store';

const SERVICES = RESOURCES.find((r) => r.plural === 'services') as ResourceType;

export type PodContainer = ContainerSpec & {
  workingDir?: string;
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
  securityContext?: SecurityContext;
};
interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}
interface ServicePort {
  port: number;
  targetPort?: number | string;
}

export const SANDBOX_LABEL = 'homeport.dev/sandbox';

/** Where a pod's files live on this machine: its own directory, and the claims' shared one. */
export interface PodDirs {
  pod: string;
  claims: string;
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/**
 * The names cluster DNS gives this container's address: every Service of the namespace that
 * selects the pod (short and qualified), and the pod's own `hostname.subdomain` for StatefulSets.
 * When a Service's target ports belong to some of the pod's containers, only those get its name.
 */
export function serviceAliases(store: Store, pod: KObject, c: PodContainer): string[] {
  const ns = pod.metadata.namespace ?? 'default';
  const containers = (pod.spec?.containers as PodContainer[] | undefined) ?? [];
  const owns = (container: PodContainer, target: number | string) =>
    (container.ports ?? []).some((p) => p.containerPort === target || (p.name !== undefined && p.name === target));
  const names = new Set<string>();
  const qualified = (name: string) => [name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
  for (const svc of store.list(SERVICES, ns)) {
    if (!selects(svc.spec?.selector as Record<string, string> | undefined, pod.metadata.labels)) continue;
    const targets = ((svc.spec?.ports as ServicePort[] | undefined) ?? []).map((p) => p.targetPort ?? p.port);
    const owners = containers.filter((x) => targets.some((t) => owns(x, t)));
    if (owners.length > 0 && !owners.some((x) => x.name === c.name)) continue;
    for (const n of qualified(svc.metadata.name)) names.add(n);
  }
  const hostname = (pod.spec?.hostname as string | undefined) ?? pod.metadata.name;
  const subdomain = pod.spec?.subdomain as string | undefined;
  if (subdomain) for (const n of qualified(`${hostname}.${subdomain}`)) names.add(n);
  return [...names].sort();
}

const modeOf = (v: Volume) => v.secret?.defaultMode ?? v.configMap?.defaultMode ?? v.projected?.defaultMode ?? 0o644;

interface Mount {
  Type: 'bind';
  Source: string;
  Target: string;
  ReadOnly: boolean;
}

/**
 * Writes the files of the container's volumes under `dirs` and returns the bind mounts. Throws
 * KubeletError (from container-inputs.ts) when a Secret or ConfigMap it needs is missing.
 */
export async function prepareMounts(
  store: Store,
  pod: KObject,
  c: PodContainer,
  env: Record<string, string>,
  dirs: PodDirs,
): Promise<Mount[]> {
  const ns = pod.metadata.namespace ?? 'default';
  const volumes = new Map(volumesOf(pod).map((v) => [v.name, v]));
  const mounts: Mount[] = [];
  const files = join(dirs.pod, 'files', c.name);
  await rm(files, { recursive: true, force: true });
  for (const [i, m] of (c.volumeMounts ?? []).entries()) {
    const v = volumes.get(m.name);
    if (!v) continue;
    const sub = m.subPath ?? (m.subPathExpr ? expand(m.subPathExpr, env) : undefined);
    const target = posix.normalize(m.mountPath);
    const content = volumeFiles(store, ns, v);
    if (content) {
      // A fresh directory per mount: the program sees exactly the volume's keys, read-only.
      const dir = join(files, String(i));
      await mkdir(dir, { recursive: true, mode: 0o755 });
      for (const [rel, value] of Object.entries(content)) {
        const path = join(dir, posix.normalize(rel));
        await mkdir(dirname(path), { recursive: true, mode: 0o755 });
        await writeFile(path, value, { mode: modeOf(v) });
      }
      if (sub) {
        const value = content[posix.normalize(sub)];
        // A subPath naming no key: the kubelet makes an empty directory there.
        const source = value !== undefined ? join(dir, posix.normalize(sub)) : join(dir, `.empty-${i}`);
        if (value === undefined) await mkdir(source, { recursive: true });
        mounts.push({ Type: 'bind', Source: source, Target: target, ReadOnly: true });
      } else mounts.push({ Type: 'bind', Source: dir, Target: target, ReadOnly: true });
      continue;
    }
    let base: string | undefined;
    let readOnly = m.readOnly ?? false;
    if (v.emptyDir) base = join(dirs.pod, 'empty', v.name);
    else if (v.persistentVolumeClaim) {
      base = join(dirs.claims, ns, v.persistentVolumeClaim.claimName);
      readOnly ||= v.persistentVolumeClaim.readOnly ?? false;
    }
    if (!base) continue;
    const source = sub ? join(base, posix.normalize(sub)) : base;
    await mkdir(source, { recursive: true });
    // Any user the image runs as may write there, as in an emptyDir or a local-path volume.
    await chmod(source, 0o777);
    mounts.push({ Type: 'bind', Source: source, Target: target, ReadOnly: readOnly });
  }
  return mounts;
}

/** What the kubelet would run: the environment, then command and args expanded with it. */
export function processOf(store: Store, pod: KObject, c: PodContainer) {
  const env = containerEnv(store, pod, c);
  const command = c.command?.length ? c.command.map((a) => expand(a, env)) : undefined;
  const args = c.args?.length ? c.args.map((a) => expand(a, env)) : undefined;
  return { env, command, args };
}

/** The engine's container-create body for container `c` of `pod` at address `ip` on `network`. */
export function createBody(
  store: Store,
  pod: KObject,
  c: PodContainer,
  opts: { env: Record<string, string>; command?: string[]; args?: string[]; mounts: Mount[] },
  net: { network: string; ip: string; sandboxId: string },
) {
  const podCtx = (pod.spec?.securityContext as SecurityContext | undefined) ?? {};
  const ctx = { ...podCtx, ...c.securityContext };
  const user =
    ctx.runAsUser !== undefined
      ? `${ctx.runAsUser}${ctx.runAsGroup !== undefined ? `:${ctx.runAsGroup}` : ''}`
      : undefined;
  const hostAliases = (pod.spec?.hostAliases as { ip: string; hostnames?: string[] }[] | undefined) ?? [];
  return {
    Image: c.image,
    ...(opts.command ? { Entrypoint: opts.command } : {}),
    ...(opts.args ? { Cmd: opts.args } : {}),
    Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`),
    Hostname: ((pod.spec?.hostname as string | undefined) ?? pod.metadata.name).slice(0, 63),
    ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
    ...(user ? { User: user } : {}),
    Tty: c.tty ?? false,
    OpenStdin: c.stdin ?? false,
    StdinOnce: c.stdinOnce ?? false,
    Labels: {
      [SANDBOX_LABEL]: net.sandboxId,
      'io.kubernetes.pod.name': pod.metadata.name,
      'io.kubernetes.pod.namespace': pod.metadata.namespace ?? 'default',
      'io.kubernetes.pod.uid': pod.metadata.uid ?? '',
      'io.kubernetes.container.name': c.name,
    },
    HostConfig: {
      NetworkMode: net.network,
      Mounts: opts.mounts,
      ReadonlyRootfs: ctx.readOnlyRootFilesystem ?? false,
      ...(ctx.capabilities?.add ? { CapAdd: ctx.capabilities.add } : {}),
      ...(ctx.capabilities?.drop ? { CapDrop: ctx.capabilities.drop } : {}),
      ExtraHosts: hostAliases.flatMap((h) => (h.hostnames ?? []).map((n) => `${n}:${h.ip}`)),
    },
    NetworkingConfig: {
      EndpointsConfig: {
        [net.network]: { Aliases: serviceAliases(store, pod, c), IPAMConfig: { IPv4Address: net.ip } },
      },
    },
  };
}
