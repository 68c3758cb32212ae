import { describe, expect, it } from 'vitest';
import type { ReadinessReport } from '@shared/readiness-schemas';
import { KubeRequestError } from '../core/kube/kube-gateway';
import type { Services } from '../services';
import { createReadinessSubscriptions, deepMerge } from './readiness-handlers';

describe('readiness handlers', () => {
  it('merges a fix into the live values key by key', () => {
    const live = { api: { replicas: 1, image: 'api:1', autoscale: { enabled: false } }, nfs: { server: 'nas' } };
    expect(deepMerge(live, { api: { replicas: 2 } })).toEqual({
      api: { replicas: 2, image: 'api:1', autoscale: { enabled: false } },
      nfs: { server: 'nas' },
    });
    expect(deepMerge(live, { api: { autoscale: { enabled: true, min: 2 } } }).api).toEqual({
      replicas: 1,
      image: 'api:1',
      autoscale: { enabled: true, min: 2 },
    });
    expect(live.api.replicas).toBe(1);
  });

  it('keeps the last scorecard on screen with the reason when the cluster cannot be read', () => {
    const report: ReadinessReport = {
      stack: 'revenge',
      target: 'namespace media of context home',
      generatedAt: '2026-11-23T00:00:00Z',
      score: 90,
      categories: [],
      checks: [],
    };
    let handlers: { emit(r: ReadinessReport): void; onError?(err: unknown): void } | undefined;
    const services = {
      readiness: {
        watch: (_ref: unknown, emit: (r: ReadinessReport) => void, opts: { onError?: (err: unknown) => void }) => {
          handlers = { emit, onError: opts.onError };
          return () => {};
        },
      },
    } as unknown as Services;
    const seen: ReadinessReport[] = [];
    createReadinessSubscriptions(services)['readiness:live'](
      { context: 'home', namespace: 'media', stack: 'revenge' },
      (r) => seen.push(r),
    );
    handlers?.emit(report);
    handlers?.onError?.(new KubeRequestError('unreachable', 'Cannot reach https://10.0.0.5:6443 (ECONNREFUSED)'));
    expect(seen[1]).toMatchObject({ score: 90, error: expect.stringContaining('ECONNREFUSED') as unknown });
  });
});
