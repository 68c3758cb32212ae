/**
 * The readiness checks of a stack deployed to Kubernetes, as pure functions of one snapshot of its
 * live objects (plus what Prometheus, the backups and the service proxy answered). Each check names
 * the object and field it looked at and the value it saw; secret values are never read.
 */
import type { Evidence, ReadinessCheck, ReadinessFix } from '@shared/readiness-schemas';
import { NAME_LABEL } from '../stacks/kubernetes';
import { LEADER_ELECTION_ANNOTATION } from '../stacks/types';
import type { Container, Lease, Pod, Snapshot, Workload } from './live';
import { SECRET_NAME } from './score';

/** The application's own stop timeout, by component: the grace period must cover it. */
export const STOP_TIMEOUT_SECONDS: Record<string, number> = { api: 30 };
/** Kubernetes' default terminationGracePeriodSeconds. */
const DEFAULT_GRACE_SECONDS = 30;
const API = 'api';

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

type Verdict = ReadinessCheck['verdict'];
type Draft = Omit<ReadinessCheck, 'verdict' | 'summary' | 'evidence' | 'remediation' | 'fix'>;

function result(
  d: Draft,
  verdict: Verdict,
  summary: string,
  evidence: Evidence[],
  remediation: string,
  fix?: ReadinessFix,
): ReadinessCheck {
  return { ...d, verdict, summary, evidence, remediation, ...(fix && verdict !== 'pass' ? { fix } : {}) };
}

const ref = (w: { kind: string; metadata: { name: string } }) => `${w.kind}/${w.metadata.name}`;
const componentOf = (w: Workload) => w.spec.template.metadata?.labels?.[NAME_LABEL] ?? w.metadata.name;
const containerField = (c: Container, field: string) => `spec.template.spec.containers[${c.name}].${field}`;
const live = (p: Pod) => !p.metadata.deletionTimestamp;
export const podReady = (p: Pod) =>
  live(p) &&
  p.status?.phase === 'Running' &&
  (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

function podsOf(snap: Snapshot, w: Workload): Pod[] {
  return snap.pods.filter((p) => live(p) && selects(w.spec.selector?.matchLabels, p.metadata.labels));
}

function apiWorkload(snap: Snapshot): Workload | undefined {
  return snap.workloads.find((w) => componentOf(w) === API) ?? snap.workloads.find((w) => w.metadata.name === API);
}

const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);
const apiContainer = (w: Workload | undefined) =>
  w?.spec.template.spec.containers.find((c) => c.name === API) ?? w?.spec.template.spec.containers[0];

const missingApi = (d: Draft): ReadinessCheck =>
  result(
    d,
    'fail',
    'The stack has no API workload (no Deployment labelled app.kubernetes.io/name=api)',
    [{ object: 'Deployment/api', value: 'not found' }],
    'Deploy the stack (or re-apply it) so the API Deployment exists.',
    { label: 'Re-apply the stack', values: {} },
  );

/** The host of a URL-ish setting ('redis://dragonfly:6379' -> 'dragonfly'). */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);

// ---------------------------------------------------------------- state

function sessionsAndCache(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'state.sessions-cache',
    title: 'Sessions and cache are externalized',
    category: 'state',
    weight: 5,
  };
  const w = apiWorkload(i.snap);
  const c = apiContainer(w);
  if (!w || !c) return missingApi(d);
  const evidence: Evidence[] = [];
  const problems: string[] = [];
  for (const [name, what] of [
    ['REVENGE_CACHE_URL', 'cache'],
    ['REVENGE_DATABASE_URL', 'database (sessions)'],
  ] as const) {
    const v = envOf(c, name);
    const field = containerField(c, `env[${name}]`);
    if (!v?.value) {
      problems.push(`${name} is not set`);
      evidence.push({ object: ref(w), field, value: v ? 'set from a reference' : 'not set' });
      continue;
    }
    const host = hostOf(v.value);
    const service = host?.split('.')[0];
    // The URL's host, never the whole URL: it may embed a password placeholder.
    evidence.push({ object: ref(w), field, value: `host ${host ?? '(unparsable)'}` });
    if (!host || LOCAL_HOSTS.has(host)) problems.push(`the ${what} is ${host ?? 'not a URL'}, inside the pod`);
    else if (!i.snap.services.some((s) => s.metadata.name === service)) {
      problems.push(`the ${what} host '${host}' is not a Service of the stack`);
      evidence.push({ object: `Service/${service}`, value: 'not found' });
    } else evidence.push({ object: `Service/${service}`, value: 'exists' });
  }
  if (problems.length === 0) {
    return result(d, 'pass', 'Sessions live in PostgreSQL and the cache in a shared Service', evidence, '');
  }
  return result(
    d,
    'fail',
    problems.join('; '),
    evidence,
    'Point REVENGE_CACHE_URL and REVENGE_DATABASE_URL at the cache and database Services so every replica shares sessions and cache; re-apply the stack.',
    { label: 'Re-apply the stack', values: {} },
  );
}

function avatarsOnS3(i: CheckInputs): ReadinessCheck {
  const d: Draft = { id: 'state.avatars-s3', title: 'Avatars are stored on S3', category: 'state', weight: 4 };
  const w = apiWorkload(i.snap);
  const c = apiContainer(w);
  if (!w || !c) return missingApi(d);
  const backend = envOf(c, 'REVENGE_STORAGE_BACKEND')?.value;
  const endpoint = envOf(c, 'REVENGE_STORAGE_S3_ENDPOINT')?.value;
  const evidence: Evidence[] = [
    { object: ref(w), field: containerField(c, 'env[REVENGE_STORAGE_BACKEND]'), value: backend ?? 'not set' },
    { object: ref(w), field: containerField(c, 'env[REVENGE_STORAGE_S3_ENDPOINT]'), value: endpoint ?? 'not set' },
  ];
  const fix: ReadinessFix = {
    label: 'Store avatars on the bundled object store',
    values: { objectStore: { mode: 'bundled' } },
  };
  const remediation =
    'Set REVENGE_STORAGE_BACKEND=s3 with an S3 endpoint (the bundled object store, an existing S3 service or a saved S3 profile): local avatar files are not shared between replicas.';
  if (backend !== 's3') {
    return result(
      d,
      'fail',
      `Avatars go to ${backend ?? 'the default local'} storage, one copy per pod`,
      evidence,
      remediation,
      fix,
    );
  }
  if (!endpoint) return result(d, 'fail', 'S3 storage is selected without an endpoint', evidence, remediation, fix);
  return result(d, 'pass', `Avatars go to S3 at ${endpoint}`, evidence, '');
}

function leaderElection(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'state.leader-election',
    title: 'Periodic jobs run on one leader',
    category: 'state',
    weight: 4,
  };
  const w = apiWorkload(i.snap);
  if (!w) return missingApi(d);
  const annotated = w.spec.template.metadata?.annotations?.[LEADER_ELECTION_ANNOTATION];
  const lease: Lease | undefined =
    i.snap.leases.find((l) => l.metadata.name === annotated) ??
    i.snap.leases.find((l) => l.metadata.name.startsWith(`${i.snap.stack}-`));
  const evidence: Evidence[] = [
    {
      object: ref(w),
      field: `spec.template.metadata.annotations[${LEADER_ELECTION_ANNOTATION}]`,
      value: annotated ?? 'not set',
    },
  ];
  const remediation =
    'The API elects a leader through a Kubernetes Lease so periodic jobs run once; re-applying the stack restores the leader-election annotation, its ServiceAccount and Role. A Lease nobody renews means no API pod is Running and Ready.';
  const fix: ReadinessFix = { label: 'Re-apply the stack', values: {} };
  if (!annotated && !lease) {
    return result(
      d,
      'fail',
      'No leader election: every replica would run the periodic jobs',
      evidence,
      remediation,
      fix,
    );
  }
  const leaseName = lease?.metadata.name ?? annotated ?? '';
  if (!lease) {
    evidence.push({ object: `Lease/${leaseName}`, value: 'not found' });
    return result(
      d,
      'fail',
      `Lease/${leaseName} does not exist: no API pod has become leader`,
      evidence,
      remediation,
      fix,
    );
  }
  const holder = lease.spec?.holderIdentity;
  const duration = lease.spec?.leaseDurationSeconds ?? 15;
  const renewed = lease.spec?.renewTime ? Date.parse(lease.spec.renewTime) : NaN;
  const age = Number.isNaN(renewed) ? Infinity : (i.now.getTime() - renewed) / 1000;
  evidence.push({ object: `Lease/${leaseName}`, field: 'spec.holderIdentity', value: holder || 'none' });
  evidence.push({
    object: `Lease/${leaseName}`,
    field: 'spec.renewTime',
    value: `${lease.spec?.renewTime ?? 'never'} (lease duration ${duration}s)`,
  });
  if (!holder) return result(d, 'fail', `Lease/${leaseName} has no holder`, evidence, remediation, fix);
  if (age > duration) {
    return result(d, 'fail', `Lease/${leaseName} expired: ${holder} stopped renewing it`, evidence, remediation, fix);
  }
  const holderPod = i.snap.pods.find((p) => p.metadata.name === holder || holder.startsWith(`${p.metadata.name}_`));
  const ofWorkload = holderPod !== undefined && selects(w.spec.selector?.matchLabels, holderPod.metadata.labels);
  evidence.push({
    object: `Pod/${holder}`,
    field: 'status',
    value: holderPod
      ? `${holderPod.status?.phase ?? 'unknown'}${podReady(holderPod) ? ', Ready' : ', not Ready'}`
      : 'not found',
  });
  if (!holderPod || !ofWorkload || !podReady(holderPod)) {
    return result(
      d,
      'fail',
      `Lease/${leaseName} is held by ${holder}, which is not a Running and Ready pod of ${ref(w)}`,
      evidence,
      remediation,
      fix,
    );
  }
  return result(d, 'pass', `Lease/${leaseName} is held by ${holder}`, evidence, '');
}

// ---------------------------------------------------------------- configuration

function configFromEnv(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'configuration.env',
    title: 'Configuration comes from the environment',
    category: 'configuration',
    weight: 3,
  };
  const w = apiWorkload(i.snap);
  const c = apiContainer(w);
  if (!w || !c) return missingApi(d);
  const names = (c.env ?? []).map((e) => e.name).filter((n) => n.startsWith('REVENGE_'));
  const evidence: Evidence[] = [
    { object: ref(w), field: containerField(c, 'env'), value: `${names.length} REVENGE_* variables` },
  ];
  if (names.length === 0) {
    return result(
      d,
      'fail',
      'The API gets no REVENGE_* settings from its environment',
      evidence,
      'Re-apply the stack: Homeport renders every setting as a REVENGE_* environment variable.',
      { label: 'Re-apply the stack', values: {} },
    );
  }
  return result(d, 'pass', `The API is configured by ${names.length} REVENGE_* variables`, evidence, '');
}

function secretsFromSecrets(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'configuration.secret-env',
    title: 'Secrets come from Secrets, not plain env',
    category: 'configuration',
    weight: 5,
  };
  const literal: Evidence[] = [];
  let fromSecrets = 0;
  for (const w of i.snap.workloads) {
    for (const c of w.spec.template.spec.containers) {
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef) fromSecrets++;
        // The name only: the value of a literal secret is never put in a report.
        if (SECRET_NAME.test(e.name) && e.value !== undefined && e.value !== '') {
          literal.push({
            object: ref(w),
            field: containerField(c, `env[${e.name}].value`),
            value: `container ${c.name}: ${e.name} has a literal value`,
          });
        }
      }
    }
  }
  const secretsSeen = i.snap.secrets.map((s) => `${s.name} (${s.keys.join(', ') || 'no keys'})`).join('; ');
  if (literal.length > 0) {
    const names = literal.map((e) => e.field?.replace(/^.*env\[(.*)\]\.value$/, '$1')).join(', ');
    return result(
      d,
      'fail',
      `Secret-looking variables with literal values: ${names}`,
      literal,
      'Move these values into a Kubernetes Secret and reference them with valueFrom.secretKeyRef; re-applying the stack puts the rendered environment back (Homeport keeps every credential in the stack Secret).',
      { label: 'Re-apply the stack', values: {} },
    );
  }
  return result(
    d,
    'pass',
    `${fromSecrets} variables come from Secrets; none holds a literal credential`,
    [
      { field: 'env[].valueFrom.secretKeyRef', value: `${fromSecrets} variables` },
      { object: 'Secrets', value: secretsSeen || 'none' },
    ],
    '',
  );
}

const CREDENTIAL_IN_URL = /:\/\/[^/\s:@]+:[^/\s@$]+@/;

function configMapCredentials(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'configuration.configmaps',
    title: 'No plain credentials in ConfigMaps',
    category: 'configuration',
    weight: 3,
  };
  const found: Evidence[] = [];
  for (const cm of i.snap.configMaps) {
    for (const [key, value] of Object.entries(cm.data ?? {})) {
      if (SECRET_NAME.test(key))
        found.push({
          object: `ConfigMap/${cm.metadata.name}`,
          field: `data[${key}]`,
          value: 'a credential-looking key',
        });
      else if (CREDENTIAL_IN_URL.test(value))
        found.push({ object: `ConfigMap/${cm.metadata.name}`, field: `data[${key}]`, value: 'a URL with a password' });
    }
  }
  if (found.length > 0) {
    return result(
      d,
      'fail',
      `${found.length} ConfigMap entries hold credentials`,
      found,
      'Move credentials from ConfigMaps into Secrets; ConfigMaps are readable by anyone who can read the namespace.',
    );
  }
  return result(
    d,
    'pass',
    `${i.snap.configMaps.length} ConfigMaps, none holding credentials`,
    [{ object: 'ConfigMaps', value: i.snap.configMaps.map((c) => c.metadata.name).join(', ') || 'none' }],
    '',
  );
}

// ---------------------------------------------------------------- discovery

function servicesForComponents(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'discovery.services',
    title: 'Every component has a Service with ready endpoints',
    category: 'discovery',
    weight: 5,
  };
  const evidence: Evidence[] = [];
  const problems: string[] = [];
  for (const w of i.snap.workloads) {
    const labels = w.spec.template.metadata?.labels;
    const svcs = i.snap.services.filter((s) => selects(s.spec?.selector, labels));
    const ready = podsOf(i.snap, w).filter(podReady).length;
    if (svcs.length === 0) {
      problems.push(`${ref(w)} has no Service`);
      evidence.push({ object: ref(w), value: 'no Service selects its pods' });
      continue;
    }
    evidence.push({
      object: svcs.map((s) => `Service/${s.metadata.name}`).join(', '),
      field: 'ready endpoints',
      value: `${ready} (${ref(w)})`,
    });
    if (ready === 0) problems.push(`${svcs.map((s) => `Service/${s.metadata.name}`).join(', ')} has no ready endpoint`);
  }
  if (problems.length > 0) {
    return result(
      d,
      'fail',
      problems.join('; '),
      evidence,
      'Every component needs a Service in front of Ready pods; re-apply the stack, and look at the pods that are not Ready.',
      { label: 'Re-apply the stack', values: {} },
    );
  }
  return result(
    d,
    'pass',
    `${i.snap.workloads.length} components, each behind a Service with ready endpoints`,
    evidence,
    '',
  );
}

function serviceSelectors(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'discovery.selectors',
    title: 'Services select the right pods',
    category: 'discovery',
    weight: 3,
  };
  const evidence: Evidence[] = [];
  const problems: string[] = [];
  for (const s of i.snap.services) {
    const sel = s.spec?.selector;
    const component = s.metadata.labels?.[NAME_LABEL];
    const pods = i.snap.pods.filter((p) => live(p) && selects(sel, p.metadata.labels));
    const strangers = pods.filter((p) => component !== undefined && p.metadata.labels?.[NAME_LABEL] !== component);
    const value = `${JSON.stringify(sel ?? {})} -> ${pods.length} pods`;
    evidence.push({ object: `Service/${s.metadata.name}`, field: 'spec.selector', value });
    if (!sel || Object.keys(sel).length === 0) problems.push(`Service/${s.metadata.name} has no selector`);
    else if (pods.length === 0) problems.push(`Service/${s.metadata.name} selects no pods`);
    else if (strangers.length > 0)
      problems.push(`Service/${s.metadata.name} also selects ${strangers.map((p) => p.metadata.name).join(', ')}`);
  }
  if (problems.length > 0) {
    return result(
      d,
      'fail',
      problems.join('; '),
      evidence,
      "A Service must select its own component's pods only (app.kubernetes.io/name and homeport.dev/stack); re-apply the stack.",
      { label: 'Re-apply the stack', values: {} },
    );
  }
  return result(d, 'pass', `${i.snap.services.length} Services, each selecting its component's pods`, evidence, '');
}

// ---------------------------------------------------------------- distributed

function probesPresent(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.probes',
    title: 'Health probes on every container',
    category: 'distributed',
    weight: 5,
  };
  const missing: Evidence[] = [];
  for (const w of i.snap.workloads) {
    for (const c of w.spec.template.spec.containers) {
      const required: ('livenessProbe' | 'readinessProbe' | 'startupProbe')[] = ['livenessProbe', 'readinessProbe'];
      if (componentOf(w) === API) required.push('startupProbe');
      for (const probe of required) {
        if (!c[probe]) missing.push({ object: ref(w), field: containerField(c, probe), value: 'missing' });
      }
    }
  }
  if (missing.length > 0) {
    return result(
      d,
      'fail',
      `Missing probes: ${missing.map((m) => `${m.object} ${m.field?.split('.').pop() ?? ''}`).join(', ')}`,
      missing,
      'Homeport renders liveness and readiness probes for every container (and a startup probe for the API on /health/startup); a missing one was removed by hand. Re-applying the stack with its current values puts them back.',
      { label: 'Re-apply the stack (restores the probes)', values: {} },
    );
  }
  const count = i.snap.workloads.reduce((n, w) => n + w.spec.template.spec.containers.length, 0);
  return result(
    d,
    'pass',
    `All ${count} containers have liveness and readiness probes (the API a startup probe too)`,
    [{ field: 'spec.template.spec.containers[].{liveness,readiness}Probe', value: `present on ${count} containers` }],
    '',
  );
}

function probesPassing(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.probes-passing',
    title: 'Pods pass their probes',
    category: 'distributed',
    weight: 4,
  };
  const evidence: Evidence[] = [];
  let worst: Verdict = 'pass';
  for (const w of i.snap.workloads) {
    const pods = podsOf(i.snap, w);
    const ready = pods.filter(podReady).length;
    evidence.push({ object: ref(w), field: 'pods Ready', value: `${ready}/${pods.length}` });
    if (ready === 0 && (w.spec.replicas ?? 1) > 0) worst = 'fail';
    else if (ready < pods.length && worst === 'pass') worst = 'warn';
  }
  const notReady = evidence.filter((e) => !/^(\d+)\/\1$/.test(e.value));
  if (worst === 'pass') return result(d, 'pass', 'Every pod of the stack is Ready', evidence, '');
  return result(
    d,
    worst,
    `Not all pods are Ready: ${notReady.map((e) => `${e.object} ${e.value}`).join(', ')}`,
    evidence,
    'Look at the events and logs of the pods that are not Ready (Workloads screen); a failing readiness probe keeps a pod out of its Service.',
  );
}

function gracefulShutdown(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.graceful-shutdown',
    title: 'Graceful shutdown has time to finish',
    category: 'distributed',
    weight: 2,
  };
  const evidence: Evidence[] = [];
  const short: string[] = [];
  for (const w of i.snap.workloads) {
    const need = STOP_TIMEOUT_SECONDS[componentOf(w)];
    if (need === undefined) continue;
    const grace = w.spec.template.spec.terminationGracePeriodSeconds;
    const effective = grace ?? DEFAULT_GRACE_SECONDS;
    evidence.push({
      object: ref(w),
      field: 'spec.template.spec.terminationGracePeriodSeconds',
      value: `${grace ?? `unset (default ${DEFAULT_GRACE_SECONDS})`}; the app stops within ${need}s`,
    });
    if (effective < need) short.push(`${ref(w)} gets ${effective}s, needs ${need}s`);
  }
  if (evidence.length === 0) return missingApi(d);
  if (short.length > 0) {
    return result(
      d,
      'fail',
      short.join('; '),
      evidence,
      "Give pods at least the application's stop timeout before they are killed; re-applying the stack sets it.",
      { label: 'Re-apply the stack', values: {} },
    );
  }
  return result(d, 'pass', "The grace period covers the API's stop timeout", evidence, '');
}

/** The values patch that gives the API at least two replicas, as fits the live values. */
export function replicasFix(values: unknown): ReadinessFix {
  const api = (values as { api?: { autoscale?: { enabled?: boolean; max?: number } } } | undefined)?.api;
  if (api?.autoscale?.enabled) {
    return {
      label: 'Autoscale the API from 2 replicas',
      values: { api: { autoscale: { enabled: true, min: 2, max: Math.max(2, api.autoscale.max ?? 2) } } },
    };
  }
  return { label: 'Run 2 API replicas', values: { api: { replicas: 2 } } };
}

function apiReplicas(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.replicas',
    title: 'More than one API replica',
    category: 'distributed',
    weight: 5,
  };
  const w = apiWorkload(i.snap);
  if (!w) return missingApi(d);
  const hpa = i.snap.hpas.find(
    (h) => h.spec?.scaleTargetRef?.name === w.metadata.name && h.spec.scaleTargetRef.kind === w.kind,
  );
  const replicas = w.spec.replicas ?? 1;
  const evidence: Evidence[] = [{ object: ref(w), field: 'spec.replicas', value: String(w.spec.replicas ?? 'unset') }];
  if (hpa)
    evidence.push({
      object: `HorizontalPodAutoscaler/${hpa.metadata.name}`,
      field: 'spec.minReplicas',
      value: String(hpa.spec?.minReplicas ?? 1),
    });
  const floor = hpa ? (hpa.spec?.minReplicas ?? 1) : replicas;
  if (floor >= 2)
    return result(
      d,
      'pass',
      hpa ? `The API autoscales from ${floor} replicas` : `The API runs ${replicas} replicas`,
      evidence,
      '',
    );
  return result(
    d,
    'fail',
    hpa
      ? `The API may scale down to ${floor} replica`
      : `The API runs ${replicas} replica: a restart or node drain takes it down`,
    evidence,
    'Run at least two API replicas (or autoscale with a minimum of two) so one can restart while the other serves.',
    replicasFix(i.values),
  );
}

function apiDisruptionBudget(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.pdb',
    title: 'A PodDisruptionBudget covers the API',
    category: 'distributed',
    weight: 3,
  };
  const w = apiWorkload(i.snap);
  if (!w) return missingApi(d);
  const labels = w.spec.template.metadata?.labels;
  const pdb = i.snap.pdbs.find((p) => selects(p.spec?.selector?.matchLabels, labels));
  if (!pdb) {
    return result(
      d,
      'fail',
      `No PodDisruptionBudget selects the pods of ${ref(w)}`,
      [
        {
          object: 'PodDisruptionBudget',
          field: 'spec.selector',
          value: `none matches ${JSON.stringify(w.spec.selector?.matchLabels ?? {})}`,
        },
      ],
      'A node drain may evict every API pod at once without a PodDisruptionBudget. Homeport renders one (minAvailable 1) when the API runs two or more replicas.',
      replicasFix(i.values),
    );
  }
  const value =
    pdb.spec?.minAvailable !== undefined
      ? `minAvailable ${pdb.spec.minAvailable}`
      : `maxUnavailable ${pdb.spec?.maxUnavailable ?? 'unset'}`;
  return result(
    d,
    'pass',
    `PodDisruptionBudget/${pdb.metadata.name} keeps ${value}`,
    [{ object: `PodDisruptionBudget/${pdb.metadata.name}`, field: 'spec', value }],
    '',
  );
}

function requestIds(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.request-id',
    title: 'X-Request-ID is echoed',
    category: 'distributed',
    weight: 2,
  };
  const remediation =
    'Revenge echoes X-Request-ID on every response so a request can be followed across replicas in the logs; an API image that does not is too old.';
  const r = i.requestId;
  if (!r || 'unavailable' in r) {
    return result(
      d,
      'unknown',
      "Not observed: it needs an HTTP request to the API through the API server's service proxy",
      [
        {
          object: `Service/${API}`,
          field: 'GET /proxy/health/live with X-Request-ID',
          value: r?.unavailable ?? 'not attempted',
        },
      ],
      remediation,
    );
  }
  const evidence: Evidence[] = [
    { object: `Service/${API}`, field: 'response header X-Request-ID', value: r.got ?? 'absent' },
  ];
  if (r.echoed) return result(d, 'pass', 'The API echoed the X-Request-ID it was sent', evidence, '');
  return result(d, 'fail', `The API answered HTTP ${r.status} without echoing X-Request-ID`, evidence, remediation);
}

// ---------------------------------------------------------------- observability

function scrapeAnnotations(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'observability.scrape-annotations',
    title: 'The API pods are annotated for Prometheus',
    category: 'observability',
    weight: 3,
  };
  const w = apiWorkload(i.snap);
  if (!w) return missingApi(d);
  const a = w.spec.template.metadata?.annotations ?? {};
  const evidence: Evidence[] = ['scrape', 'port', 'path'].map((k) => ({
    object: ref(w),
    field: `spec.template.metadata.annotations[prometheus.io/${k}]`,
    value: a[`prometheus.io/${k}`] ?? 'not set',
  }));
  const pods = podsOf(i.snap, w);
  const unannotated = pods.filter((p) => p.metadata.annotations?.['prometheus.io/scrape'] !== 'true');
  if (a['prometheus.io/scrape'] !== 'true' || unannotated.length > 0) {
    if (unannotated.length > 0)
      evidence.push({
        object: `Pod/${unannotated[0]?.metadata.name ?? ''}`,
        field: 'metadata.annotations[prometheus.io/scrape]',
        value: 'not true',
      });
    return result(
      d,
      'fail',
      'The API pods are not marked for scraping',
      evidence,
      'Re-apply the stack: Homeport annotates the API pods with prometheus.io/scrape, port and path.',
      { label: 'Re-apply the stack', values: {} },
    );
  }
  return result(
    d,
    'pass',
    `Prometheus may scrape ${pods.length} API pods at ${a['prometheus.io/path'] ?? '/metrics'}`,
    evidence,
    '',
  );
}

function metricsEndpoint(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'observability.metrics-endpoint',
    title: 'The metrics endpoint is declared',
    category: 'observability',
    weight: 2,
  };
  const w = apiWorkload(i.snap);
  const c = apiContainer(w);
  if (!w || !c) return missingApi(d);
  const a = w.spec.template.metadata?.annotations ?? {};
  const port = Number(a['prometheus.io/port']);
  const path = a['prometheus.io/path'];
  const declared = c.ports?.find((p) => p.containerPort === port);
  const svc = i.snap.services.find(
    (s) =>
      selects(s.spec?.selector, w.spec.template.metadata?.labels) &&
      s.spec?.ports?.some((p) => p.port === port || p.targetPort === declared?.name),
  );
  const evidence: Evidence[] = [
    {
      object: ref(w),
      field: containerField(c, 'ports'),
      value: (c.ports ?? []).map((p) => `${p.name ?? ''}:${p.containerPort}`).join(', ') || 'none',
    },
    {
      object: ref(w),
      field: 'spec.template.metadata.annotations[prometheus.io/port,path]',
      value: `${a['prometheus.io/port'] ?? 'unset'} ${path ?? 'unset'}`,
    },
  ];
  if (!path || !declared) {
    return result(
      d,
      'fail',
      'The API does not declare where its metrics are',
      evidence,
      'Declare the metrics port and path (prometheus.io/port and prometheus.io/path on the pods, the port on the container); re-applying the stack does.',
      { label: 'Re-apply the stack', values: {} },
    );
  }
  if (svc) evidence.push({ object: `Service/${svc.metadata.name}`, field: 'spec.ports', value: `exposes ${port}` });
  return result(d, 'pass', `Metrics at :${port}${path} (container port ${declared.name ?? port})`, evidence, '');
}

function prometheusUp(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'observability.prometheus-up',
    title: 'Prometheus scrapes the API',
    category: 'observability',
    weight: 3,
  };
  const remediation =
    'Point Prometheus at the pods annotated prometheus.io/scrape (or add a ServiceMonitor) and check that it can reach port 8096 of the API pods.';
  const up = i.up;
  if (!up) {
    return result(
      d,
      'unknown',
      'Prometheus was not found for this cluster',
      [{ value: 'no Prometheus configured or discovered' }],
      'Set the Prometheus URL for this context on the Metrics screen, or install one (kube-prometheus-stack).',
    );
  }
  if ('error' in up)
    return result(
      d,
      'unknown',
      `Prometheus did not answer: ${up.error}`,
      [{ query: up.query, value: up.error }],
      remediation,
    );
  const evidence: Evidence[] = [
    {
      query: up.query,
      value: up.samples.map((s) => `${s.labels.pod ?? s.labels.instance ?? '?'}=${s.value}`).join(', ') || 'no series',
    },
  ];
  if (up.samples.length === 0)
    return result(d, 'fail', 'Prometheus has no target for the API pods', evidence, remediation);
  const down = up.samples.filter((s) => s.value !== 1);
  if (down.length > 0)
    return result(d, 'fail', `${down.length} of ${up.samples.length} API targets are down`, evidence, remediation);
  return result(d, 'pass', `Prometheus scrapes ${up.samples.length} API pods`, evidence, '');
}

// ---------------------------------------------------------------- storage

function databaseStorage(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'storage.database',
    title: 'The database is on persistent storage',
    category: 'storage',
    weight: 5,
  };
  const w = i.snap.workloads.find((x) => componentOf(x) === 'postgres');
  if (!w)
    return result(
      d,
      'fail',
      'No postgres workload in the stack',
      [{ object: 'StatefulSet/postgres', value: 'not found' }],
      'Re-apply the stack.',
      { label: 'Re-apply the stack', values: {} },
    );
  const templates = w.spec.volumeClaimTemplates ?? [];
  const evidence: Evidence[] = [
    {
      object: ref(w),
      field: 'spec.volumeClaimTemplates',
      value: templates.map((t) => t.metadata.name).join(', ') || 'none',
    },
  ];
  const remediation =
    "PostgreSQL must keep its data on a PersistentVolumeClaim (the StatefulSet's claim template); a Pending claim usually means no storage class can provision it.";
  if (w.kind !== 'StatefulSet' || templates.length === 0)
    return result(d, 'fail', `${ref(w)} keeps its data in the pod`, evidence, remediation);
  const claims = templates.map((t) => `${t.metadata.name}-${w.metadata.name}-0`);
  const pending: string[] = [];
  for (const name of claims) {
    const pvc = i.snap.pvcs.find((c) => c.metadata.name === name);
    evidence.push({
      object: `PersistentVolumeClaim/${name}`,
      field: 'status.phase',
      value: pvc?.status?.phase ?? 'not found',
    });
    if (pvc?.status?.phase !== 'Bound') pending.push(name);
  }
  if (pending.length > 0)
    return result(d, 'fail', `PersistentVolumeClaim/${pending.join(', ')} is not Bound`, evidence, remediation);
  return result(d, 'pass', `${ref(w)} keeps its data on ${claims.join(', ')} (Bound)`, evidence, '');
}

function mediaStorage(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'storage.media',
    title: 'Media is on shared read-only storage',
    category: 'storage',
    weight: 4,
  };
  const w = apiWorkload(i.snap);
  if (!w) return missingApi(d);
  const c = apiContainer(w);
  const mount = c?.volumeMounts?.find((m) => m.mountPath === '/media');
  const volume = w.spec.template.spec.volumes?.find((v) => v.name === mount?.name);
  const remediation =
    'Mount the media library read-only from NFS (nfs.enabled with a server and path, or a saved NAS export): each API replica sees the same files.';
  if (!mount || !volume?.persistentVolumeClaim) {
    return result(
      d,
      'warn',
      'The API mounts no shared media library',
      [{ object: ref(w), field: 'spec.template.spec.volumes[media]', value: 'not mounted' }],
      remediation,
    );
  }
  const claimName = volume.persistentVolumeClaim.claimName;
  const pvc = i.snap.pvcs.find((p) => p.metadata.name === claimName);
  const pv = i.snap.pvs.find((p) => p.metadata.name === pvc?.spec?.volumeName);
  const modes = pvc?.spec?.accessModes ?? [];
  const evidence: Evidence[] = [
    { object: `PersistentVolumeClaim/${claimName}`, field: 'spec.accessModes', value: modes.join(', ') || 'not found' },
    { object: `PersistentVolumeClaim/${claimName}`, field: 'status.phase', value: pvc?.status?.phase ?? 'not found' },
    {
      object: `PersistentVolume/${pvc?.spec?.volumeName ?? '?'}`,
      field: 'spec.nfs',
      value: pv?.spec?.nfs ? `${pv.spec.nfs.server}:${pv.spec.nfs.path}` : 'not NFS',
    },
  ];
  const problems: string[] = [];
  if (!modes.includes('ReadOnlyMany')) problems.push('the claim is not ReadOnlyMany');
  if (pvc?.status?.phase !== 'Bound') problems.push(`the claim is ${pvc?.status?.phase ?? 'missing'}`);
  if (!pv?.spec?.nfs) problems.push('the volume is not an NFS export');
  if (problems.length > 0) return result(d, 'fail', `Media: ${problems.join('; ')}`, evidence, remediation);
  return result(
    d,
    'pass',
    `Media from NFS ${pv?.spec?.nfs?.server}:${pv?.spec?.nfs?.path}, ReadOnlyMany and Bound`,
    evidence,
    '',
  );
}

const DAY = 86_400_000;

function recentBackup(i: CheckInputs): ReadinessCheck {
  const d: Draft = { id: 'storage.backup', title: 'A recent database backup exists', category: 'storage', weight: 3 };
  const remediation = 'Back up PostgreSQL daily (pg_dump to storage outside the cluster) and test a restore.';
  if (!i.backup) {
    return result(
      d,
      'unknown',
      'No backups are known for this stack: Homeport does not take backups of it yet',
      [{ value: 'no backup source' }],
      remediation,
    );
  }
  const last = i.backup.lastSuccess ? Date.parse(i.backup.lastSuccess) : NaN;
  const evidence: Evidence[] = [{ object: 'backups', field: 'lastSuccess', value: i.backup.lastSuccess ?? 'never' }];
  if (Number.isNaN(last)) return result(d, 'fail', 'No backup has succeeded', evidence, remediation);
  const age = i.now.getTime() - last;
  if (age <= DAY) return result(d, 'pass', 'The last backup is less than a day old', evidence, '');
  if (age <= 7 * DAY)
    return result(d, 'warn', `The last backup is ${Math.floor(age / DAY)} days old`, evidence, remediation);
  return result(d, 'fail', `The last backup is ${Math.floor(age / DAY)} days old`, evidence, remediation);
}

/** Every Kubernetes check, in scorecard order. */
export function kubernetesChecks(i: CheckInputs): ReadinessCheck[] {
  return [
    sessionsAndCache(i),
    avatarsOnS3(i),
    leaderElection(i),
    configFromEnv(i),
    secretsFromSecrets(i),
    configMapCredentials(i),
    servicesForComponents(i),
    serviceSelectors(i),
    probesPresent(i),
    probesPassing(i),
    gracefulShutdown(i),
    apiReplicas(i),
    apiDisruptionBudget(i),
    requestIds(i),
    scrapeAnnotations(i),
    metricsEndpoint(i),
    prometheusUp(i),
    databaseStorage(i),
    mediaStorage(i),
    recentBackup(i),
  ];
}
