/**
 * Renders a StackModel to Kubernetes objects, in apply order. The output is a pure function of
 * its input: the same model, stack name and namespace give byte-identical objects.
 *
 * Conventions:
 * - Components keep their model name as object name (Services are reachable as `postgres`, ...).
 * - Stateless components become Deployments, stateful ones StatefulSets with a headless Service
 *   (`<name>-headless`) for stable identities, a ClusterIP Service and a ReadWriteOnce claim
 *   template named `data`.
 * - An autoscaled Deployment has no `spec.replicas`: the HorizontalPodAutoscaler owns the count,
 *   and re-applying the stack must not reset it.
 * - Shared NFS volumes become a cluster-scoped PersistentVolume `<namespace>-<stack>-<volume>`
 *   bound by name to the claim `<stack>-<volume>`.
 * - Generated secret keys are listed in an annotation and never carry values here. So are provided
 *   keys (homeport.dev/provided-keys, homeport.dev/provided-by=homeport): the deploy engine fills
 *   them from the ProvidedSecrets it is given.
 */
import { createHash } from 'node:crypto';
import { checkModel, type Component, type HealthCheck, type InstanceField, type Probe, type StackModel } from './model';
import {
  GENERATED_KEYS_ANNOTATION,
  LEADER_ELECTION_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  PROVIDED_BY_ANNOTATION,
  PROVIDED_KEYS_ANNOTATION,
  STACK_LABEL,
  type KubeObject,
} from './types';

export const NAME_LABEL = 'app.kubernetes.io/name';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
/** On a pod template: hash of the component's configuration (never of secret values), so changes roll pods. */
export const CONFIG_HASH_ANNOTATION = 'homeport.dev/config-hash';

export interface KubernetesRenderContext {
  stack: string;
  namespace: string;
}

const FIELD_PATHS: Record<InstanceField, string> = {
  instanceName: 'metadata.name',
  namespace: 'metadata.namespace',
  instanceIp: 'status.podIP',
  hostName: 'spec.nodeName',
};

/** Kinds in apply order; objects of the same kind keep the model's order. */
const APPLY_ORDER = [
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Secret',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Service',
  'StatefulSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'Ingress',
];

export function renderKubernetesObjects(model: StackModel, ctx: KubernetesRenderContext): KubeObject[] {
  checkModel(model);
  const r = new Renderer(ctx);
  const out: KubeObject[] = [];
  for (const secret of model.secrets) out.push(r.secret(secret));
  for (const volume of model.volumes) out.push(...r.sharedVolume(volume));
  for (const c of model.components) {
    if (c.leaderElection) out.push(...r.leaderElectionAccess(c, c.leaderElection.lease));
    out.push(...r.services(c));
    out.push(r.workload(c, model));
    if (c.autoscale) out.push(r.autoscaler(c, c.autoscale));
    if (c.disruptionBudget) out.push(r.disruptionBudget(c, c.disruptionBudget.minAvailable));
    if (c.acceptsFrom) out.push(r.networkPolicy(c));
  }
  if (model.ingress) out.push(r.ingress(model.ingress));
  return out
    .map((o, i) => ({ o, i, k: APPLY_ORDER.indexOf(o.kind) }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((x) => x.o);
}

class Renderer {
  constructor(private readonly ctx: KubernetesRenderContext) {}

  private labels(component?: string): Record<string, string> {
    const labels: Record<string, string> = {
      [MANAGED_BY_LABEL]: MANAGED_BY,
      [STACK_LABEL]: this.ctx.stack,
      [PART_OF_LABEL]: this.ctx.stack,
    };
    labels[NAME_LABEL] = component ?? this.ctx.stack;
    return labels;
  }

  private selector(component: string): Record<string, string> {
    return { [STACK_LABEL]: this.ctx.stack, [NAME_LABEL]: component };
  }

  private meta(name: string, component?: string, annotations?: Record<string, string>) {
    return {
      name,
      namespace: this.ctx.namespace,
      labels: this.labels(component),
      ...(annotations ? { annotations } : {}),
    };
  }

  secret(secret: StackModel['secrets'][number]): KubeObject {
    const generated = secret.keys.filter((k) => k.generated).map((k) => k.key);
    const provided = secret.keys.filter((k) => k.provided && !k.generated).map((k) => k.key);
    const plain = secret.keys.filter((k) => !k.generated && !k.provided);
    const annotations: Record<string, string> =
      provided.length > 0 ? providedSecretAnnotations(provided) : { [GENERATED_KEYS_ANNOTATION]: generated.join(',') };
    if (provided.length > 0 && generated.length > 0) annotations[GENERATED_KEYS_ANNOTATION] = generated.join(',');
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: this.meta(secret.name, undefined, sortKeys(annotations)),
      type: 'Opaque',
    };
    if (plain.length > 0) obj.stringData = Object.fromEntries(plain.map((k) => [k.key, k.value ?? '']));
    return obj;
  }

  private claimName(volume: string): string {
    return `${this.ctx.stack}-${volume}`;
  }

  sharedVolume(volume: StackModel['volumes'][number]): KubeObject[] {
    const mode = volume.readOnly ? 'ReadOnlyMany' : 'ReadWriteMany';
    const pvName = `${this.ctx.namespace}-${this.ctx.stack}-${volume.name}`;
    const { namespace: _ns, ...pvMeta } = this.meta(pvName);
    return [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: pvMeta,
        spec: {
          capacity: { storage: volume.size },
          accessModes: [mode],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: '',
          nfs: { server: volume.server, path: volume.path, readOnly: volume.readOnly },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: this.meta(this.claimName(volume.name)),
        spec: {
          accessModes: [mode],
          storageClassName: '',
          volumeName: pvName,
          resources: { requests: { storage: volume.size } },
        },
      },
    ];
  }

  leaderElectionAccess(c: Component, lease: string): KubeObject[] {
    return [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: this.meta(c.name, c.name) },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: this.meta(`${c.name}-leader-election`, c.name),
        rules: [
          // Creating and listing cannot be restricted to one name; reading and renewing can.
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'list', 'watch'] },
          {
            apiGroups: ['coordination.k8s.io'],
            resources: ['leases'],
            resourceNames: [lease],
            verbs: ['get', 'update', 'patch'],
          },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: this.meta(`${c.name}-leader-election`, c.name),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${c.name}-leader-election` },
        subjects: [{ kind: 'ServiceAccount', name: c.name, namespace: this.ctx.namespace }],
      },
    ];
  }

  private servicePorts(c: Component) {
    return c.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' }));
  }

  services(c: Component): KubeObject[] {
    if (c.ports.length === 0) return [];
    const out: KubeObject[] = [];
    if (c.stateful) {
      out.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: this.meta(`${c.name}-headless`, c.name),
        spec: {
          clusterIP: 'None',
          publishNotReadyAddresses: true,
          selector: this.selector(c.name),
          ports: this.servicePorts(c),
        },
      });
    }
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: this.meta(c.name, c.name),
      spec: { type: 'ClusterIP', selector: this.selector(c.name), ports: this.servicePorts(c) },
    });
    return out;
  }

  private probe(p: Probe | undefined, c: Component): Record<string, unknown> | undefined {
    if (!p) return undefined;
    const out: Record<string, unknown> = { ...handler(p.check, c) };
    if (p.initialDelaySeconds !== undefined) out.initialDelaySeconds = p.initialDelaySeconds;
    if (p.periodSeconds !== undefined) out.periodSeconds = p.periodSeconds;
    if (p.timeoutSeconds !== undefined) out.timeoutSeconds = p.timeoutSeconds;
    if (p.failureThreshold !== undefined) out.failureThreshold = p.failureThreshold;
    return out;
  }

  private container(c: Component): Record<string, unknown> {
    const env = [
      ...c.identityEnv.map((e) => ({
        name: e.name,
        valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: FIELD_PATHS[e.field] } },
      })),
      ...c.secretEnv.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } })),
      ...c.env.map((e) => ({ name: e.name, value: e.value })),
    ];
    const mounts = [
      ...(c.data ? [{ name: 'data', mountPath: c.data.mountPath }] : []),
      ...c.mounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, readOnly: m.readOnly })),
    ];
    return compact({
      name: c.name,
      image: c.image,
      imagePullPolicy: pullPolicy(c.image),
      command: c.command ? [...c.command] : undefined,
      args: c.args ? [...c.args] : undefined,
      ports: c.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
      env: env.length > 0 ? env : undefined,
      volumeMounts: mounts.length > 0 ? mounts : undefined,
      resources: compact({ requests: amounts(c.resources.requests), limits: amounts(c.resources.limits) }),
      startupProbe: this.probe(c.probes.startup, c),
      livenessProbe: this.probe(c.probes.liveness, c),
      readinessProbe: this.probe(c.probes.readiness, c),
    });
  }

  private podTemplate(c: Component, model: StackModel): Record<string, unknown> {
    const annotations: Record<string, string> = { [CONFIG_HASH_ANNOTATION]: configHash(c, model) };
    if (c.leaderElection) annotations[LEADER_ELECTION_ANNOTATION] = c.leaderElection.lease;
    if (c.metrics) {
      annotations['prometheus.io/scrape'] = 'true';
      annotations['prometheus.io/port'] = String(c.metrics.port);
      annotations['prometheus.io/path'] = c.metrics.path;
    }
    const volumes = c.mounts.map((m) => ({
      name: m.volume,
      persistentVolumeClaim: { claimName: this.claimName(m.volume), readOnly: m.readOnly },
    }));
    return {
      metadata: { labels: this.labels(c.name), annotations: sortKeys(annotations) },
      spec: compact({
        serviceAccountName: c.leaderElection ? c.name : undefined,
        automountServiceAccountToken: Boolean(c.leaderElection),
        terminationGracePeriodSeconds: c.stopGracePeriodSeconds,
        securityContext: c.data?.ownerGroup !== undefined ? { fsGroup: c.data.ownerGroup } : undefined,
        containers: [this.container(c)],
        volumes: volumes.length > 0 ? volumes : undefined,
      }),
    };
  }

  workload(c: Component, model: StackModel): KubeObject {
    const template = this.podTemplate(c, model);
    const selector = { matchLabels: this.selector(c.name) };
    if (c.stateful && c.data) {
      return {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: this.meta(c.name, c.name),
        spec: {
          serviceName: `${c.name}-headless`,
          replicas: c.replicas,
          selector,
          template,
          volumeClaimTemplates: [
            {
              metadata: { name: 'data', labels: this.labels(c.name) },
              spec: compact({
                accessModes: ['ReadWriteOnce'],
                storageClassName: c.data.storageClass,
                resources: { requests: { storage: c.data.size } },
              }),
            },
          ],
        },
      };
    }
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: this.meta(c.name, c.name),
      spec: compact({
        replicas: c.autoscale ? undefined : c.replicas,
        selector,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template,
      }),
    };
  }

  autoscaler(c: Component, a: NonNullable<Component['autoscale']>): KubeObject {
    return {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: this.meta(c.name, c.name),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: c.stateful ? 'StatefulSet' : 'Deployment', name: c.name },
        minReplicas: a.min,
        maxReplicas: a.max,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.cpuPercent } },
          },
        ],
      },
    };
  }

  disruptionBudget(c: Component, minAvailable: number): KubeObject {
    return {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: this.meta(c.name, c.name),
      spec: { minAvailable, selector: { matchLabels: this.selector(c.name) } },
    };
  }

  networkPolicy(c: Component): KubeObject {
    const from = [...(c.acceptsFrom ?? [])].sort();
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: this.meta(c.name, c.name),
      spec: {
        podSelector: { matchLabels: this.selector(c.name) },
        policyTypes: ['Ingress'],
        ingress:
          from.length === 0
            ? []
            : [
                {
                  from: [
                    {
                      podSelector: {
                        matchLabels: { [STACK_LABEL]: this.ctx.stack },
                        matchExpressions: [{ key: NAME_LABEL, operator: 'In', values: from }],
                      },
                    },
                  ],
                  ports: c.ports.map((p) => ({ protocol: 'TCP', port: p.port })),
                },
              ],
      },
    };
  }

  ingress(ing: NonNullable<StackModel['ingress']>): KubeObject {
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: this.meta(this.ctx.stack, ing.component),
      spec: compact({
        ingressClassName: ing.className,
        rules: [
          {
            host: ing.host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: ing.component, port: { number: ing.port } } },
                },
              ],
            },
          },
        ],
      }),
    };
  }
}

/** The annotations of a Secret whose keys Homeport provides (their values are filled by the deploy engine). */
export function providedSecretAnnotations(keys: readonly string[]): Record<string, string> {
  return { [PROVIDED_BY_ANNOTATION]: MANAGED_BY, [PROVIDED_KEYS_ANNOTATION]: [...keys].sort().join(',') };
}

function handler(check: HealthCheck, c: Component): Record<string, unknown> {
  switch (check.type) {
    case 'http':
      return { httpGet: { path: check.path, port: portRef(c, check.port) } };
    case 'tcp':
      return { tcpSocket: { port: portRef(c, check.port) } };
    case 'exec':
      return { exec: { command: [...check.command] } };
  }
}

/** Probes name the port when the component declares it (clearer in `kubectl describe`). */
function portRef(c: Component, port: number): string | number {
  return c.ports.find((p) => p.port === port)?.name ?? port;
}

/** Moving tags (`latest` or none) are pulled on every start; pinned tags and digests once. */
function pullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.split('/').pop() ?? image;
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function amounts(a: { cpu?: string; memory?: string }): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (a.cpu) out.cpu = a.cpu;
  if (a.memory) out.memory = a.memory;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Drops undefined properties (the API server and YAML output should not see them). */
function compact<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

function sortKeys(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Hash of what the component's instances run with: its model (without scaling and access rules)
 * plus the shared volumes it mounts. The model holds no generated secret values.
 */
function configHash(c: Component, model: StackModel): string {
  const volumes = model.volumes.filter((v) => c.mounts.some((m) => m.volume === v.name));
  const { replicas: _r, autoscale: _a, disruptionBudget: _d, acceptsFrom: _f, ...runtime } = c;
  return createHash('sha256')
    .update(stableJson({ component: runtime, volumes }))
    .digest('hex')
    .slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
