/**
 * The columns the resource browser shows per kind, beyond the ones every kind has (name,
 * namespace, status, age). Main process summaries fill `ResourceRow.cells` by these ids; the
 * screen draws headers from them. Kinds not listed (CRDs, roles, ...) get the common columns only.
 */
import { resourceId, type ResourceRow } from './resource-schemas';

export interface ResourceColumn {
  id: string;
  label: string;
  /** CSS grid track, e.g. '70px' or 'minmax(120px, 1fr)'. */
  width: string;
  /** 'time': the cell holds an ISO time, shown as an age ("5m"). */
  format?: 'time';
}

const col = (id: string, label: string, width = 'minmax(90px, 1fr)', format?: 'time'): ResourceColumn => ({
  id,
  label,
  width,
  ...(format ? { format } : {}),
});
const ready = col('ready', 'Ready', '70px');

const EVENT_COLUMNS = [
  col('type', 'Type', '70px'),
  col('reason', 'Reason', '110px'),
  col('object', 'Object', 'minmax(120px, 1fr)'),
  col('message', 'Message', 'minmax(160px, 2.5fr)'),
  col('count', 'Count', '50px'),
];

export const KIND_COLUMNS: Readonly<Record<string, readonly ResourceColumn[]>> = {
  'deployments.apps': [ready, col('upToDate', 'Up to date', '80px'), col('available', 'Available', '80px')],
  'statefulsets.apps': [ready],
  'daemonsets.apps': [ready, col('desired', 'Desired', '70px'), col('nodeSelector', 'Node selector')],
  'replicasets.apps': [ready, col('owner', 'Owner')],
  'jobs.batch': [col('completions', 'Completions', '90px'), col('duration', 'Duration', '80px')],
  'cronjobs.batch': [
    col('schedule', 'Schedule'),
    col('active', 'Active', '60px'),
    col('lastSchedule', 'Last run', '80px', 'time'),
  ],
  pods: [ready, col('restarts', 'Restarts', '70px'), col('node', 'Node')],
  services: [
    col('type', 'Type', '100px'),
    col('clusterIP', 'Cluster IP', '110px'),
    col('externalIP', 'External IP', '110px'),
    col('ports', 'Ports', 'minmax(100px, 1.2fr)'),
  ],
  'ingresses.networking.k8s.io': [
    col('class', 'Class', '90px'),
    col('hosts', 'Hosts', 'minmax(140px, 2fr)'),
    col('address', 'Address', '110px'),
  ],
  configmaps: [col('keys', 'Keys', '60px')],
  secrets: [col('type', 'Type', 'minmax(140px, 1.5fr)'), col('keys', 'Keys', '60px')],
  persistentvolumeclaims: [
    col('volume', 'Volume'),
    col('capacity', 'Capacity', '80px'),
    col('accessModes', 'Access', '70px'),
    col('storageClass', 'Storage class'),
  ],
  persistentvolumes: [
    col('capacity', 'Capacity', '80px'),
    col('accessModes', 'Access', '70px'),
    col('reclaimPolicy', 'Reclaim', '70px'),
    col('claim', 'Claim'),
    col('storageClass', 'Storage class'),
  ],
  'storageclasses.storage.k8s.io': [
    col('provisioner', 'Provisioner', 'minmax(140px, 1.5fr)'),
    col('reclaimPolicy', 'Reclaim', '70px'),
    col('bindingMode', 'Binding mode', 'minmax(120px, 1fr)'),
    col('default', 'Default', '60px'),
  ],
  nodes: [
    col('roles', 'Roles'),
    col('version', 'Version', '130px'),
    col('cpu', 'CPU', '50px'),
    col('memory', 'Memory', '80px'),
    col('conditions', 'Conditions', 'minmax(120px, 1.5fr)'),
  ],
  namespaces: [],
  events: EVENT_COLUMNS,
  'events.events.k8s.io': EVENT_COLUMNS,
};

/** The per-kind columns of a resource (none for kinds the browser knows only generically). */
export function columnsFor(r: { group: string; plural: string }): readonly ResourceColumn[] {
  return KIND_COLUMNS[resourceId(r)] ?? [];
}

/** Ready-style "x/y" text, compared by how complete it is, then by size. */
const RATIO = /^(\d+)\/(\d+)$/;

/** Orders two cell values: numbers by value, "x/y" by ratio, text by code unit (names are ASCII). */
export function compareCells(a: string | number | undefined, b: string | number | undefined): number {
  if (a === undefined || a === '') return b === undefined || b === '' ? 0 : 1;
  if (b === undefined || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const ra = RATIO.exec(String(a));
  const rb = RATIO.exec(String(b));
  if (ra && rb) {
    const fa = Number(ra[2]) === 0 ? 1 : Number(ra[1]) / Number(ra[2]);
    const fb = Number(rb[2]) === 0 ? 1 : Number(rb[1]) / Number(rb[2]);
    return fa !== fb ? fa - fb : Number(ra[2]) - Number(rb[2]);
  }
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export type SortKey = 'name' | 'namespace' | 'status' | 'age' | `cell:${string}`;

function sortValue(row: ResourceRow, key: SortKey): string | number | undefined {
  switch (key) {
    case 'name':
    case 'namespace':
    case 'status':
      return row[key];
    case 'age':
      return row.createdAt;
    default:
      return row.cells[key.slice('cell:'.length)];
  }
}

/**
 * Sorts rows by a column (then namespace and name); with problemsFirst, rows with a problem come
 * before all others whatever the column. Returns a new array.
 */
export function sortRows(
  rows: readonly ResourceRow[],
  key: SortKey,
  descending: boolean,
  problemsFirst: boolean,
): ResourceRow[] {
  // Age ascending is youngest first: the newest creation time first.
  const dir = (descending ? -1 : 1) * (key === 'age' ? -1 : 1);
  return [...rows].sort((a, b) => {
    if (problemsFirst && a.problem !== b.problem) return a.problem ? -1 : 1;
    const byKey = compareCells(sortValue(a, key), sortValue(b, key)) * dir;
    if (byKey !== 0) return byKey;
    return compareCells(a.namespace, b.namespace) || compareCells(a.name, b.name);
  });
}
