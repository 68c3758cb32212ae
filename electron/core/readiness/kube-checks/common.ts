/** Helpers the Kubernetes readiness checks share: reading workloads, pods and settings. */
import type { Evidence, ReadinessCheck, ReadinessFix } from '@shared/readiness-schemas';
import { NAME_LABEL } from '../../stacks/kubernetes';
import type { Container, Pod, Snapshot, Workload } from '../live';

/** The application's own stop timeout, by component: the grace period must cover it. */
export const STOP_TIMEOUT_SECONDS: Record<string, number> = { api: 30 };
/** Kubernetes' default terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;
export const API = 'api';

export interface CheckInputs {
  snap: Snapshot;
  /** The values of the current revision (undefined when Homeport has no revision of the stack). */
  values: unknown;
  now: Date;
  /** Prometheus' answer for up{} of the API pods; undefined when no Prometheus was found. */
  up?:
    { query: string; samples: { value: number; labels: Record<string, string> }[] } | { query: string; error: string };
  /** The last successful backup; undefined when Homeport knows of no backups of the stack. */
  backup?: { lastSuccess?: string };
  /** The X-Request-ID round trip through the service proxy, when it could be made. */
  requestId?: { echoed: boolean; sent: string; got?: string; status: number } | { unavailable: string };
}

export type Verdict = ReadinessCheck['verdict'];
export type Draft = Omit<ReadinessCheck, 'verdict' | 'summary' | 'evidence' | 'remediation' | 'fix'>;

export function result(
  d: Draft,
  verdict: Verdict,
  summary: string,
  evidence: Evidence[],
  remediation: string,
  fix?: ReadinessFix,
): ReadinessCheck {
  return { ...d, verdict, summary, evidence, remediation, ...(fix && verdict !== 'pass' ? { fix } : {}) };
}

export const ref = (w: { kind: string; metadata: { name: string } }) => `${w.kind}/${w.metadata.name}`;
export const componentOf = (w: Workload) => w.spec.template.metadata?.labels?.[NAME_LABEL] ?? w.metadata.name;
export const containerField = (c: Container, field: string) => `spec.template.spec.containers[${c.name}].${field}`;
export const live = (p: Pod) => !p.metadata.deletionTimestamp;
export const podReady = (p: Pod) =>
  live(p) &&
  p.status?.phase === 'Running' &&
  (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
export const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

export function podsOf(snap: Snapshot, w: Workload): Pod[] {
  return snap.pods.filter((p) => live(p) && selects(w.spec.selector?.matchLabels, p.metadata.labels));
}

export function apiWorkload(snap: Snapshot): Workload | undefined {
  return snap.workloads.find((w) => componentOf(w) === API) ?? snap.workloads.find((w) => w.metadata.name === API);
}

export const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);
export const apiContainer = (w: Workload | undefined) =>
  w?.spec.template.spec.containers.find((c) => c.name === API) ?? w?.spec.template.spec.containers[0];

export const missingApi = (d: Draft): ReadinessCheck =>
  result(
    d,
    'fail',
    'The stack has no API workload (no Deployment labelled app.kubernetes.io/name=api)',
    [{ object: 'Deployment/api', value: 'not found' }],
    'Deploy the stack (or re-apply it) so the API Deployment exists.',
    { label: 'Re-apply the stack', values: {} },
  );

/** The host of a URL-ish setting ('redis://dragonfly:6379' -> 'dragonfly'). */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}
export const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);
