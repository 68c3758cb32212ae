/**
 * A small stack for the deploy engine's tests: a Secret with generated keys, a Deployment using a
 * pre-bound volume (PersistentVolume + claim), a StatefulSet with a volumeClaimTemplate, a Service,
 * an HPA, and a ConfigMap the values can switch off (to exercise prune).
 */
import { z } from 'zod';
import type { StackInfo } from '@shared/deploy-schemas';
import { GENERATED_KEYS_ANNOTATION, type KubeObject, type StackCatalog } from '../../stacks/types';

export const FIXTURE_STACK = 'demo';

const valuesSchema = z.object({
  replicas: z.number().int().min(1).max(5).default(1),
  image: z.string().min(1).default('nginx:1.27'),
  adminUser: z.string().min(1).default('admin'),
  extraConfig: z.boolean().default(true),
});
type Values = z.infer<typeof valuesSchema>;

const b64 = (s: string) => Buffer.from(s).toString('base64');

function render(v: Values, namespace: string): KubeObject[] {
  const labels = (component: string) => ({ 'app.kubernetes.io/name': component, 'app.kubernetes.io/part-of': 'demo' });
  const meta = (name: string, component = name) => ({ name, namespace, labels: labels(component) });
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { ...meta('demo-secrets'), annotations: { [GENERATED_KEYS_ANNOTATION]: 'db-password,api-key' } },
      type: 'Opaque',
      data: { username: b64(v.adminUser) },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `demo-media-${namespace}`, labels: labels('media') },
      spec: {
        capacity: { storage: '5Gi' },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'manual',
        hostPath: { path: '/srv/media' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta('demo-media', 'media'),
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: 'manual',
        volumeName: `demo-media-${namespace}`,
        resources: { requests: { storage: '5Gi' } },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('demo-web'),
      spec: {
        replicas: v.replicas,
        selector: { matchLabels: labels('demo-web') },
        template: {
          metadata: { labels: labels('demo-web') },
          spec: {
            containers: [{ name: 'web', image: v.image, envFrom: [{ secretRef: { name: 'demo-secrets' } }] }],
            volumes: [{ name: 'media', persistentVolumeClaim: { claimName: 'demo-media' } }],
          },
        },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('demo-db'),
      spec: {
        replicas: 1,
        serviceName: 'demo-db',
        selector: { matchLabels: labels('demo-db') },
        template: {
          metadata: { labels: labels('demo-db') },
          spec: { containers: [{ name: 'db', image: 'registry.lan/demo/db:16' }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: labels('demo-db') },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('demo-web'),
      spec: { selector: labels('demo-web'), ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('demo-web'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'demo-web' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        ],
      },
    },
  ];
  if (v.extraConfig)
    objects.splice(1, 0, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('demo-extra'),
      data: { mode: 'extra' },
    });
  return objects;
}

export function createFixtureCatalog(): StackCatalog {
  const info: StackInfo = {
    name: FIXTURE_STACK,
    title: 'Demo',
    description: 'A web app with a database, for tests',
    valuesSchema: z.toJSONSchema(valuesSchema) as Record<string, unknown>,
    defaults: valuesSchema.parse({}),
    origin: 'catalog',
  };
  return {
    list: () => [info],
    has: (stack) => stack === FIXTURE_STACK,
    validate(stack, values) {
      if (stack !== FIXTURE_STACK) return { ok: false, issues: [{ path: '', message: `Unknown stack '${stack}'` }] };
      const result = valuesSchema.safeParse(values ?? {});
      if (result.success) return { ok: true, values: result.data };
      return {
        ok: false,
        issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      };
    },
    renderKubernetes(stack, values, opts) {
      if (stack !== FIXTURE_STACK) throw new Error(`Unknown stack '${stack}'`);
      return { stack, namespace: opts.namespace, objects: render(values as Values, opts.namespace) };
    },
    renderSwarm(stack) {
      throw new Error(`The test stack '${stack}' has no Docker Swarm rendering`);
    },
  };
}
