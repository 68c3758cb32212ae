import { describe, expect, it } from 'vitest';
import { KubeRequestError, type KubeGateway } from '../kube/kube-gateway';
import { changedFields } from './diff';
import { createDeployEngine } from './engine';
import { createFixtureCatalog, FIXTURE_STACK } from './testing/fixture-stack';

describe('changedFields', () => {
  it('names changed paths only, ignoring status and server bookkeeping', () => {
    const live = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        resourceVersion: '1',
        generation: 1,
        uid: 'a',
        creationTimestamp: 'x',
        managedFields: [],
        labels: { 'app.kubernetes.io/name': 'web' },
      },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
      status: { readyReplicas: 1 },
    };
    const next = {
      ...live,
      metadata: {
        ...live.metadata,
        resourceVersion: '2',
        generation: 2,
        managedFields: [{}],
        labels: { 'app.kubernetes.io/name': 'web2' },
      },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } },
      status: {},
    };
    expect(changedFields(live, next)).toEqual([
      'metadata.labels["app.kubernetes.io/name"]',
      'spec.replicas',
      'spec.template.spec.containers[0].image',
    ]);
    expect(changedFields(live, { ...live, status: { readyReplicas: 0 } })).toEqual([]);
  });

  it('shows a Secret key that changed, never its value', () => {
    const fields = changedFields({ data: { password: 'c2VjcmV0' } }, { data: { password: 'b3RoZXI=', added: 'eA==' } });
    expect(fields).toEqual(['data.added', 'data.password']);
  });
});

describe('the deploy engine without a cluster', () => {
  it('names the RBAC permission a 403 was about', async () => {
    const fake = {
      getJson: async (path: string) => {
        if (path === '/api/v1/namespaces/media') return { metadata: { name: 'media' } };
        throw new KubeRequestError('http', `HTTP 404 for ${path}`, 404);
      },
      request: async () => {
        throw new KubeRequestError(
          'unauthorized',
          "Context 'home' is not allowed to do this (HTTP 403: secrets is forbidden).",
          403,
        );
      },
      listAll: async () => ({ items: [], resourceVersion: '1' }),
      close: () => undefined,
    } as unknown as KubeGateway;
    const engine = createDeployEngine({ openGateway: async () => fake, catalog: createFixtureCatalog() });
    const err = await engine
      .plan({ context: 'home', namespace: 'media', stack: FIXTURE_STACK, values: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeRequestError);
    expect((err as KubeRequestError).status).toBe(403);
    expect((err as KubeRequestError).message).toBe(
      "Context 'home' is not allowed to do this (HTTP 403: secrets is forbidden). The deploy needs permission to patch secrets in namespace 'media'.",
    );
  });

  it('propagates other API errors with their message', async () => {
    const fake = {
      listAll: async () => {
        throw new KubeRequestError('unreachable', 'Cannot reach https://10.0.0.1:6443 (ECONNREFUSED).');
      },
      close: () => undefined,
    } as unknown as KubeGateway;
    const engine = createDeployEngine({ openGateway: async () => fake, catalog: createFixtureCatalog() });
    await expect(engine.rolloutStatus({ context: 'home', namespace: 'media', stack: FIXTURE_STACK })).rejects.toThrow(
      'Cannot reach https://10.0.0.1:6443 (ECONNREFUSED).',
    );
  });
});
