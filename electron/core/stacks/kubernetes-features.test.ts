// The Kubernetes renderer for configuration files, one-shot jobs, egress rules, headless Services,
// memory autoscaling with behaviour, ServiceMonitors and platform-provisioned shared volumes.
import { describe, expect, it } from 'vitest';
import { renderKubernetesObjects, type KubernetesRenderContext } from './kubernetes';
import type { Component, OneShotJob, StackModel } from './model';
import { validateKubeObjects } from './testing/kube-schema';
import type { KubeObject } from './types';

const labels = (name: string) => ({
  'app.kubernetes.io/managed-by': 'homeport',
  'homeport.dev/stack': 'gv',
  'app.kubernetes.io/part-of': 'gv',
  'app.kubernetes.io/name': name,
});
const stackLabels = {
  'app.kubernetes.io/managed-by': 'homeport',
  'homeport.dev/stack': 'gv',
  'app.kubernetes.io/part-of': 'gv',
  'app.kubernetes.io/name': 'gv',
};
const selector = (name: string) => ({ 'homeport.dev/stack': 'gv', 'app.kubernetes.io/name': name });
const probes: Component['probes'] = {
  liveness: { check: { type: 'tcp', port: 8080 } },
  readiness: { check: { type: 'http', path: '/ready', port: 8080 } },
};
const base = (name: string): Component => ({
  name,
  image: `ghcr.io/example/${name}:1.0`,
  ports: [
    { name: 'http', port: 8080 },
    { name: 'metrics', port: 9100 },
  ],
  env: [],
  secretEnv: [],
  identityEnv: [],
  mounts: [],
  stateful: false,
  probes,
  replicas: 2,
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  stopGracePeriodSeconds: 10,
});

const gate: Component = {
  ...base('gate'),
  configFiles: [{ config: 'goverse', key: 'config.yml', path: '/etc/goverse/config.yml' }],
  connectsTo: [
    { component: 'node', ports: [9000] },
    { external: true, ports: [443] },
    { external: true, ports: [5432], cidr: '192.168.1.10/32' },
  ],
  acceptsFrom: ['node'],
  headless: true,
  identityEnv: [{ name: 'SLOT', field: 'instanceSlot' }],
  autoscale: {
    min: 2,
    max: 6,
    memoryPercent: 75,
    behavior: {
      scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }], selectPolicy: 'Max' },
      scaleDown: { stabilizationWindowSeconds: 300 },
    },
  },
  metrics: { path: '/metrics', port: 9100, intervalSeconds: 15 },
};
const node: Component = {
  ...base('node'),
  ports: [{ name: 'grpc', port: 9000 }],
  probes: { liveness: { check: { type: 'tcp', port: 9000 } }, readiness: { check: { type: 'tcp', port: 9000 } } },
  autoscale: { min: 1, max: 3, cpuPercent: 70, memoryPercent: 80 },
  mounts: [
    { volume: 'uploads', mountPath: '/uploads', readOnly: false },
    { volume: 'scratch', mountPath: '/scratch', readOnly: false },
  ],
};
const migrate: OneShotJob = {
  name: 'migrate',
  image: 'ghcr.io/example/migrate:1.0',
  command: ['/migrate'],
  args: ['up'],
  env: [{ name: 'MODE', value: 'up' }],
  secretEnv: [{ name: 'DB_PASSWORD', secret: 'gv-secrets', key: 'db-password' }],
  configFiles: [{ config: 'goverse', key: 'config.yml', path: '/etc/goverse/config.yml' }],
  mounts: [{ volume: 'uploads', mountPath: '/uploads', readOnly: true }],
  user: { uid: 1000, gid: 1000 },
  resources: { requests: { cpu: '50m' }, limits: { memory: '64Mi' } },
  retries: 3,
  connectsTo: [{ component: 'node', ports: [9000] }],
  description: 'Migrates the database schema',
};
const model = (over: Partial<StackModel> = {}): StackModel => ({
  components: [gate, node],
  tasks: [migrate],
  configs: [{ name: 'goverse', files: [{ key: 'config.yml', content: 'cluster: one\n' }] }],
  volumes: [
    { name: 'uploads', type: 'nfs', server: 'nas.lan', path: '/export/uploads', readOnly: false, size: '1Ti' },
    { name: 'scratch', type: 'claim', storageClass: 'fast', size: '5Gi', readOnly: false },
  ],
  secrets: [{ name: 'gv-secrets', keys: [{ key: 'db-password', generated: true }] }],
  ...over,
});
const ctx: KubernetesRenderContext = { stack: 'gv', namespace: 'games' };
const render = (m: StackModel = model(), c: Partial<KubernetesRenderContext> = {}) =>
  renderKubernetesObjects(m, { ...ctx, ...c });
const find = (objects: KubeObject[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} in ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o as KubeObject & { spec: Record<string, unknown> };
};
type Pod = {
  metadata: { annotations: Record<string, string> };
  spec: { containers: Record<string, unknown>[]; volumes?: unknown[] };
};
const podOf = (o: KubeObject) => (o.spec as { template: Pod }).template;
const jobOf = (objects: KubeObject[]) =>
  objects.find((o) => o.kind === 'Job') as KubeObject & { spec: { template: Pod } };

describe('a model using every new feature, rendered for Kubernetes', () => {
  const objects = render();
  const monitored = render(model(), { serviceMonitors: true });

  it('validates strictly against the Kubernetes and prometheus-operator schemas', () => {
    validateKubeObjects(objects);
    validateKubeObjects(monitored);
  });

  it('renders kinds in apply order: ConfigMap after Secrets, the Job after the workloads', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Secret/gv-secrets',
      'ConfigMap/goverse',
      'PersistentVolume/games-gv-uploads',
      'PersistentVolumeClaim/gv-uploads',
      'PersistentVolumeClaim/gv-scratch',
      'Service/gate-headless',
      'Service/gate',
      'Service/node',
      'Deployment/gate',
      'Deployment/node',
      `Job/${jobOf(objects).metadata.name}`,
      'HorizontalPodAutoscaler/gate',
      'HorizontalPodAutoscaler/node',
      'NetworkPolicy/gate',
      'NetworkPolicy/migrate',
    ]);
  });

  it('renders a configuration set as one ConfigMap named as the set', () => {
    expect(find(objects, 'ConfigMap', 'goverse')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'goverse', namespace: 'games', labels: stackLabels },
      data: { 'config.yml': 'cluster: one\n' },
    });
  });

  it('mounts a configuration file as one read-only file (subPath) and rolls the pods when its content changes', () => {
    const pod = podOf(find(objects, 'Deployment', 'gate'));
    expect(pod.spec.containers[0]?.volumeMounts).toEqual([
      { name: 'config-goverse', mountPath: '/etc/goverse/config.yml', subPath: 'config.yml', readOnly: true },
    ]);
    expect(pod.spec.volumes).toEqual([{ name: 'config-goverse', configMap: { name: 'goverse' } }]);
    const changed = render(model({ configs: [{ name: 'goverse', files: [{ key: 'config.yml', content: 'two\n' }] }] }));
    const hash = (o: KubeObject[]) =>
      podOf(find(o, 'Deployment', 'gate')).metadata.annotations['homeport.dev/config-hash'];
    expect(hash(changed)).not.toBe(hash(objects));
    // A component without configuration files keeps its hash.
    expect(podOf(find(changed, 'Deployment', 'node')).metadata.annotations).toEqual(
      podOf(find(objects, 'Deployment', 'node')).metadata.annotations,
    );
  });

  it('renders the one-shot job as a Job named by the hash of its pod spec', () => {
    const job = jobOf(objects);
    expect(job.metadata.name).toMatch(/^migrate-[0-9a-f]{8}$/);
    expect(job).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: job.metadata.name,
        namespace: 'games',
        labels: labels('migrate'),
        annotations: { 'homeport.dev/description': 'Migrates the database schema' },
      },
      spec: {
        backoffLimit: 3,
        template: {
          metadata: {
            labels: labels('migrate'),
            annotations: { 'homeport.dev/config-hash': expect.stringMatching(/^[0-9a-f]{16}$/) as unknown },
          },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 1000,
              runAsGroup: 1000,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'migrate',
                image: 'ghcr.io/example/migrate:1.0',
                imagePullPolicy: 'IfNotPresent',
                command: ['/migrate'],
                args: ['up'],
                env: [
                  { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'gv-secrets', key: 'db-password' } } },
                  { name: 'MODE', value: 'up' },
                ],
                volumeMounts: [
                  { name: 'uploads', mountPath: '/uploads', readOnly: true },
                  {
                    name: 'config-goverse',
                    mountPath: '/etc/goverse/config.yml',
                    subPath: 'config.yml',
                    readOnly: true,
                  },
                ],
                resources: { requests: { cpu: '50m' }, limits: { memory: '64Mi' } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
            volumes: [
              { name: 'uploads', persistentVolumeClaim: { claimName: 'gv-uploads', readOnly: true } },
              { name: 'config-goverse', configMap: { name: 'goverse' } },
            ],
          },
        },
      },
    });
  });

  it('names the Job anew when its spec or its configuration changes, and keeps the name otherwise', () => {
    const name = jobOf(objects).metadata.name;
    expect(jobOf(render()).metadata.name).toBe(name);
    // Scaling a component does not touch the job.
    expect(jobOf(render(model({ components: [{ ...gate, replicas: 5 }, node] }))).metadata.name).toBe(name);
    const args = jobOf(render(model({ tasks: [{ ...migrate, args: ['up', '--all'] }] }))).metadata.name;
    const config = jobOf(
      render(model({ configs: [{ name: 'goverse', files: [{ key: 'config.yml', content: 'two\n' }] }] })),
    ).metadata.name;
    expect(new Set([name, args, config]).size).toBe(3);
  });

  it('renders ingress and egress of a component as one NetworkPolicy, DNS always allowed', () => {
    expect(find(objects, 'NetworkPolicy', 'gate')).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'gate', namespace: 'games', labels: labels('gate') },
      spec: {
        podSelector: { matchLabels: selector('gate') },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [
              {
                podSelector: {
                  matchLabels: { 'homeport.dev/stack': 'gv' },
                  matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['node'] }],
                },
              },
            ],
            ports: [
              { protocol: 'TCP', port: 8080 },
              { protocol: 'TCP', port: 9100 },
            ],
          },
        ],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
          {
            to: [{ podSelector: { matchLabels: { 'homeport.dev/stack': 'gv', 'app.kubernetes.io/name': 'node' } } }],
            ports: [{ protocol: 'TCP', port: 9000 }],
          },
          {
            to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
            ports: [{ protocol: 'TCP', port: 443 }],
          },
          { to: [{ ipBlock: { cidr: '192.168.1.10/32' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
        ],
      },
    });
  });

  it('renders egress only for a one-shot job with connectsTo, selecting its pods', () => {
    const policy = find(objects, 'NetworkPolicy', 'migrate');
    expect(policy.spec.podSelector).toEqual({ matchLabels: selector('migrate') });
    expect(policy.spec.policyTypes).toEqual(['Egress']);
    expect(policy.spec.ingress).toBeUndefined();
    expect((policy.spec.egress as unknown[]).length).toBe(2);
  });

  it('lets a leader-electing component with egress rules reach the API server', () => {
    const leader = { ...node, connectsTo: [], leaderElection: { lease: 'node-leader' } };
    const policy = find(render(model({ components: [gate, leader] })), 'NetworkPolicy', 'node');
    expect(policy.spec.egress).toEqual([
      expect.objectContaining({
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      }),
      {
        ports: [
          { protocol: 'TCP', port: 443 },
          { protocol: 'TCP', port: 6443 },
        ],
      },
    ]);
  });

  it('gives a stateless headless component a headless Service', () => {
    expect(find(objects, 'Service', 'gate-headless')).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'gate-headless', namespace: 'games', labels: labels('gate') },
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: selector('gate'),
        ports: [
          { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
          { name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' },
        ],
      },
    });
    expect(objects.some((o) => o.metadata.name === 'node-headless')).toBe(false);
  });

  it('autoscales on memory with the behaviour, and on CPU and memory together', () => {
    expect(find(objects, 'HorizontalPodAutoscaler', 'gate')).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'gate', namespace: 'games', labels: labels('gate') },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gate' },
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [
          { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 75 } } },
        ],
        behavior: {
          scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }], selectPolicy: 'Max' },
          scaleDown: { stabilizationWindowSeconds: 300 },
        },
      },
    });
    const both = find(objects, 'HorizontalPodAutoscaler', 'node').spec;
    expect(both.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    expect(both.behavior).toBeUndefined();
    expect(find(objects, 'Deployment', 'gate').spec.replicas).toBeUndefined();
  });

  it('annotates for scraping without ServiceMonitors', () => {
    expect(podOf(find(objects, 'Deployment', 'gate')).metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9100',
      'prometheus.io/path': '/metrics',
    });
    expect(objects.some((o) => o.kind === 'ServiceMonitor')).toBe(false);
  });

  it('renders a ServiceMonitor instead when the cluster serves them, by the Service port name', () => {
    expect(find(monitored, 'ServiceMonitor', 'gate')).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'gate', namespace: 'games', labels: labels('gate') },
      spec: {
        selector: {
          matchLabels: selector('gate'),
          matchExpressions: [{ key: 'homeport.dev/headless', operator: 'DoesNotExist' }],
        },
        endpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }],
      },
    });
    const annotations = podOf(find(monitored, 'Deployment', 'gate')).metadata.annotations;
    expect(Object.keys(annotations).filter((k) => k.startsWith('prometheus.io/'))).toEqual([]);
    // Only the ClusterIP Service matches the selector: each pod is scraped once.
    const matches = (o: KubeObject) =>
      o.kind === 'Service' &&
      Object.entries(selector('gate')).every(([k, v]) => o.metadata.labels?.[k] === v) &&
      o.metadata.labels?.['homeport.dev/headless'] === undefined;
    expect(monitored.filter(matches).map((o) => o.metadata.name)).toEqual(['gate']);
    expect(monitored.filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.name)).toEqual(['gate']);
  });

  it('renders a claim volume as a ReadWriteOnce claim of its storage class, or of the default one', () => {
    expect(find(objects, 'PersistentVolumeClaim', 'gv-scratch')).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'gv-scratch', namespace: 'games', labels: stackLabels },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } },
    });
    const plain = render(
      model({
        volumes: [
          { name: 'uploads', type: 'nfs', server: 'nas.lan', path: '/u', readOnly: false, size: '1Ti' },
          { name: 'scratch', type: 'claim', size: '5Gi', readOnly: false },
        ],
      }),
    );
    expect(find(plain, 'PersistentVolumeClaim', 'gv-scratch').spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '5Gi' } },
    });
    const pod = podOf(find(objects, 'Deployment', 'node'));
    expect(pod.spec.volumes).toContainEqual({
      name: 'scratch',
      persistentVolumeClaim: { claimName: 'gv-scratch', readOnly: false },
    });
  });

  it('renders a writable NFS volume as a ReadWriteMany volume and claim, mounted writable', () => {
    expect(find(objects, 'PersistentVolume', 'games-gv-uploads').spec).toEqual({
      capacity: { storage: '1Ti' },
      accessModes: ['ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      nfs: { server: 'nas.lan', path: '/export/uploads', readOnly: false },
    });
    expect(find(objects, 'PersistentVolumeClaim', 'gv-uploads').spec).toMatchObject({
      accessModes: ['ReadWriteMany'],
      volumeName: 'games-gv-uploads',
    });
    const pod = podOf(find(objects, 'Deployment', 'node'));
    expect(pod.spec.containers[0]?.volumeMounts).toContainEqual({
      name: 'uploads',
      mountPath: '/uploads',
      readOnly: false,
    });
  });

  it('sets the instance slot from the pod-index label', () => {
    const env = podOf(find(objects, 'Deployment', 'gate')).spec.containers[0]?.env;
    expect(env).toContainEqual({
      name: 'SLOT',
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } },
    });
  });
});
