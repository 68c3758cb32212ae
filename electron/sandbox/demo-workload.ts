/**
 * The sandbox's demo workload: a small Deployment and its Service in the `demo` namespace, so a
 * first look at the Pods screen shows something running. The image has no upstream contract, so
 * the simulated kubelet starts it and passes its probes.
 */
import type { KObject } from './store';

export const DEMO_NAMESPACE = 'demo';
const LABELS = { 'app.kubernetes.io/name': 'hello', 'app.kubernetes.io/part-of': 'homeport-demo' };
const IMAGE = 'traefik/whoami:v1.10';

/** The objects, in the order they are created (the namespace first). */
export function demoWorkload(): { plural: string; object: KObject }[] {
  return [
    {
      plural: 'namespaces',
      object: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: DEMO_NAMESPACE, labels: { 'kubernetes.io/metadata.name': DEMO_NAMESPACE } },
        spec: { finalizers: ['kubernetes'] },
      },
    },
    {
      plural: 'deployments',
      object: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'hello', namespace: DEMO_NAMESPACE, labels: LABELS },
        spec: {
          replicas: 2,
          selector: { matchLabels: LABELS },
          template: {
            metadata: { labels: LABELS },
            spec: {
              containers: [
                {
                  name: 'whoami',
                  image: IMAGE,
                  ports: [{ name: 'http', containerPort: 80 }],
                  resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
                },
              ],
            },
          },
        },
      },
    },
    {
      plural: 'services',
      object: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'hello', namespace: DEMO_NAMESPACE, labels: LABELS },
        spec: { selector: LABELS, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    },
  ];
}
