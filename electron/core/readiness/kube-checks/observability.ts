/** Readiness checks: Observability of the primary component, on the metrics endpoint its contract lists. */
import type { Evidence, ReadinessCheck } from '@shared/readiness-schemas';
import { contractForImage } from '../../stacks/upstream';
import { metricsEndpoint } from '../program';
import {
  result,
  ref,
  containerField,
  selects,
  podsOf,
  primaryWorkload,
  primaryContainer,
  missingPrimary,
  REAPPLY,
} from './common';
import type { CheckInputs, Draft } from './common';

/** Where the primary's program serves metrics, by its contract. */
function served(i: CheckInputs, image: string | undefined) {
  const contract =
    contractForImage(i.contracts, image ?? '') ?? i.contracts.find((c) => c.component === i.signals.primary);
  return metricsEndpoint(contract);
}

export function scrapeAnnotations(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'observability.scrape-annotations',
    title: `The pods of ${i.signals.primary} are annotated for Prometheus`,
    category: 'observability',
    weight: 3,
  };
  const w = primaryWorkload(i);
  if (!w) return missingPrimary(d, i);
  const metrics = served(i, primaryContainer(i, w)?.image);
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
      `The pods of ${ref(w)} are not marked for scraping`,
      evidence,
      'Re-apply the stack: Homeport annotates the pods with prometheus.io/scrape, port and path.',
      REAPPLY,
    );
  }
  const path = a['prometheus.io/path'] ?? '/metrics';
  if (metrics && (Number(a['prometheus.io/port']) !== metrics.port || path !== metrics.path)) {
    evidence.push({ value: `the program serves metrics at :${metrics.port}${metrics.path} (${metrics.ref})` });
    return result(
      d,
      'fail',
      `Prometheus is pointed at :${a['prometheus.io/port'] ?? '?'}${path}, but the program serves metrics at :${metrics.port}${metrics.path}`,
      evidence,
      'Re-apply the stack: Homeport annotates the pods with the metrics port and path of the upstream contract.',
      REAPPLY,
    );
  }
  return result(
    d,
    'pass',
    `Prometheus may scrape ${pods.length} pods of ${ref(w)} at :${a['prometheus.io/port'] ?? '?'}${path}`,
    evidence,
    '',
  );
}

export function metricsDeclared(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'observability.metrics-endpoint',
    title: 'The metrics endpoint is declared',
    category: 'observability',
    weight: 2,
  };
  const w = primaryWorkload(i);
  const c = primaryContainer(i, w);
  if (!w || !c) return missingPrimary(d, i);
  const metrics = served(i, c.image);
  if (!metrics) {
    return result(d, 'unknown', `The upstream contract of ${c.image ?? 'the image'} lists no metrics endpoint`, [], '');
  }
  const declared = c.ports?.find((p) => p.containerPort === metrics.port);
  const svc = i.snap.services.find(
    (s) =>
      selects(s.spec?.selector, w.spec.template.metadata?.labels) &&
      s.spec?.ports?.some(
        (p) => p.port === metrics.port || (declared?.name !== undefined && p.targetPort === declared.name),
      ),
  );
  const evidence: Evidence[] = [
    {
      object: ref(w),
      field: containerField(c, 'ports'),
      value: (c.ports ?? []).map((p) => `${p.name ?? ''}:${p.containerPort}`).join(', ') || 'none',
    },
    { value: `the program serves metrics at :${metrics.port}${metrics.path} (${metrics.ref})` },
  ];
  if (!declared) {
    return result(
      d,
      'fail',
      `${ref(w)} does not declare the metrics port ${metrics.port}`,
      evidence,
      'Declare the metrics port on the container (and the Service); re-applying the stack does.',
      REAPPLY,
    );
  }
  if (svc)
    evidence.push({ object: `Service/${svc.metadata.name}`, field: 'spec.ports', value: `exposes ${metrics.port}` });
  return result(
    d,
    'pass',
    `Metrics at :${metrics.port}${metrics.path} (container port ${declared.name ?? metrics.port})`,
    evidence,
    '',
  );
}

export function prometheusUp(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'observability.prometheus-up',
    title: `Prometheus scrapes ${i.signals.primary}`,
    category: 'observability',
    weight: 3,
  };
  const metrics = served(i, primaryContainer(i, primaryWorkload(i))?.image);
  const remediation = `Point Prometheus at the pods annotated prometheus.io/scrape (or add a ServiceMonitor) and check that it can reach ${
    metrics ? `port ${metrics.port}` : 'the metrics port'
  } of the pods of ${i.signals.primary}.`;
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
    return result(d, 'fail', `Prometheus has no target for the pods of ${i.signals.primary}`, evidence, remediation);
  const down = up.samples.filter((s) => s.value !== 1);
  if (down.length > 0)
    return result(d, 'fail', `${down.length} of ${up.samples.length} targets are down`, evidence, remediation);
  return result(d, 'pass', `Prometheus scrapes ${up.samples.length} pods of ${i.signals.primary}`, evidence, '');
}
