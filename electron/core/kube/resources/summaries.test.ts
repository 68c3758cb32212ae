import { describe, expect, it } from 'vitest';
import { columnsFor, sortRows } from '@shared/resource-columns';
import { resourceRowSchema, type ResourceRow } from '@shared/resource-schemas';
import { MASK, presentable } from './object-yaml';
import { summarizerFor } from './summarize';

const meta = (name: string, namespace = 'media', extra: object = {}) => ({
  name,
  namespace,
  creationTimestamp: '2026-01-01T00:00:00Z',
  ...extra,
});
const summarize = (group: string, plural: string, obj: object): ResourceRow =>
  resourceRowSchema.parse(summarizerFor({ group, plural })(obj));

describe('workload rows', () => {
  it('a Deployment short of ready replicas is a problem; a full one is not', () => {
    const short = summarize('apps', 'deployments', {
      metadata: meta('api'),
      spec: { replicas: 3 },
      status: { readyReplicas: 1, updatedReplicas: 3, availableReplicas: 1 },
    });
    expect(short).toMatchObject({ key: 'media/api', problem: true, tone: 'error', status: '2 not ready' });
    expect(short.cells).toEqual({ ready: '1/3', upToDate: 3, available: 1 });
    const full = summarize('apps', 'deployments', {
      metadata: meta('web'),
      spec: { replicas: 2 },
      status: { readyReplicas: 2 },
    });
    expect(full).toMatchObject({ problem: false, tone: 'ok', status: 'Ready' });
    const zero = summarize('apps', 'deployments', { metadata: meta('off'), spec: { replicas: 0 } });
    expect(zero).toMatchObject({ problem: false, status: 'Scaled to 0' });
  });

  it('a Deployment past its progress deadline is a problem named by its reason', () => {
    const row = summarize('apps', 'deployments', {
      metadata: meta('api'),
      spec: { replicas: 1 },
      status: {
        readyReplicas: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
    });
    expect(row).toMatchObject({ problem: true, status: 'ProgressDeadlineExceeded' });
  });

  it('StatefulSets, DaemonSets and ReplicaSets compare ready with desired', () => {
    expect(summarize('apps', 'statefulsets', { metadata: meta('db'), spec: { replicas: 2 } })).toMatchObject({
      problem: true,
      cells: { ready: '0/2' },
    });
    const ds = summarize('apps', 'daemonsets', {
      metadata: meta('agent'),
      spec: { template: { spec: { nodeSelector: { disk: 'ssd' } } } },
      status: { desiredNumberScheduled: 3, numberReady: 3 },
    });
    expect(ds).toMatchObject({ problem: false, cells: { ready: '3/3', desired: 3, nodeSelector: 'disk=ssd' } });
    const rs = summarize('apps', 'replicasets', {
      metadata: meta('api-7d9', 'media', { ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }] }),
      spec: { replicas: 1 },
      status: { readyReplicas: 1 },
    });
    expect(rs.cells.owner).toBe('Deployment/api');
  });

  it('a failed Job is a problem, a complete one is not', () => {
    const failed = summarize('batch', 'jobs', {
      metadata: meta('migrate'),
      spec: { completions: 1 },
      status: { failed: 6, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
    });
    expect(failed).toMatchObject({ problem: true, status: 'BackoffLimitExceeded', cells: { completions: '0/1' } });
    const done = summarize('batch', 'jobs', {
      metadata: meta('once'),
      status: {
        succeeded: 1,
        startTime: '2026-01-01T00:00:00Z',
        completionTime: '2026-01-01T00:01:05Z',
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    });
    expect(done).toMatchObject({ problem: false, status: 'Complete', cells: { completions: '1/1', duration: '1m5s' } });
    expect(
      summarize('batch', 'cronjobs', { metadata: meta('nightly'), spec: { schedule: '0 3 * * *', suspend: true } }),
    ).toMatchObject({ status: 'Suspended', problem: false, cells: { schedule: '0 3 * * *', active: 0 } });
  });

  it('a crash-looping pod is a problem', () => {
    const row = summarize('', 'pods', {
      metadata: meta('api-0'),
      spec: { containers: [{ name: 'api' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'api', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    });
    expect(row).toMatchObject({ problem: true, status: 'CrashLoopBackOff', cells: { ready: '0/1', restarts: 4 } });
  });

  it('an object being deleted shows Terminating', () => {
    const row = summarize('apps', 'deployments', {
      metadata: meta('api', 'media', { deletionTimestamp: '2026-01-02T00:00:00Z' }),
      spec: { replicas: 1 },
      status: { readyReplicas: 1 },
    });
    expect(row.status).toBe('Terminating');
  });
});

describe('cluster rows', () => {
  it('a Secret row has its type and key count and never a value', () => {
    const value = 'hunter2-very-secret';
    const secret = {
      kind: 'Secret',
      metadata: meta('db-creds', 'media', {
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': `{"stringData":{"password":"${value}"}}`,
        },
      }),
      type: 'kubernetes.io/basic-auth',
      data: { username: Buffer.from('admin').toString('base64'), password: Buffer.from(value).toString('base64') },
      stringData: { token: value },
    };
    const row = summarize('', 'secrets', secret);
    expect(row.cells).toEqual({ type: 'kubernetes.io/basic-auth', keys: 3 });
    const serialised = JSON.stringify(row);
    expect(serialised).not.toContain(value);
    expect(serialised).not.toContain(Buffer.from(value).toString('base64'));
    expect(serialised).not.toContain(Buffer.from('admin').toString('base64'));
  });

  it('the YAML view of a Secret masks data, stringData and kubectl’s last-applied copy, and drops managedFields', () => {
    const value = 'hunter2-very-secret';
    const shown = presentable({
      kind: 'Secret',
      metadata: {
        name: 's',
        managedFields: [{ manager: 'kubectl' }],
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': `{"data":{"password":"${value}"}}`,
          keep: 'me',
        },
      },
      data: { password: Buffer.from(value).toString('base64') },
      stringData: { token: value },
    });
    const text = JSON.stringify(shown);
    expect(text).not.toContain(value);
    expect(text).not.toContain(Buffer.from(value).toString('base64'));
    expect(text).not.toContain('managedFields');
    expect(shown).toMatchObject({ data: { password: MASK }, stringData: { token: MASK } });
    expect(shown.metadata).toMatchObject({ annotations: { keep: 'me' } });
    // Any other kind keeps its data (a ConfigMap is not secret) but loses managedFields.
    const cm = presentable({ kind: 'ConfigMap', metadata: { name: 'c', managedFields: [] }, data: { a: 'b' } });
    expect(cm).toEqual({ kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
  });

  it('a NotReady or pressured node is a problem; a cordoned Ready one is not', () => {
    const node = (conditions: object[], unschedulable = false) =>
      summarize('', 'nodes', {
        metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': 'true' } },
        spec: { unschedulable },
        status: {
          conditions,
          capacity: { cpu: '4', memory: '8Gi' },
          nodeInfo: { kubeletVersion: 'v1.31.0+k3s1' },
        },
      });
    const ready = { type: 'Ready', status: 'True' };
    expect(node([ready])).toMatchObject({
      problem: false,
      status: 'Ready',
      key: '/n1',
      cells: { roles: 'control-plane', version: 'v1.31.0+k3s1', cpu: '4', memory: '8Gi', conditions: '' },
    });
    expect(node([{ type: 'Ready', status: 'False' }])).toMatchObject({ problem: true, status: 'NotReady' });
    expect(node([ready, { type: 'DiskPressure', status: 'True' }])).toMatchObject({
      problem: true,
      cells: { conditions: 'DiskPressure' },
    });
    expect(node([ready], true)).toMatchObject({ problem: false, status: 'Ready,SchedulingDisabled', tone: 'warn' });
  });

  it('Services, Ingresses, ConfigMaps, claims, volumes, classes, namespaces and events get their columns', () => {
    expect(
      summarize('', 'services', {
        metadata: meta('api'),
        spec: { type: 'NodePort', clusterIP: '10.43.0.10', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] },
      }).cells,
    ).toEqual({ type: 'NodePort', clusterIP: '10.43.0.10', externalIP: '', ports: '80:30080/TCP' });
    expect(
      summarize('networking.k8s.io', 'ingresses', {
        metadata: meta('web'),
        spec: { ingressClassName: 'traefik', rules: [{ host: 'a.lan' }, { host: 'b.lan' }] },
      }).cells,
    ).toEqual({ class: 'traefik', hosts: 'a.lan,b.lan', address: '' });
    expect(summarize('', 'configmaps', { metadata: meta('c'), data: { a: '1', b: '2' } }).cells).toEqual({ keys: 2 });
    expect(
      summarize('', 'persistentvolumeclaims', {
        metadata: meta('data'),
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', volumeName: 'pv-1' },
        status: { phase: 'Bound', capacity: { storage: '1Gi' } },
      }),
    ).toMatchObject({
      status: 'Bound',
      problem: false,
      cells: { volume: 'pv-1', capacity: '1Gi', accessModes: 'RWO', storageClass: 'local-path' },
    });
    expect(summarize('', 'persistentvolumeclaims', { metadata: meta('x'), status: { phase: 'Lost' } }).problem).toBe(
      true,
    );
    expect(
      summarize('', 'persistentvolumes', {
        metadata: { name: 'pv-1' },
        spec: { capacity: { storage: '1Gi' }, claimRef: { namespace: 'media', name: 'data' } },
        status: { phase: 'Failed' },
      }),
    ).toMatchObject({ problem: true, cells: { claim: 'media/data' } });
    expect(
      summarize('storage.k8s.io', 'storageclasses', {
        metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'rancher.io/local-path',
        volumeBindingMode: 'WaitForFirstConsumer',
      }).cells,
    ).toEqual({
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      bindingMode: 'WaitForFirstConsumer',
      default: 'yes',
    });
    expect(summarize('', 'namespaces', { metadata: { name: 'media' }, status: { phase: 'Active' } }).status).toBe(
      'Active',
    );
    expect(
      summarize('', 'events', {
        metadata: meta('api.1'),
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting',
        count: 3,
        involvedObject: { kind: 'Pod', name: 'api-0' },
      }),
    ).toMatchObject({ problem: true, cells: { object: 'pod/api-0', count: 3, reason: 'BackOff' } });
  });

  it('kinds without columns (CRDs, roles) get the common ones, with a status from a Ready condition', () => {
    expect(columnsFor({ group: 'rbac.authorization.k8s.io', plural: 'roles' })).toEqual([]);
    expect(summarize('rbac.authorization.k8s.io', 'roles', { metadata: meta('reader') })).toMatchObject({
      key: 'media/reader',
      status: '',
      problem: false,
      cells: {},
    });
    expect(
      summarize('cert-manager.io', 'certificates', {
        metadata: meta('tls'),
        status: { conditions: [{ type: 'Ready', status: 'False', reason: 'DoesNotExist' }] },
      }),
    ).toMatchObject({ status: 'DoesNotExist', problem: true });
  });
});

describe('sorting', () => {
  const r = (name: string, problem: boolean, ready: string, createdAt: string): ResourceRow => ({
    key: `ns/${name}`,
    name,
    namespace: 'ns',
    createdAt,
    status: '',
    tone: 'ok',
    problem,
    cells: { ready },
  });
  const rows = [
    r('b', false, '2/2', '2026-01-02'),
    r('a', false, '1/3', '2026-01-03'),
    r('c', true, '3/3', '2026-01-01'),
  ];

  it('puts problems first whatever the column, and sorts x/y by how complete it is', () => {
    expect(sortRows(rows, 'name', false, true).map((x) => x.name)).toEqual(['c', 'a', 'b']);
    expect(sortRows(rows, 'name', false, false).map((x) => x.name)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, 'cell:ready', false, false).map((x) => x.name)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, 'name', true, false).map((x) => x.name)).toEqual(['c', 'b', 'a']);
    // Age ascending: youngest first.
    expect(sortRows(rows, 'age', false, false).map((x) => x.name)).toEqual(['a', 'b', 'c']);
  });
});
