import type { ResourceType } from './resources';
import type { KObject } from './store';

/** Server-side printing (meta.k8s.io/v1 Table), the columns kubectl shows for each kind. */
interface Column {
  name: string;
  type?: string;
  priority?: number;
  cell: (o: KObject, now: number) => string | number;
}

export function age(iso: string | undefined, now: number): string {
  const t = Date.parse(iso ?? '');
  if (!Number.isFinite(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

type Any = Record<string, unknown>;
const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Any)[k] : undefined), o);
const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const containerStatuses = (o: KObject) => (get(o, 'status.containerStatuses') as Any[] | undefined) ?? [];

/** The STATUS column of a pod, as kubectl computes it. */
export function podStatus(o: KObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  for (const c of containerStatuses(o)) {
    const waiting = get(c, 'state.waiting.reason');
    if (typeof waiting === 'string' && waiting !== '') return waiting;
    const terminated = get(c, 'state.terminated.reason');
    if (typeof terminated === 'string' && get(o, 'status.phase') !== 'Succeeded') return terminated;
  }
  return String(get(o, 'status.phase') ?? 'Pending');
}

const name: Column = { name: 'Name', type: 'string', cell: (o) => o.metadata.name };
const ageCol: Column = { name: 'Age', type: 'string', cell: (o, now) => age(o.metadata.creationTimestamp, now) };

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    name,
    {
      name: 'Ready',
      cell: (o) =>
        `${containerStatuses(o).filter((c) => c.ready).length}/${((get(o, 'spec.containers') as unknown[]) ?? []).length}`,
    },
    { name: 'Status', cell: podStatus },
    {
      name: 'Restarts',
      type: 'integer',
      cell: (o) => containerStatuses(o).reduce((n, c) => n + num(c.restartCount), 0),
    },
    ageCol,
    { name: 'IP', priority: 1, cell: (o) => String(get(o, 'status.podIP') ?? '<none>') },
    { name: 'Node', priority: 1, cell: (o) => String(get(o, 'spec.nodeName') ?? '<none>') },
  ],
  Node: [
    name,
    {
      name: 'Status',
      cell: (o) => {
        const ready = ((get(o, 'status.conditions') as Any[]) ?? []).find((c) => c.type === 'Ready');
        const status = ready?.status === 'True' ? 'Ready' : 'NotReady';
        // As kubectl's node printer: a cordoned node reads Ready,SchedulingDisabled.
        return get(o, 'spec.unschedulable') === true ? `${status},SchedulingDisabled` : status;
      },
    },
    {
      name: 'Roles',
      cell: (o) =>
        Object.keys(o.metadata.labels ?? {}).some((l) => l.endsWith('/control-plane')) ? 'control-plane' : '<none>',
    },
    ageCol,
    { name: 'Version', cell: (o) => String(get(o, 'status.nodeInfo.kubeletVersion') ?? '') },
  ],
  Namespace: [name, { name: 'Status', cell: (o) => String(get(o, 'status.phase') ?? 'Active') }, ageCol],
  Deployment: [
    name,
    { name: 'Ready', cell: (o) => `${num(get(o, 'status.readyReplicas'))}/${num(get(o, 'spec.replicas'))}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(get(o, 'status.updatedReplicas')) },
    { name: 'Available', type: 'integer', cell: (o) => num(get(o, 'status.availableReplicas')) },
    ageCol,
  ],
  ReplicaSet: [
    name,
    { name: 'Desired', type: 'integer', cell: (o) => num(get(o, 'spec.replicas')) },
    { name: 'Current', type: 'integer', cell: (o) => num(get(o, 'status.replicas')) },
    { name: 'Ready', type: 'integer', cell: (o) => num(get(o, 'status.readyReplicas')) },
    ageCol,
  ],
  StatefulSet: [
    name,
    { name: 'Ready', cell: (o) => `${num(get(o, 'status.readyReplicas'))}/${num(get(o, 'spec.replicas'))}` },
    ageCol,
  ],
  Job: [
    name,
    {
      name: 'Status',
      cell: (o) => (num(get(o, 'status.succeeded')) >= num(get(o, 'spec.completions') ?? 1) ? 'Complete' : 'Running'),
    },
    { name: 'Completions', cell: (o) => `${num(get(o, 'status.succeeded'))}/${num(get(o, 'spec.completions') ?? 1)}` },
    ageCol,
  ],
  Lease: [name, { name: 'Holder', cell: (o) => String(get(o, 'spec.holderIdentity') ?? '') }, ageCol],
  Secret: [
    name,
    { name: 'Type', cell: (o) => String(o.type ?? 'Opaque') },
    { name: 'Data', type: 'integer', cell: (o) => Object.keys((o.data as Any) ?? {}).length },
    ageCol,
  ],
  Service: [
    name,
    { name: 'Type', cell: (o) => String(get(o, 'spec.type') ?? 'ClusterIP') },
    { name: 'Cluster-IP', cell: (o) => String(get(o, 'spec.clusterIP') ?? '<none>') },
    { name: 'External-IP', cell: () => '<none>' },
    {
      name: 'Port(s)',
      cell: (o) =>
        ((get(o, 'spec.ports') as Any[]) ?? []).map((p) => `${num(p.port)}/${String(p.protocol ?? 'TCP')}`).join(',') ||
        '<none>',
    },
    ageCol,
  ],
};

export function toTable(r: ResourceType, objects: KObject[], resourceVersion: string, includeObject: string | null) {
  const columns = COLUMNS[r.kind] ?? [
    name,
    { name: 'Created At', type: 'date', cell: (o: KObject) => o.metadata.creationTimestamp ?? '' },
  ];
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type ?? 'string',
      format: c.name === 'Name' ? 'name' : '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => c.cell(o, now)),
      object:
        includeObject === 'Object'
          ? o
          : includeObject === 'None'
            ? undefined
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

export const wantsTable = (accept: string | undefined) => /as=Table/.test(accept ?? '');
