/** Readiness checks: Observability. */
import type { Evidence, ReadinessCheck } from '@shared/readiness-schemas';

import { result, ref, containerField, selects, podsOf, apiWorkload, apiContainer, missingApi } from './common';
import type { CheckInputs, Draft } from './common';

export function scrapeAnnotations(i: CheckInputs): ReadinessCheck {
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

export function metricsEndpoint(i: CheckInputs): ReadinessCheck {
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

export function prometheusUp(i: CheckInputs): ReadinessCheck {
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
