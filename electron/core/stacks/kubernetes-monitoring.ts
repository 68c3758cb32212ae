/**
 * How a component is scaled and scraped: its HorizontalPodAutoscaler (CPU and/or memory targets,
 * scaling behaviour) and, on clusters that serve prometheus-operator's monitoring.coreos.com/v1,
 * its ServiceMonitor.
 */
import { compact } from './json-util';
import type { Autoscale, Component, ScalingRules } from './model';
import type { KubeObject } from './types';

/**
 * On a stateful (or `headless`) component's headless Service when ServiceMonitors are rendered:
 * the ServiceMonitor selects the component's ClusterIP Service only, so each pod is scraped once
 * (prometheus-operator makes targets from every Service the selector matches).
 */
export const HEADLESS_LABEL = 'homeport.dev/headless';

const rules = (r: ScalingRules | undefined) =>
  r &&
  compact({
    stabilizationWindowSeconds: r.stabilizationWindowSeconds,
    policies: r.policies?.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })),
    selectPolicy: r.selectPolicy,
  });

const utilization = (name: 'cpu' | 'memory', percent: number) => ({
  type: 'Resource',
  resource: { name, target: { type: 'Utilization', averageUtilization: percent } },
});

export function renderAutoscaler(c: Component, a: Autoscale, metadata: KubeObject['metadata']): KubeObject {
  const behavior =
    a.behavior && compact({ scaleUp: rules(a.behavior.scaleUp), scaleDown: rules(a.behavior.scaleDown) });
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: compact({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: c.stateful ? 'StatefulSet' : 'Deployment', name: c.name },
      minReplicas: a.min,
      maxReplicas: a.max,
      metrics: [
        ...(a.cpuPercent !== undefined ? [utilization('cpu', a.cpuPercent)] : []),
        ...(a.memoryPercent !== undefined ? [utilization('memory', a.memoryPercent)] : []),
      ],
      behavior: behavior && Object.keys(behavior).length > 0 ? behavior : undefined,
    }),
  };
}

/**
 * A ServiceMonitor for the component's metrics endpoint. From prometheus-operator's CRD, as
 * @kubernetes-models/prometheus-operator 6.0.0 ships it (monitoring.coreos.com/v1/Endpoint.d.ts:66-70,
 * ServiceMonitorSpec.d.ts:81-84): Endpoint.port "defines the name of the Service port which this
 * endpoint refers to", `interval` is a Prometheus duration, and without namespaceSelector "the
 * services are discovered in the same namespace as the ServiceMonitor object".
 */
export function renderServiceMonitor(
  c: Component,
  metadata: KubeObject['metadata'],
  serviceSelector: Record<string, string>,
): KubeObject | undefined {
  if (!c.metrics) return undefined;
  const port = c.ports.find((p) => p.port === c.metrics?.port);
  if (!port) throw new Error(`metrics port ${c.metrics.port} of '${c.name}' is not one of its ports`);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata,
    spec: {
      selector: {
        matchLabels: serviceSelector,
        matchExpressions: [{ key: HEADLESS_LABEL, operator: 'DoesNotExist' }],
      },
      endpoints: [
        compact({
          port: port.name,
          path: c.metrics.path,
          interval: c.metrics.intervalSeconds !== undefined ? `${c.metrics.intervalSeconds}s` : undefined,
        }),
      ],
    },
  };
}
