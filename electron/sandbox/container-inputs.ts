/**
 * What a container's program sees at start, worked out from a pod spec the way a kubelet does:
 * environment (Service links, envFrom, env with `$(VAR)` expansion, Secret/ConfigMap keys, the
 * downward API), arguments, the files of Secret/ConfigMap volumes where they are mounted, and the
 * host names cluster DNS resolves. Errors read like the real kubelet's, so a test sees what a
 * cluster would show.
 */
import { posix } from 'node:path';
import type { ContainerInputs } from '../core/stacks/upstream';
import { RESOURCES, type ResourceType } from './resources';
import type { KObject, Store } from './store';

const R = (plural: string) => RESOURCES.find((r) => r.plural === plural) as ResourceType;
const SECRETS = R('secrets');
const CONFIG_MAPS = R('configmaps');
const SERVICES = R('services');

interface KeyRef {
  name?: string;
  key: string;
  optional?: boolean;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef; fieldRef?: { fieldPath: string } };
}
interface EnvFrom {
  prefix?: string;
  secretRef?: { name?: string; optional?: boolean };
  configMapRef?: { name?: string; optional?: boolean };
}
interface KeyItems {
  items?: { key: string; path: string; mode?: number }[];
  optional?: boolean;
  defaultMode?: number;
}
export interface Volume {
  name: string;
  secret?: KeyItems & { secretName?: string };
  configMap?: KeyItems & { name?: string };
  projected?: {
    defaultMode?: number;
    sources?: { secret?: KeyItems & { name?: string }; configMap?: KeyItems & { name?: string } }[];
  };
  emptyDir?: { medium?: string };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}
export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: EnvFrom[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; subPathExpr?: string; readOnly?: boolean }[];
}

/** A kubelet error: the message it puts on the container status or the FailedMount event. */
export class KubeletError extends Error {}

type Source = { kind: 'secret' | 'configmap'; data: Record<string, string> };

function source(store: Store, ns: string, kind: Source['kind'], name: string): Source | undefined {
  const o = store.peek(kind === 'secret' ? SECRETS : CONFIG_MAPS, ns, name);
  if (!o) return undefined;
  const data: Record<string, string> = {};
  const decode = (m: unknown) => {
    for (const [k, v] of Object.entries((m as Record<string, string> | undefined) ?? {})) {
      data[k] = Buffer.from(v, 'base64').toString();
    }
  };
  if (kind === 'secret') decode(o.data);
  else {
    Object.assign(data, (o.data as Record<string, string> | undefined) ?? {});
    decode(o.binaryData);
  }
  return { kind, data };
}

const kindName = (kind: Source['kind']) => (kind === 'secret' ? 'Secret' : 'ConfigMap');

/** One key of a Secret or ConfigMap for an environment variable; undefined when optional and absent. */
function keyRef(store: Store, ns: string, kind: Source['kind'], ref: KeyRef): string | undefined {
  const src = source(store, ns, kind, ref.name ?? '');
  if (!src) {
    if (ref.optional) return undefined;
    throw new KubeletError(`${kind} "${ref.name ?? ''}" not found`);
  }
  const v = src.data[ref.key];
  if (v === undefined && !ref.optional) {
    throw new KubeletError(`couldn't find key ${ref.key} in ${kindName(kind)} ${ns}/${ref.name ?? ''}`);
  }
  return v;
}

/** Kubernetes' `$(VAR)` expansion: `$$` is a literal `$`, an unknown `$(VAR)` stays as written. */
export function expand(input: string, vars: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const n = input[i + 1];
    if (n === '$') {
      out += '$';
      i++;
    } else if (n === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      out += name in vars ? vars[name] : `$(${name})`;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

function fieldValue(pod: KObject, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m?.[1] && m[2]) return (pod.metadata[m[1]] as Record<string, string> | undefined)?.[m[2]] ?? '';
  const status = pod.status ?? {};
  const fields: Record<string, unknown> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? 'default',
    'status.podIP': status.podIP,
    'status.hostIP': status.hostIP,
    'status.podIPs': ((status.podIPs as { ip: string }[] | undefined) ?? []).map((p) => p.ip).join(','),
  };
  return String(fields[path] ?? '');
}

/** The `<NAME>_SERVICE_HOST` family a kubelet injects for every Service of the namespace (enableServiceLinks). */
function serviceLinks(store: Store, ns: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const svc of store.list(SERVICES, ns)) {
    const ip = svc.spec?.clusterIP as string | undefined;
    const ports = (svc.spec?.ports as { name?: string; port: number; protocol?: string }[] | undefined) ?? [];
    if (!ip || ip === 'None' || ports.length === 0) continue;
    const p = svc.metadata.name.toUpperCase().replace(/-/g, '_');
    const first = ports[0] as { port: number; protocol?: string };
    out[`${p}_SERVICE_HOST`] = ip;
    out[`${p}_SERVICE_PORT`] = String(first.port);
    out[`${p}_PORT`] = `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`;
    for (const port of ports) {
      const proto = port.protocol ?? 'TCP';
      const base = `${p}_PORT_${port.port}_${proto}`;
      if (port.name) out[`${p}_SERVICE_PORT_${port.name.toUpperCase().replace(/-/g, '_')}`] = String(port.port);
      Object.assign(out, {
        [base]: `${proto.toLowerCase()}://${ip}:${port.port}`,
        [`${base}_PROTO`]: proto.toLowerCase(),
        [`${base}_PORT`]: String(port.port),
        [`${base}_ADDR`]: ip,
      });
    }
  }
  return out;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** The container's environment as the kubelet builds it; throws KubeletError on a missing reference. */
export function containerEnv(store: Store, pod: KObject, c: ContainerSpec): Record<string, string> {
  const ns = pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = pod.spec?.enableServiceLinks === false ? {} : serviceLinks(store, ns);
  for (const from of c.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    const kind = from.secretRef ? 'secret' : 'configmap';
    const src = source(store, ns, kind, ref?.name ?? '');
    if (!src) {
      if (ref?.optional) continue;
      throw new KubeletError(`${kind} "${ref?.name ?? ''}" not found`);
    }
    for (const [k, v] of Object.entries(src.data)) {
      const name = `${from.prefix ?? ''}${k}`;
      if (ENV_NAME.test(name)) env[name] = v;
    }
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    let v: string | undefined;
    if (from?.secretKeyRef) v = keyRef(store, ns, 'secret', from.secretKeyRef);
    else if (from?.configMapKeyRef) v = keyRef(store, ns, 'configmap', from.configMapKeyRef);
    else if (from?.fieldRef) v = fieldValue(pod, from.fieldRef.fieldPath);
    else v = expand(e.value ?? '', env);
    if (v !== undefined) env[e.name] = v;
  }
  return env;
}

/** The files of one Secret/ConfigMap volume by relative path; undefined for other volume kinds. */
export function volumeFiles(store: Store, ns: string, v: Volume): Record<string, string> | undefined {
  const parts: { kind: Source['kind']; name: string; spec: KeyItems }[] = [];
  if (v.secret) parts.push({ kind: 'secret', name: v.secret.secretName ?? '', spec: v.secret });
  if (v.configMap) parts.push({ kind: 'configmap', name: v.configMap.name ?? '', spec: v.configMap });
  for (const s of v.projected?.sources ?? []) {
    if (s.secret) parts.push({ kind: 'secret', name: s.secret.name ?? '', spec: s.secret });
    if (s.configMap) parts.push({ kind: 'configmap', name: s.configMap.name ?? '', spec: s.configMap });
  }
  if (parts.length === 0) return undefined;
  const files: Record<string, string> = {};
  const failed = (why: string) => new KubeletError(`MountVolume.SetUp failed for volume "${v.name}" : ${why}`);
  for (const { kind, name, spec } of parts) {
    const src = source(store, ns, kind, name);
    if (!src) {
      if (spec.optional) continue;
      throw failed(`${kind} "${name}" not found`);
    }
    if (!spec.items) {
      Object.assign(files, src.data);
      continue;
    }
    for (const item of spec.items) {
      const value = src.data[item.key];
      if (value !== undefined) files[item.path] = value;
      else if (!spec.optional) {
        throw failed(
          `${kind === 'secret' ? 'secret' : 'configmap'} references non-existent ${kind === 'secret' ? 'secret' : 'config'} key: ${item.key}`,
        );
      }
    }
  }
  return files;
}

export const volumesOf = (pod: KObject) => (pod.spec?.volumes as Volume[] | undefined) ?? [];

/** Why the kubelet cannot set up the pod's volumes (it mounts them all before any container runs). */
export function mountProblem(store: Store, pod: KObject): string | undefined {
  const ns = pod.metadata.namespace ?? 'default';
  for (const v of volumesOf(pod)) {
    try {
      volumeFiles(store, ns, v);
    } catch (err) {
      if (err instanceof KubeletError) return err.message;
      throw err;
    }
  }
  return undefined;
}

/** Host names cluster DNS resolves for the pod: its namespace's Services by short name, every Service by FQDN. */
export function clusterHosts(store: Store, pod: KObject): Set<string> {
  const ns = pod.metadata.namespace ?? 'default';
  const hosts = new Set<string>(['localhost', (pod.spec?.hostname as string | undefined) ?? pod.metadata.name]);
  for (const svc of store.list(SERVICES)) {
    const name = svc.metadata.name;
    const sns = svc.metadata.namespace ?? 'default';
    if (sns === ns) hosts.add(name);
    for (const h of [`${name}.${sns}`, `${name}.${sns}.svc`, `${name}.${sns}.svc.cluster.local`]) hosts.add(h);
  }
  return hosts;
}

/** Everything the program in container `c` sees at start; throws KubeletError as the kubelet would fail. */
export function containerInputs(store: Store, pod: KObject, c: ContainerSpec): ContainerInputs {
  const ns = pod.metadata.namespace ?? 'default';
  const env = containerEnv(store, pod, c);
  const files: Record<string, string> = {};
  const volumes = new Map(volumesOf(pod).map((v) => [v.name, v]));
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    const vf = v ? volumeFiles(store, ns, v) : undefined;
    if (!vf) continue;
    const sub = m.subPath ?? (m.subPathExpr ? expand(m.subPathExpr, env) : undefined);
    if (sub) {
      // A subPath naming no file makes the kubelet create a directory there: the program finds no file.
      const value = vf[posix.normalize(sub)];
      if (value !== undefined) files[posix.normalize(m.mountPath)] = value;
      continue;
    }
    for (const [rel, value] of Object.entries(vf)) files[posix.join(m.mountPath, rel)] = value;
  }
  const args = [...(c.command ?? []).slice(1), ...(c.args ?? [])].map((a) => expand(a, env));
  return { env, args, files, hosts: clusterHosts(store, pod) };
}
