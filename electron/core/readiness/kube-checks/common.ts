/**
 * Helpers the Kubernetes readiness checks share: the stack's signals and contracts, the primary
 * component's workload and container, and what its program reads.
 */
import type { BackupStatus } from '../backup-check';
import type { Evidence, ReadinessCheck, ReadinessFix } from '@shared/readiness-schemas';
import { NAME_LABEL } from '../../stacks/kubernetes';
import type { StackSignals } from '../../stacks/signals';
import type { KubeObject } from '../../stacks/types';
import type { LeaderRead } from '../../leaders/read-leader';
import type { ImageContract } from '../../stacks/upstream';
import type { Container, Pod, Snapshot, Workload } from '../live';
import { programView, SECRET_MARK, withoutPlaceholders, type ProgramFile, type ProgramView } from '../program';
import type { Place } from '../program-checks';

/** Kubernetes' default terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;

export interface CheckInputs {
  snap: Snapshot;
  /** The values of the current revision (undefined when Homeport has no revision of the stack). */
  values: unknown;
  /** What the stack says about itself: its primary component, replicas policy, state, leader, ... */
  signals: StackSignals;
  /** The upstream contracts of the stack's images. */
  contracts: readonly ImageContract[];
  /** The objects Homeport renders for the current revision's values (undefined without a revision). */
  rendered?: readonly KubeObject[];
  now: Date;
  /** Prometheus' answer for up{} of the primary's pods; undefined when no Prometheus was found. */
  up?:
    { query: string; samples: { value: number; labels: Record<string, string> }[] } | { query: string; error: string };
  /** The last successful backup; undefined when Homeport knows of no backups of the stack. */
  backup?: BackupStatus;
  /** The request-ID round trip through the service proxy, when it could be made. */
  requestId?: { echoed: boolean; sent: string; got?: string; status: number } | { unavailable: string };
  /** What the stack's leader table says, when its leader lives in one and Homeport could run psql. */
  tableLeader?: LeaderRead;
}

export type Verdict = ReadinessCheck['verdict'];
export type Draft = Omit<ReadinessCheck, 'verdict' | 'summary' | 'evidence' | 'remediation' | 'fix'>;

export const REAPPLY: ReadinessFix = { label: 'Re-apply the stack', values: {} };

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

/** The workload of a component of the stack, by its name label (or its name). */
export function workloadOf(snap: Snapshot, component: string): Workload | undefined {
  return (
    snap.workloads.find((w) => componentOf(w) === component) ??
    snap.workloads.find((w) => w.metadata.name === component)
  );
}

export const primaryWorkload = (i: CheckInputs) => workloadOf(i.snap, i.signals.primary);

/** The container of a component's workload: the one named after it, else the first. */
export const containerOf = (w: Workload | undefined, component: string) =>
  w?.spec.template.spec.containers.find((c) => c.name === component) ?? w?.spec.template.spec.containers[0];

export const primaryContainer = (i: CheckInputs, w: Workload | undefined) => containerOf(w, i.signals.primary);

export const missingComponent = (d: Draft, component: string): ReadinessCheck =>
  result(
    d,
    'fail',
    `The stack has no workload for its component '${component}' (no Deployment or StatefulSet labelled ${NAME_LABEL}=${component})`,
    [{ object: `Deployment/${component}`, value: 'not found' }],
    `Deploy the stack (or re-apply it) so the workload of '${component}' exists.`,
    REAPPLY,
  );

export const missingPrimary = (d: Draft, i: CheckInputs) => missingComponent(d, i.signals.primary);

/** The environment, arguments and mounted files of a container, as its program sees them (no secret values). */
export function programOf(i: CheckInputs, w: Workload, c: Container): ProgramView {
  const configMapValue = (name: string, key: string) =>
    i.snap.configMaps.find((m) => m.metadata.name === name)?.data?.[key];
  const env = (c.env ?? []).map((e) => {
    const from = e.valueFrom;
    if (from?.configMapKeyRef) {
      return {
        name: e.name,
        value: configMapValue(from.configMapKeyRef.name, from.configMapKeyRef.key) ?? '',
        literal: false,
      };
    }
    if (from)
      return {
        name: e.name,
        value: from.secretKeyRef ? SECRET_MARK : `$(${from.fieldRef?.fieldPath ?? 'field'})`,
        literal: false,
      };
    return { name: e.name, value: e.value ?? '', literal: true };
  });
  const files: ProgramFile[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = w.spec.template.spec.volumes?.find((x) => x.name === m.name);
    const secretName = v?.secret?.secretName;
    const mapName = v?.configMap?.name;
    if (secretName) {
      const s = i.snap.secrets.find((x) => x.name === secretName);
      for (const key of m.subPath ? [m.subPath] : (s?.keys ?? [])) {
        const template = s?.templates[key];
        files.push({
          path: m.subPath ? m.mountPath : `${m.mountPath}/${key}`,
          content: template === undefined ? undefined : withoutPlaceholders(template),
          origin: `Secret ${secretName} key ${key}`,
          secret: true,
        });
      }
    } else if (mapName) {
      const data = i.snap.configMaps.find((x) => x.metadata.name === mapName)?.data ?? {};
      for (const key of m.subPath ? [m.subPath] : Object.keys(data)) {
        files.push({
          path: m.subPath ? m.mountPath : `${m.mountPath}/${key}`,
          content: data[key],
          origin: `ConfigMap ${mapName} key ${key}`,
          secret: false,
        });
      }
    }
  }
  return programView(i.contracts, componentOf(w), { image: c.image ?? '', env, args: c.args ?? [], files });
}

/** Where a workload runs, for the platform-neutral checks of program-checks.ts. */
export const placeOf = (i: CheckInputs, w: Workload): Place => ({
  object: ref(w),
  services: new Set(i.snap.services.map((s) => s.metadata.name)),
  serviceRef: (name) => `Service/${name}`,
  namespace: i.snap.namespace,
  reapply: REAPPLY,
});
