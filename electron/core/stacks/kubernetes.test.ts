import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { PersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { createStackCatalog, toYaml } from './catalog';
import { renderKubernetesObjects } from './kubernetes';
import type { Component, StackModel } from './model';
import { GENERATED_KEYS_ANNOTATION, LEADER_ELECTION_ANNOTATION, type KubeObject } from './types';

type Validator = new (data: never) => { validate(): void };

/** One validator per rendered kind; a kind without a validator fails the test. */
const validators: Record<string, Validator> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'v1/PersistentVolume': PersistentVolume,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
};

const NS = 'media';
const catalog = createStackCatalog();
const render = (values: unknown = {}) => catalog.renderKubernetes('revenge', values, { namespace: NS }).objects;

const scenarios: Record<string, unknown> = {
  defaults: {},
  'bundled object store': { objectStore: { mode: 'bundled', image: 'chrislusf/seaweedfs:3.80', bucket: 'avatars' } },
  'external object store': {
    objectStore: {
      mode: 'external',
      endpoint: 'https://s3.eu-central-1.amazonaws.com',
      region: 'eu-central-1',
      bucket: 'revenge-avatars',
      usePathStyle: false,
      credentialsSecret: 'revenge-s3',
    },
  },
  'ingress enabled': { ingress: { enabled: true, host: 'revenge.home.lan' } },
  'autoscale disabled': { api: { replicas: 3, autoscale: { enabled: false } } },
};

const find = (objects: KubeObject[], kind: string, name: string): KubeObject => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name}`);
  return o;
};

interface PodSpecLike {
  containers: Array<{
    name: string;
    env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
    livenessProbe?: unknown;
    readinessProbe?: unknown;
    volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  }>;
  volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean } }>;
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
}
interface TemplateLike {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: PodSpecLike;
}
const template = (o: KubeObject) => (o.spec as { template: TemplateLike }).template;
const workloads = (objects: KubeObject[]) => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');

describe.each(Object.entries(scenarios))('revenge rendered with %s', (_name, values) => {
  const objects = render(values);

  it('validates every object against the Kubernetes OpenAPI schema', () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) {
      const V = validators[`${o.apiVersion}/${o.kind}`];
      if (!V) throw new Error(`no validator for ${o.apiVersion} ${o.kind}`);
      expect(() => new V(o as never).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });

  it('has a validator that rejects broken objects', () => {
    const api = structuredClone(find(objects, 'Deployment', 'api'));
    const container = template(api).spec.containers[0] as unknown as { ports: Array<{ containerPort: unknown }> };
    container.ports[0]!.containerPort = 'http';
    expect(() => new Deployment(api as never).validate()).toThrow(/containerPort/);
  });

  it('labels every object and namespaces every namespaced one', () => {
    for (const o of objects) {
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'homeport',
        'homeport.dev/stack': 'revenge',
        'app.kubernetes.io/part-of': 'revenge',
      });
      expect(o.metadata.labels?.['app.kubernetes.io/name']).toBeTruthy();
      if (o.kind === 'PersistentVolume') expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace).toBe(NS);
    }
    for (const w of workloads(objects)) {
      expect(template(w).metadata.labels['app.kubernetes.io/name']).toBe(w.metadata.name);
      expect(template(w).metadata.labels['app.kubernetes.io/managed-by']).toBe('homeport');
    }
  });

  it('keeps secret values out of the rendered objects', () => {
    for (const s of objects.filter((o) => o.kind === 'Secret')) {
      expect(s.type).toBe('Opaque');
      const generated = (s.metadata.annotations?.[GENERATED_KEYS_ANNOTATION] ?? '').split(',').filter(Boolean);
      expect(generated.length).toBeGreaterThan(0);
      const data = { ...(s.data as object | undefined), ...(s.stringData as object | undefined) };
      for (const key of generated) expect(data).not.toHaveProperty(key);
    }
    const credential = /PASSWORD|SECRET|API_KEY|ACCESS_KEY/;
    for (const w of workloads(objects)) {
      for (const c of template(w).spec.containers) {
        for (const e of c.env ?? []) {
          if (credential.test(e.name)) {
            expect(e.value, `${c.name} ${e.name}`).toBeUndefined();
            expect(e.valueFrom?.secretKeyRef, `${c.name} ${e.name}`).toBeDefined();
          }
        }
      }
    }
    const api = template(find(objects, 'Deployment', 'api')).spec.containers[0]!;
    for (const name of ['REVENGE_JWT_SECRET', 'REVENGE_SEARCH_API_KEY', 'REVENGE_DATABASE_PASSWORD']) {
      expect(api.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef?.name).toBe('revenge-secrets');
    }
  });

  it('puts probes and resources on every container and sets the stop grace period', () => {
    for (const w of workloads(objects)) {
      const spec = template(w).spec;
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(0);
      for (const c of spec.containers) {
        expect(c.livenessProbe, c.name).toBeDefined();
        expect(c.readinessProbe, c.name).toBeDefined();
        expect((c as { resources?: { requests?: unknown } }).resources?.requests, c.name).toBeDefined();
      }
    }
  });

  it('renders objects in apply order', () => {
    const order = [
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'Secret',
      'PersistentVolume',
      'PersistentVolumeClaim',
      'Service',
    ];
    const kinds = objects.map((o) => o.kind);
    const firstWorkload = kinds.findIndex((k) => k === 'Deployment' || k === 'StatefulSet');
    for (const k of order) expect(kinds.lastIndexOf(k)).toBeLessThan(firstWorkload);
    for (const k of ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'Ingress']) {
      if (kinds.includes(k)) expect(kinds.indexOf(k)).toBeGreaterThan(kinds.lastIndexOf('Deployment'));
    }
  });

  it('is deterministic', () => {
    expect(JSON.stringify(render(values))).toBe(JSON.stringify(objects));
    expect(toYaml(render(values))).toBe(toYaml(objects));
  });
});

describe('revenge defaults', () => {
  const objects = render();

  it('mounts the NFS media read-only through a ReadOnlyMany PV and claim', () => {
    const objs = render({ nfs: { server: '192.168.1.20', path: '/volume1/media' } });
    const pv = find(objs, 'PersistentVolume', 'media-revenge-media');
    expect(pv.spec).toMatchObject({
      accessModes: ['ReadOnlyMany'],
      storageClassName: '',
      persistentVolumeReclaimPolicy: 'Retain',
      nfs: { server: '192.168.1.20', path: '/volume1/media', readOnly: true },
    });
    expect(pv.spec).not.toHaveProperty('claimRef');
    const pvc = find(objs, 'PersistentVolumeClaim', 'revenge-media');
    expect(pvc.spec).toMatchObject({
      accessModes: ['ReadOnlyMany'],
      storageClassName: '',
      volumeName: 'media-revenge-media',
    });
    const pod = template(find(objs, 'Deployment', 'api')).spec;
    expect(pod.volumes).toEqual([
      { name: 'media', persistentVolumeClaim: { claimName: 'revenge-media', readOnly: true } },
    ]);
    expect(pod.containers[0]!.volumeMounts).toContainEqual({ name: 'media', mountPath: '/media', readOnly: true });
  });

  it.each(['postgres', 'dragonfly', 'typesense', 'objectstore'])('lets only the api reach %s', (name) => {
    const np = find(objects, 'NetworkPolicy', name);
    expect(np.spec).toMatchObject({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': name } },
      policyTypes: ['Ingress'],
    });
    const ingress = (np.spec as { ingress: Array<{ from: unknown[]; ports: unknown[] }> }).ingress;
    expect(ingress).toHaveLength(1);
    expect(ingress[0]!.from).toEqual([
      {
        podSelector: {
          matchLabels: { 'homeport.dev/stack': 'revenge' },
          matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api'] }],
        },
      },
    ]);
  });

  it('leaves the api and frontend open (no NetworkPolicy)', () => {
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name)).not.toContain('api');
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name)).not.toContain('frontend');
  });

  it('autoscales the api 2..10 at 70% CPU and leaves replicas to the autoscaler', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'api');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    });
    expect(find(objects, 'Deployment', 'api').spec).not.toHaveProperty('replicas');
    expect(find(objects, 'PodDisruptionBudget', 'api').spec).toMatchObject({ minAvailable: 1 });
  });

  it('uses fixed replicas without an autoscaler when autoscaling is off', () => {
    const objs = render({ api: { replicas: 3, autoscale: { enabled: false } } });
    expect(objs.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(find(objs, 'Deployment', 'api').spec).toMatchObject({ replicas: 3 });
  });

  it('gives the api leader election on its lease, pod identity and scrape annotations', () => {
    const t = template(find(objects, 'Deployment', 'api'));
    expect(t.metadata.annotations).toMatchObject({
      [LEADER_ELECTION_ANNOTATION]: 'revenge-jobs',
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8096',
      'prometheus.io/path': '/metrics',
    });
    expect(t.metadata.annotations['homeport.dev/config-hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(t.spec.serviceAccountName).toBe('api');
    expect(t.spec.terminationGracePeriodSeconds).toBe(30);
    const env = t.spec.containers[0]!.env ?? [];
    expect(env.find((e) => e.name === 'POD_NAME')).toEqual({
      name: 'POD_NAME',
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
    });
    const role = find(objects, 'Role', 'api-leader-election');
    expect(role.rules).toContainEqual({
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: ['revenge-jobs'],
      verbs: ['get', 'update', 'patch'],
    });
    expect(find(objects, 'RoleBinding', 'api-leader-election').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'api', namespace: NS },
    ]);
  });

  it('builds the database URL at run time from the secret password', () => {
    const env = template(find(objects, 'Deployment', 'api')).spec.containers[0]!.env ?? [];
    const names = env.map((e) => e.name);
    expect(names.indexOf('REVENGE_DATABASE_PASSWORD')).toBeLessThan(names.indexOf('REVENGE_DATABASE_URL'));
    expect(env.find((e) => e.name === 'REVENGE_DATABASE_URL')?.value).toBe(
      'postgres://revenge:$(REVENGE_DATABASE_PASSWORD)@postgres:5432/revenge?sslmode=disable',
    );
    expect(env.find((e) => e.name === 'REVENGE_STORAGE_S3_ENDPOINT')?.value).toBe('http://objectstore:9000');
  });

  it('runs stateful components as StatefulSets with claim templates and headless Services', () => {
    for (const name of ['postgres', 'typesense', 'objectstore']) {
      const sts = find(objects, 'StatefulSet', name);
      expect(sts.spec).toMatchObject({
        serviceName: `${name}-headless`,
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
      });
      expect(find(objects, 'Service', `${name}-headless`).spec).toMatchObject({ clusterIP: 'None' });
      expect(find(objects, 'Service', name).spec).toMatchObject({ type: 'ClusterIP' });
    }
    expect(objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'postgres')).toBe(false);
  });

  it('lists only generated keys and no data in the stack secret', () => {
    const s = find(objects, 'Secret', 'revenge-secrets');
    expect(s.metadata.annotations?.[GENERATED_KEYS_ANNOTATION]).toBe(
      'database-password,jwt-secret,search-api-key,s3-access-key-id,s3-secret-access-key',
    );
    expect(s).not.toHaveProperty('data');
    expect(s).not.toHaveProperty('stringData');
  });

  it('renders no ingress unless enabled', () => {
    expect(objects.some((o) => o.kind === 'Ingress')).toBe(false);
    const ing = find(render({ ingress: { enabled: true, host: 'revenge.home.lan' } }), 'Ingress', 'revenge');
    expect(ing.spec).toMatchObject({
      ingressClassName: 'traefik',
      rules: [{ host: 'revenge.home.lan' }],
    });
  });
});

describe('revenge with an external object store', () => {
  const objects = render(scenarios['external object store']);

  it('reads S3 credentials from the named existing Secret and bundles no object store', () => {
    expect(objects.some((o) => o.metadata.name === 'objectstore')).toBe(false);
    const env = template(find(objects, 'Deployment', 'api')).spec.containers[0]!.env ?? [];
    expect(env.find((e) => e.name === 'REVENGE_STORAGE_S3_ACCESS_KEY_ID')?.valueFrom?.secretKeyRef).toEqual({
      name: 'revenge-s3',
      key: 'access-key-id',
    });
    expect(env.find((e) => e.name === 'REVENGE_STORAGE_S3_SECRET_ACCESS_KEY')?.valueFrom?.secretKeyRef).toEqual({
      name: 'revenge-s3',
      key: 'secret-access-key',
    });
    expect(env.find((e) => e.name === 'REVENGE_STORAGE_S3_ENDPOINT')?.value).toBe(
      'https://s3.eu-central-1.amazonaws.com',
    );
    expect(find(objects, 'Secret', 'revenge-secrets').metadata.annotations?.[GENERATED_KEYS_ANNOTATION]).toBe(
      'database-password,jwt-secret,search-api-key',
    );
  });
});

describe('toYaml', () => {
  it('writes one document per object', () => {
    const objects = render();
    const yaml = toYaml(objects);
    expect(yaml.split(/^---$/m)).toHaveLength(objects.length);
    expect(yaml).toContain('kind: StatefulSet');
  });
});

describe('renderKubernetesObjects on a hand-written model', () => {
  const web: Component = {
    name: 'web',
    image: 'nginx:1.27',
    ports: [{ name: 'http', port: 80 }],
    env: [],
    secretEnv: [],
    identityEnv: [{ name: 'NODE', field: 'hostName' }],
    mounts: [],
    stateful: false,
    probes: {
      liveness: { check: { type: 'tcp', port: 80 } },
      readiness: { check: { type: 'http', path: '/', port: 8080 } },
    },
    replicas: 1,
    resources: { requests: { cpu: '10m' }, limits: {} },
    stopGracePeriodSeconds: 5,
  };
  const ctx = { stack: 'demo', namespace: 'demo' };

  it('renders plain secret keys as stringData and names probe ports when declared', () => {
    const objects = renderKubernetesObjects(
      {
        components: [web],
        volumes: [],
        secrets: [
          {
            name: 'demo',
            keys: [
              { key: 'token', generated: true },
              { key: 'mode', generated: false, value: 'fast' },
            ],
          },
        ],
      },
      ctx,
    );
    const secret = find(objects, 'Secret', 'demo');
    expect(secret.stringData).toEqual({ mode: 'fast' });
    expect(secret.metadata.annotations).toEqual({ [GENERATED_KEYS_ANNOTATION]: 'token' });
    const c = template(find(objects, 'Deployment', 'web')).spec.containers[0] as unknown as Record<string, unknown>;
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 'http' } });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/', port: 8080 } });
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.resources).toEqual({ requests: { cpu: '10m' } });
    expect(c.env).toEqual([
      { name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    ]);
  });

  it('points the autoscaler of a stateful component at its StatefulSet', () => {
    const db: Component = {
      ...web,
      name: 'db',
      stateful: true,
      data: { mountPath: '/data', size: '1Gi', storageClass: 'local-path' },
      autoscale: { min: 1, max: 3, cpuPercent: 80 },
    };
    const objects = renderKubernetesObjects({ components: [db], volumes: [], secrets: [] }, ctx);
    expect(find(objects, 'HorizontalPodAutoscaler', 'db').spec).toMatchObject({
      scaleTargetRef: { kind: 'StatefulSet', name: 'db' },
    });
    expect(find(objects, 'StatefulSet', 'db').spec).toMatchObject({
      volumeClaimTemplates: [{ spec: { storageClassName: 'local-path' } }],
    });
  });

  it('rejects inconsistent models', () => {
    const model = (m: Partial<StackModel>): StackModel => ({ components: [web], volumes: [], secrets: [], ...m });
    expect(() => renderKubernetesObjects(model({ components: [web, web] }), ctx)).toThrow(/duplicate component/);
    expect(() => renderKubernetesObjects(model({ components: [{ ...web, stateful: true }] }), ctx)).toThrow(
      /no data volume/,
    );
    expect(() =>
      renderKubernetesObjects(
        model({ components: [{ ...web, mounts: [{ volume: 'x', mountPath: '/x', readOnly: true }] }] }),
        ctx,
      ),
    ).toThrow(/unknown volume 'x'/);
    expect(() =>
      renderKubernetesObjects(model({ ingress: { host: 'a.lan', component: 'nope', port: 80 } }), ctx),
    ).toThrow(/unknown component 'nope'/);
  });

  it('shares no object references between rendered objects (safe to mutate, no YAML aliases)', () => {
    const objects = render();
    expect(toYaml(objects)).not.toMatch(/[&*]a\d/);
    const seen = new Set<object>();
    const walk = (v: unknown) => {
      if (!v || typeof v !== 'object') return;
      expect(seen.has(v)).toBe(false);
      seen.add(v);
      for (const x of Object.values(v)) walk(x);
    };
    for (const o of objects) walk(o);
  });
});
