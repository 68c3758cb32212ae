/**
 * One read of a deployed stack's live objects, by the label homeport.dev/stack, for the readiness
 * checks. Secrets are reduced to their names, keys and templates (which hold no values) as soon as
 * they arrive: no value is kept.
 */
import type { KubeGateway } from '../kube/kube-gateway';
import { LEADER_ELECTION_ANNOTATION, STACK_LABEL, TEMPLATES_ANNOTATION } from '../stacks/types';

export interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath?: string };
    configMapKeyRef?: { name: string; key: string };
  };
}

export interface ProbeSpec {
  httpGet?: { path?: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: { command?: string[] };
}

export interface Container {
  name: string;
  image?: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: ProbeSpec;
  readinessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}

export interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  volumes?: {
    name: string;
    persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
    secret?: { secretName?: string };
    configMap?: { name?: string };
  }[];
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface Workload {
  kind: 'Deployment' | 'StatefulSet';
  metadata: Meta;
  spec: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template: PodTemplate;
    volumeClaimTemplates?: { metadata: { name: string }; spec?: { accessModes?: string[] } }[];
  };
  status?: { replicas?: number; readyReplicas?: number };
}

export interface Pod {
  metadata: Meta;
  spec: PodSpec;
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

export interface Service {
  metadata: Meta;
  spec?: {
    selector?: Record<string, string>;
    ports?: { name?: string; port: number; targetPort?: number | string }[];
    sessionAffinity?: string;
  };
}

/** A Secret without its values: which keys it holds, and the templates Homeport fills keys from. */
export interface SecretKeys {
  name: string;
  keys: string[];
  /** Key -> template (`{{secret/key}}` placeholders, never values), from the homeport.dev/templates annotation. */
  templates: Record<string, string>;
}

export interface ConfigMap {
  metadata: Meta;
  data?: Record<string, string>;
}

export interface Pdb {
  metadata: Meta;
  spec?: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: { matchLabels?: Record<string, string> };
  };
}

export interface Hpa {
  metadata: Meta;
  spec?: { scaleTargetRef?: { kind: string; name: string }; minReplicas?: number; maxReplicas?: number };
}

export interface Lease {
  metadata: Meta;
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string };
}

export interface Pvc {
  metadata: Meta;
  spec?: { accessModes?: string[]; volumeName?: string; storageClassName?: string };
  status?: { phase?: string; accessModes?: string[] };
}

export interface Pv {
  metadata: Meta;
  spec?: { accessModes?: string[]; nfs?: { server: string; path: string; readOnly?: boolean } };
  status?: { phase?: string };
}

export interface NetworkPolicy {
  metadata: Meta;
  spec?: { podSelector?: { matchLabels?: Record<string, string> } };
}

export interface Snapshot {
  namespace: string;
  stack: string;
  workloads: Workload[];
  pods: Pod[];
  services: Service[];
  secrets: SecretKeys[];
  configMaps: ConfigMap[];
  pdbs: Pdb[];
  hpas: Hpa[];
  /** The Leases the workloads or the stack's signals name for leader election, and any named after the stack. */
  leases: Lease[];
  pvcs: Pvc[];
  /** The volumes the stack's claims are bound to. */
  pvs: Pv[];
  networkPolicies: NetworkPolicy[];
}

const enc = encodeURIComponent;

/** The revision Secrets of the deploy engine carry the label homeport.dev/revision: not part of the app. */
const REVISION_LABEL = 'homeport.dev/revision';

/** Templates of a Secret's annotation; an annotation that does not parse gives none. */
function templatesOf(annotations: Record<string, string> | undefined): Record<string, string> {
  const raw = annotations?.[TEMPLATES_ANNOTATION];
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return {};
  }
}

/** `leases`: Lease names the stack says its leader election uses. */
export async function readSnapshot(
  gateway: KubeGateway,
  namespace: string,
  stack: string,
  leases: readonly string[] = [],
): Promise<Snapshot> {
  const ns = `namespaces/${enc(namespace)}`;
  const sel = `labelSelector=${enc(`${STACK_LABEL}=${stack}`)}`;
  const list = async <T>(path: string, optional = false): Promise<T[]> => {
    try {
      return (await gateway.listAll<T>(`${path}?${sel}`)).items;
    } catch (err) {
      if (optional) return [];
      throw err;
    }
  };
  const [
    deployments,
    statefulSets,
    pods,
    services,
    rawSecrets,
    configMaps,
    pdbs,
    hpas,
    pvcs,
    networkPolicies,
    allLeases,
  ] = await Promise.all([
    list<Workload>(`/apis/apps/v1/${ns}/deployments`),
    list<Workload>(`/apis/apps/v1/${ns}/statefulsets`),
    list<Pod>(`/api/v1/${ns}/pods`),
    list<Service>(`/api/v1/${ns}/services`),
    list<{ metadata: Meta; data?: Record<string, string> }>(`/api/v1/${ns}/secrets`),
    list<ConfigMap>(`/api/v1/${ns}/configmaps`, true),
    list<Pdb>(`/apis/policy/v1/${ns}/poddisruptionbudgets`, true),
    list<Hpa>(`/apis/autoscaling/v2/${ns}/horizontalpodautoscalers`, true),
    list<Pvc>(`/api/v1/${ns}/persistentvolumeclaims`),
    list<NetworkPolicy>(`/apis/networking.k8s.io/v1/${ns}/networkpolicies`, true),
    // Leases are written by the pods, not rendered by Homeport: they carry no stack label.
    gateway
      .listAll<Lease>(`/apis/coordination.k8s.io/v1/${ns}/leases`)
      .then((r) => r.items)
      .catch(() => [] as Lease[]),
  ]);
  const secrets = rawSecrets
    .filter((s) => !(REVISION_LABEL in (s.metadata.labels ?? {})))
    .map((s) => ({
      name: s.metadata.name,
      keys: Object.keys(s.data ?? {}).sort(),
      templates: templatesOf(s.metadata.annotations),
    }));
  const workloads = [
    ...deployments.map((w) => ({ ...w, kind: 'Deployment' as const })),
    ...statefulSets.map((w) => ({ ...w, kind: 'StatefulSet' as const })),
  ];
  const leaseNames = new Set([
    ...leases,
    ...workloads
      .map((w) => w.spec.template.metadata?.annotations?.[LEADER_ELECTION_ANNOTATION])
      .filter((n): n is string => Boolean(n)),
  ]);
  const pvNames = [...new Set(pvcs.map((c) => c.spec?.volumeName).filter((n): n is string => Boolean(n)))];
  const pvs = (
    await Promise.all(
      pvNames.map((name) =>
        gateway.getJson<Pv>(`/api/v1/persistentvolumes/${enc(name)}`).catch(() => undefined as Pv | undefined),
      ),
    )
  ).filter((pv): pv is Pv => pv !== undefined);
  return {
    namespace,
    stack,
    workloads,
    pods,
    services,
    secrets,
    configMaps,
    pdbs,
    hpas,
    leases: allLeases.filter((l) => leaseNames.has(l.metadata.name) || l.metadata.name.startsWith(`${stack}-`)),
    pvcs,
    pvs,
    networkPolicies,
  };
}
