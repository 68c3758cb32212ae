import type { ResourceRow, Tone } from '@shared/resource-schemas';
import type { KubeObject } from '../kube-stream';

/** Any object as the summaries read it: metadata plus loosely typed spec and status. */
export interface AnyObject extends KubeObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  /** Kind-specific top-level fields (data, type, provisioner, involvedObject, ...). */
  [field: string]: unknown;
}

export interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** The fields every row has, from metadata. */
export function rowBase(obj: KubeObject): Pick<ResourceRow, 'key' | 'name' | 'namespace' | 'createdAt'> {
  const name = obj.metadata?.name ?? '';
  const namespace = obj.metadata?.namespace ?? '';
  return { key: `${namespace}/${name}`, name, namespace, createdAt: obj.metadata?.creationTimestamp ?? '' };
}

export function row(
  obj: KubeObject,
  status: string,
  tone: Tone,
  problem: boolean,
  cells: ResourceRow['cells'] = {},
): ResourceRow {
  // An object being deleted says so whatever its own status.
  if (obj.metadata?.deletionTimestamp) return { ...rowBase(obj), status: 'Terminating', tone: 'warn', problem, cells };
  return { ...rowBase(obj), status, tone, problem, cells };
}

export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
export const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function conditions(obj: AnyObject): Condition[] {
  return arr<Condition>(obj.status?.conditions);
}

export function condition(obj: AnyObject, type: string): Condition | undefined {
  return conditions(obj).find((c) => c.type === type);
}

/** "42s", "3m5s", "2h4m": how long something took. */
export function duration(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
}

/**
 * Any other kind (CRDs, roles, ...): the common columns, and a status from the conventional
 * Ready (or Available) condition when the object has one.
 */
export function summarizeGeneric(obj: AnyObject): ResourceRow {
  const ready = condition(obj, 'Ready') ?? condition(obj, 'Available');
  if (!ready) {
    const phase = str(obj.status?.phase);
    return row(obj, phase, phase && /fail|error/i.test(phase) ? 'error' : 'muted', /fail|error/i.test(phase));
  }
  if (ready.status === 'True') return row(obj, ready.type ?? 'Ready', 'ok', false);
  const word = ready.reason || `Not ${(ready.type ?? 'Ready').toLowerCase()}`;
  return row(obj, word, ready.status === 'False' ? 'error' : 'warn', ready.status === 'False');
}
