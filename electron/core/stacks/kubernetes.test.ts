import { describe, expect, it } from 'vitest';
import { createStackCatalog, toYaml } from './catalog';
import { renderKubernetesObjects } from './kubernetes';
import type { Component, StackModel } from './model';
import { validateKubeObjects } from './testing/kube-schema';
import { GENERATED_KEYS_ANNOTATION, LEADER_ELECTION_ANNOTATION, TEMPLATES_ANNOTATION, type KubeObject } from './types';

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
  'three API replicas': { api: { replicas: 3 } },
  autoscaled: { api: { autoscale: { enabled: true } } },
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
  volumes?: Array<{
    name: string;
    persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
    secret?: { secretName: string };
    emptyDir?: object;
  }>;
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
    expect(() => validateKubeObjects(objects)).not.toThrow();
  });

  it('has a validator that rejects broken objects', () => {
    const api = structuredClone(find(objects, 'Deployment', 'revenge'));
    const container = template(api).spec.containers[0] as unknown as { ports: Array<{ containerPort: unknown }> };
    container.ports[0]!.containerPort = 'http';
    expect(() => validateKubeObjects([api])).toThrow(/containerPort/);
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
      const templated = Object.keys(JSON.parse(s.metadata.annotations?.[TEMPLATES_ANNOTATION] ?? '{}') as object);
      expect(generated.length + templated.length).toBeGreaterThan(0);
      const data = { ...(s.data as object | undefined), ...(s.stringData as object | undefined) };
      for (const key of [...generated, ...templated]) expect(data).not.toHaveProperty(key);
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
    // The API's credentials are in its config file, none in its environment.
    const api = template(find(objects, 'Deployment', 'revenge')).spec.containers[0]!;
    expect((api.env ?? []).filter((e) => e.valueFrom?.secretKeyRef)).toEqual([]);
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
    const order = ['Secret', 'PersistentVolume', 'PersistentVolumeClaim', 'Service'];
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
    const pod = template(find(objs, 'Deployment', 'revenge')).spec;
    expect(pod.volumes).toContainEqual({
      name: 'media',
      persistentVolumeClaim: { claimName: 'revenge-media', readOnly: true },
    });
    expect(pod.containers[0]!.volumeMounts).toContainEqual({ name: 'media', mountPath: '/media', readOnly: true });
  });

  it.each(['postgres', 'dragonfly', 'typesense'])('lets only the API reach %s', (name) => {
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
          matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['revenge'] }],
        },
      },
    ]);
  });

  it('leaves the API, the frontend and the object store (browsers load avatars) open', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    for (const open of ['revenge', 'frontend', 'objectstore']) expect(policies).not.toContain(open);
  });

  it('runs one API replica without an autoscaler or sticky sessions by default', () => {
    expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(find(objects, 'Deployment', 'revenge').spec).toMatchObject({ replicas: 1 });
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'revenge')).toBe(false);
    expect(find(objects, 'Service', 'revenge').spec).not.toHaveProperty('sessionAffinity');
  });

  it('keeps a client on one replica when there are more (playback sessions live in one process)', () => {
    const objs = render({ api: { replicas: 3 } });
    expect(find(objs, 'Deployment', 'revenge').spec).toMatchObject({ replicas: 3 });
    expect(find(objs, 'Service', 'revenge').spec).toMatchObject({ sessionAffinity: 'ClientIP' });
    expect(find(objs, 'PodDisruptionBudget', 'revenge').spec).toMatchObject({ minAvailable: 1 });
    const scaled = render({ api: { autoscale: { enabled: true } } });
    expect(find(scaled, 'HorizontalPodAutoscaler', 'revenge').spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'revenge' },
      minReplicas: 2,
      maxReplicas: 10,
    });
    expect(find(scaled, 'Deployment', 'revenge').spec).not.toHaveProperty('replicas');
    expect(find(scaled, 'Service', 'revenge').spec).toMatchObject({ sessionAffinity: 'ClientIP' });
  });

  it('probes the API where it answers, scrapes 9096, and gives it no Kubernetes API access', () => {
    const t = template(find(objects, 'Deployment', 'revenge'));
    expect(t.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9096',
      'prometheus.io/path': '/metrics',
    });
    expect(t.metadata.annotations).not.toHaveProperty(LEADER_ELECTION_ANNOTATION);
    const c = t.spec.containers[0] as unknown as Record<string, { httpGet?: { path: string; port: string } }>;
    expect(c.startupProbe?.httpGet).toEqual({ path: '/startupz', port: 'http' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(t.spec).toMatchObject({ automountServiceAccountToken: false });
    expect(t.spec.serviceAccountName).toBeUndefined();
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding'])
      expect(objects.some((o) => o.kind === kind)).toBe(false);
  });

  it('mounts the config file alone at /app/config/config.yaml and runs the API read-only as user 1000', () => {
    const pod = template(find(objects, 'Deployment', 'revenge')).spec as PodSpecLike & {
      securityContext?: unknown;
      volumes: { name: string; secret?: { secretName: string }; emptyDir?: object }[];
    };
    const c = pod.containers[0] as PodSpecLike['containers'][number] & {
      volumeMounts: { name: string; mountPath: string; subPath?: string }[];
      securityContext?: unknown;
    };
    expect(c.volumeMounts).toContainEqual({
      name: 'file-revenge-config',
      mountPath: '/app/config/config.yaml',
      subPath: 'config.yaml',
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({ name: 'file-revenge-config', secret: { secretName: 'revenge-config' } });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    for (const dir of ['/data', '/cache', '/tmp']) {
      const m = c.volumeMounts.find((x) => x.mountPath === dir);
      expect(m, dir).toBeDefined();
      expect(pod.volumes.find((v) => v.name === m?.name)?.emptyDir).toEqual({});
    }
  });

  it('renders the config file as a template of generated keys, never with values', () => {
    const s = find(objects, 'Secret', 'revenge-config');
    const templates = JSON.parse(s.metadata.annotations?.[TEMPLATES_ANNOTATION] ?? '{}') as Record<string, string>;
    expect(templates['config.yaml']).toContain(
      'url: "postgres://revenge:{{revenge-secrets/database-password}}@postgres:5432/revenge?sslmode=disable&search_path=public,shared,movie,tvshow"',
    );
    expect(templates['config.yaml']).toContain('jwt_secret: "{{revenge-secrets/jwt-secret}}"');
    expect(templates['config.yaml']).toContain('encryption_key: "{{revenge-secrets/encryption-key}}"');
    expect(templates['config.yaml']).toContain('access_key_id: "{{revenge-secrets/s3-access-key-id}}"');
    expect(templates['typesense.ini']).toBe(
      '[server]\napi-key = {{revenge-secrets/search-api-key}}\ndata-dir = /data\n',
    );
    expect(s).not.toHaveProperty('data');
    const secrets = find(objects, 'Secret', 'revenge-secrets');
    expect(secrets.metadata.annotations?.[GENERATED_KEYS_ANNOTATION]).toBe(
      'database-password,jwt-secret,encryption-key,search-api-key,s3-access-key-id,s3-secret-access-key',
    );
    expect(secrets.metadata.annotations?.['homeport.dev/generated-hex-keys']).toBe('encryption-key');
  });

  it('switches cache and search on, and gives them and the object store by name', () => {
    const env = template(find(objects, 'Deployment', 'revenge')).spec.containers[0]!.env ?? [];
    const value = (name: string) => env.find((e) => e.name === name)?.value;
    expect(value('REVENGE_CACHE_ENABLED')).toBe('true');
    expect(value('REVENGE_SEARCH_ENABLED')).toBe('true');
    expect(value('REVENGE_CACHE_URL')).toBe('redis://dragonfly:6379');
    expect(value('REVENGE_STORAGE_S3_ENDPOINT')).toBe('http://objectstore:9000');
    expect(env.map((e) => e.name)).not.toContain('REVENGE_DATABASE_URL');
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

  it('routes /api and /hls to the API and the rest to the frontend when the ingress is on', () => {
    expect(objects.some((o) => o.kind === 'Ingress')).toBe(false);
    const objs = render({ ingress: { enabled: true, host: 'revenge.home.lan' } });
    const ing = find(objs, 'Ingress', 'revenge');
    const paths = (ing.spec as { rules: { http: { paths: { path: string; backend: { service: unknown } }[] } }[] })
      .rules[0]!.http.paths;
    expect(paths.map((p) => [p.path, p.backend.service])).toEqual([
      ['/revenge', { name: 'objectstore', port: { number: 9000 } }],
      ['/api', { name: 'revenge', port: { number: 8096 } }],
      ['/hls', { name: 'revenge', port: { number: 8096 } }],
      ['/', { name: 'frontend', port: { number: 3000 } }],
    ]);
    // Avatar URLs are built from the endpoint the API is given: the ingress host, which browsers reach.
    const env = template(find(objs, 'Deployment', 'revenge')).spec.containers[0]!.env ?? [];
    expect(env.find((e) => e.name === 'REVENGE_STORAGE_S3_ENDPOINT')?.value).toBe('http://revenge.home.lan');
  });
});

describe('revenge with an external object store', () => {
  const objects = render(scenarios['external object store']);

  it('reads the S3 keys of the named existing Secret into the config file and bundles no object store', () => {
    expect(objects.some((o) => o.metadata.name === 'objectstore')).toBe(false);
    const templates = JSON.parse(
      find(objects, 'Secret', 'revenge-config').metadata.annotations?.[TEMPLATES_ANNOTATION] ?? '{}',
    ) as Record<string, string>;
    expect(templates['config.yaml']).toContain('access_key_id: "{{revenge-s3/access-key-id}}"');
    expect(templates['config.yaml']).toContain('secret_access_key: "{{revenge-s3/secret-access-key}}"');
    expect(templates['config.yaml']).toContain('use_path_style: false');
    const env = template(find(objects, 'Deployment', 'revenge')).spec.containers[0]!.env ?? [];
    expect(env.find((e) => e.name === 'REVENGE_STORAGE_S3_ENDPOINT')?.value).toBe(
      'https://s3.eu-central-1.amazonaws.com',
    );
    expect(find(objects, 'Secret', 'revenge-secrets').metadata.annotations?.[GENERATED_KEYS_ANNOTATION]).toBe(
      'database-password,jwt-secret,encryption-key,search-api-key',
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
      renderKubernetesObjects(
        model({ ingress: { host: 'a.lan', routes: [{ path: '/', component: 'nope', port: 80 }] } }),
        ctx,
      ),
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
