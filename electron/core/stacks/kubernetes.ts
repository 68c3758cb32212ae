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
 * - Scheduled jobs become CronJobs (scheduled-jobs.ts); one-shot jobs Jobs named `<job>-<hash8>`
 *   and configuration sets ConfigMaps named as the set (kubernetes-jobs.ts).
 * - `acceptsFrom` and `connectsTo` become one NetworkPolicy per component or job
 *   (kubernetes-network.ts); autoscaling an HPA, metrics a ServiceMonitor when the cluster serves
 *   them, else prometheus.io annotations (kubernetes-monitoring.ts).
 * - Generated secret keys are listed in an annotation and never carry values here. So are provided
 *   keys (homeport.dev/provided-keys, homeport.dev/provided-by=homeport): the deploy engine fills
 *   them from the ProvidedSecrets it is given.
 */
import { compact, sortKeys } from './json-util';
import { type Component, type StackModel } from './model';
import { checkModel } from './model-check';
import { podTemplate } from './kubernetes-pods';
import { renderCronJob } from './kubernetes-cronjob';
import { renderConfigMap, renderOneShotJob } from './kubernetes-jobs';
import { HEADLESS_LABEL, renderAutoscaler, renderServiceMonitor } from './kubernetes-monitoring';
import { renderNetworkPolicy, type NetworkPolicyInput } from './kubernetes-network';
import {
  GENERATED_HEX_KEYS_ANNOTATION,
  GENERATED_KEYS_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  PROVIDED_BY_ANNOTATION,
  PROVIDED_KEYS_ANNOTATION,
  STACK_LABEL,
  TEMPLATES_ANNOTATION,
  type KubeObject,
} from './types';

export const NAME_LABEL = 'app.kubernetes.io/name';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export { CONFIG_HASH_ANNOTATION } from './kubernetes-pods';

export interface KubernetesRenderContext {
  stack: string;
  namespace: string;
  /** The cluster serves monitoring.coreos.com/v1 ServiceMonitors (RenderOptions.serviceMonitors). */
  serviceMonitors?: boolean;
}

/** Kinds in apply order; objects of the same kind keep the model's order. */
const APPLY_ORDER = [
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Secret',
  'ConfigMap',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Service',
  'StatefulSet',
  'Deployment',
  'CronJob',
  'Job',
  'HorizontalPodAutoscaler',
  'ServiceMonitor',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'Ingress',
];

export function renderKubernetesObjects(model: StackModel, ctx: KubernetesRenderContext): KubeObject[] {
  checkModel(model);
  const r = new Renderer(ctx);
  const out: KubeObject[] = [];
  for (const secret of model.secrets) out.push(r.secret(secret));
  for (const config of model.configs ?? []) out.push(renderConfigMap(config, ctx.namespace, r.labels()));
  for (const volume of model.volumes) out.push(...r.sharedVolume(volume));
  for (const c of model.components) {
    if (c.leaderElection) out.push(...r.leaderElectionAccess(c, c.leaderElection.lease));
    out.push(...r.services(c));
    out.push(r.workload(c, model));
    if (c.autoscale) out.push(renderAutoscaler(c, c.autoscale, r.meta(c.name, c.name)));
    if (ctx.serviceMonitors && c.metrics) {
      const monitor = renderServiceMonitor(c, r.meta(c.name, c.name), r.selector(c.name));
      if (monitor) out.push(monitor);
    }
    if (c.disruptionBudget) out.push(r.disruptionBudget(c, c.disruptionBudget.minAvailable));
    if (c.acceptsFrom || c.connectsTo) {
      out.push(
        r.networkPolicy(c.name, {
          acceptsFrom: c.acceptsFrom && { from: c.acceptsFrom, ports: c.ports.map((p) => p.port) },
          connectsTo: c.connectsTo,
          apiServer: Boolean(c.leaderElection),
        }),
      );
    }
  }
  for (const j of model.jobs ?? []) {
    out.push(renderCronJob(j, { ...ctx, labels: r.labels(j.name), claimName: (v) => r.claimName(v) }));
  }
  for (const t of model.tasks ?? []) {
    const jobCtx = { namespace: ctx.namespace, labels: r.labels(t.name), claimName: (v: string) => r.claimName(v) };
    out.push(renderOneShotJob(t, model, jobCtx));
    if (t.connectsTo) out.push(r.networkPolicy(t.name, { connectsTo: t.connectsTo }));
  }
  if (model.ingress) out.push(r.ingress(model.ingress));
  return out
    .map((o, i) => ({ o, i, k: APPLY_ORDER.indexOf(o.kind) }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((x) => x.o);
}

class Renderer {
  constructor(private readonly ctx: KubernetesRenderContext) {}

  labels(component?: string): Record<string, string> {
    const labels: Record<string, string> = {
      [MANAGED_BY_LABEL]: MANAGED_BY,
      [STACK_LABEL]: this.ctx.stack,
      [PART_OF_LABEL]: this.ctx.stack,
    };
    labels[NAME_LABEL] = component ?? this.ctx.stack;
    return labels;
  }

  selector(component: string): Record<string, string> {
    return { [STACK_LABEL]: this.ctx.stack, [NAME_LABEL]: component };
  }

  meta(name: string, component?: string, annotations?: Record<string, string>) {
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
    const templated = secret.keys.filter((k) => k.template !== undefined && !k.generated && !k.provided);
    const plain = secret.keys.filter((k) => !k.generated && !k.provided && k.template === undefined);
    const annotations: Record<string, string> =
      provided.length > 0 ? providedSecretAnnotations(provided) : { [GENERATED_KEYS_ANNOTATION]: generated.join(',') };
    if (provided.length > 0 && generated.length > 0) annotations[GENERATED_KEYS_ANNOTATION] = generated.join(',');
    const hex = secret.keys.filter((k) => k.generated && k.format === 'hex32').map((k) => k.key);
    if (hex.length > 0) annotations[GENERATED_HEX_KEYS_ANNOTATION] = hex.join(',');
    if (templated.length > 0) {
      annotations[TEMPLATES_ANNOTATION] = JSON.stringify(
        Object.fromEntries(templated.map((k) => [k.key, k.template ?? ''])),
      );
    }
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: this.meta(secret.name, undefined, sortKeys(annotations)),
      type: 'Opaque',
    };
    if (plain.length > 0) obj.stringData = Object.fromEntries(plain.map((k) => [k.key, k.value ?? '']));
    return obj;
  }

  claimName(volume: string): string {
    return `${this.ctx.stack}-${volume}`;
  }

  sharedVolume(volume: StackModel['volumes'][number]): KubeObject[] {
    if (volume.type === 'claim') {
      return [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: this.meta(this.claimName(volume.name)),
          spec: compact({
            accessModes: ['ReadWriteOnce'],
            storageClassName: volume.storageClass,
            resources: { requests: { storage: volume.size } },
          }),
        },
      ];
    }
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
    if (c.stateful || c.headless) {
      const metadata = this.meta(`${c.name}-headless`, c.name);
      // Only with ServiceMonitors, so the Services of clusters without them stay as they were.
      if (this.ctx.serviceMonitors) metadata.labels[HEADLESS_LABEL] = 'true';
      out.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata,
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
      spec: compact({
        type: 'ClusterIP',
        selector: this.selector(c.name),
        ports: this.servicePorts(c),
        sessionAffinity: c.stickySessions ? 'ClientIP' : undefined,
      }),
    });
    return out;
  }

  workload(c: Component, model: StackModel): KubeObject {
    const template = podTemplate(c, model, {
      labels: this.labels(c.name),
      claimName: (v) => this.claimName(v),
      serviceMonitors: this.ctx.serviceMonitors,
    });
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

  disruptionBudget(c: Component, minAvailable: number): KubeObject {
    return {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: this.meta(c.name, c.name),
      spec: { minAvailable, selector: { matchLabels: this.selector(c.name) } },
    };
  }

  networkPolicy(name: string, rules: Omit<NetworkPolicyInput, 'metadata' | 'podLabels' | 'stackLabels' | 'nameLabel'>) {
    return renderNetworkPolicy({
      ...rules,
      metadata: this.meta(name, name),
      podLabels: this.selector(name),
      stackLabels: { [STACK_LABEL]: this.ctx.stack },
      nameLabel: NAME_LABEL,
    });
  }

  ingress(ing: NonNullable<StackModel['ingress']>): KubeObject {
    // Longest prefix first, as controllers match; the order of the rendered list is then stable too.
    const routes = [...ing.routes].sort((a, b) => b.path.length - a.path.length || a.path.localeCompare(b.path));
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: this.meta(this.ctx.stack),
      spec: compact({
        ingressClassName: ing.className,
        rules: [
          {
            host: ing.host,
            http: {
              paths: routes.map((r) => ({
                path: r.path,
                pathType: 'Prefix',
                backend: { service: { name: r.component, port: { number: r.port } } },
              })),
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
