import { describe, expect, it } from 'vitest';
import type { ReadinessReport } from '@shared/readiness-schemas';
import { KubeRequestError } from '../core/kube/kube-gateway';
import type { StackDeployments } from '../core/targets/stack-deployments';
import { createReadinessSubscriptions } from './readiness-handlers';

describe('readiness handlers', () => {
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
    const deployments = {
      watchReadiness: (_ref: unknown, emit: (r: ReadinessReport) => void, onError?: (err: unknown) => void) => {
        handlers = { emit, onError };
        return () => {};
      },
    } as unknown as StackDeployments;
    const seen: ReadinessReport[] = [];
    createReadinessSubscriptions({ deployments })['readiness:live'](
      { target: { kind: 'kubernetes', context: 'home', namespace: 'media' }, stack: 'revenge' },
      (r) => seen.push(r),
    );
    handlers?.emit(report);
    handlers?.onError?.(new KubeRequestError('unreachable', 'Cannot reach https://10.0.0.5:6443 (ECONNREFUSED)'));
    expect(seen[1]).toMatchObject({ score: 90, error: expect.stringContaining('ECONNREFUSED') as unknown });
    expect(seen[1]?.error).toContain('namespace media of context');
  });
});
