import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types';
import { validateKubeObjects } from './kube-schema';

const deployment = (): KubeObject =>
  structuredClone({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' }, annotations: { 'homeport.dev/config-hash': 'x' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ name: 'http', containerPort: 80 }],
              resources: { limits: { memory: '64Mi', cpu: 1 } },
              env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            },
          ],
        },
      },
    },
  } as KubeObject);

describe('validateKubeObjects', () => {
  it('accepts a valid object, maps (labels, resources) included', () => {
    expect(() => validateKubeObjects([deployment()])).not.toThrow();
  });

  it('refuses an unknown top-level field', () => {
    const o = { ...deployment(), extra: 1 } as KubeObject;
    expect(() => validateKubeObjects([o])).toThrow('Deployment web: unknown field "extra"');
  });

  it('refuses an unknown field in a container, naming its path', () => {
    const o = deployment() as KubeObject & { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    o.spec.template.spec.containers[0]!.mountPath = '/x';
    expect(() => validateKubeObjects([o])).toThrow('unknown field "spec.template.spec.containers[0].mountPath"');
  });

  it('refuses an unknown field deeper still (an env source)', () => {
    const o = deployment() as KubeObject & {
      spec: { template: { spec: { containers: { env: { valueFrom: Record<string, unknown> }[] }[] } } };
    };
    o.spec.template.spec.containers[0]!.env[0]!.valueFrom.podIndex = true;
    expect(() => validateKubeObjects([o])).toThrow('containers[0].env[0].valueFrom.podIndex');
  });

  it('refuses a wrong type and a missing required field', () => {
    const o = deployment() as KubeObject & { spec: Record<string, unknown> };
    o.spec.replicas = '2';
    expect(() => validateKubeObjects([o])).toThrow(/Deployment web: .*replicas/);
    const p = deployment() as KubeObject & { spec: Record<string, unknown> };
    delete p.spec.selector;
    expect(() => validateKubeObjects([p])).toThrow(/selector/);
  });

  it('refuses a kind it has no schema for', () => {
    expect(() => validateKubeObjects([{ apiVersion: 'v9', kind: 'Thing', metadata: { name: 't' } }])).toThrow(
      'no schema for v9 Thing (t)',
    );
  });

  it('validates ServiceMonitors against prometheus-operator’s CRD, strictly', () => {
    const sm = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        endpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }],
      },
    } as KubeObject;
    expect(() => validateKubeObjects([sm])).not.toThrow();
    const bad = structuredClone(sm) as KubeObject & { spec: { endpoints: Record<string, unknown>[] } };
    bad.spec.endpoints[0]!.targetPortName = 'metrics';
    expect(() => validateKubeObjects([bad])).toThrow('unknown field "spec.endpoints[0].targetPortName"');
  });
});
