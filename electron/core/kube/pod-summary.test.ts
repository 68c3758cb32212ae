import { describe, expect, it } from 'vitest';
import { type PodObject, podStatusReason, summarizeLease, summarizePod } from './pod-summary';

const pod = (status: PodObject['status'], extra: Partial<PodObject> = {}): PodObject => ({
  metadata: { name: 'api-0', namespace: 'media', uid: 'u1', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { nodeName: 'n1', containers: [{ name: 'a' }, { name: 'b' }] },
  status,
  ...extra,
});

describe('pod summary (kubectl STATUS rules)', () => {
  it('shows a waiting reason such as ImagePullBackOff or CrashLoopBackOff', () => {
    const p = pod({
      phase: 'Pending',
      containerStatuses: [
        { name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } },
        { name: 'b', ready: true, restartCount: 2, state: { running: {} } },
      ],
    });
    expect(summarizePod(p)).toMatchObject({
      phase: 'Pending',
      reason: 'ImagePullBackOff',
      ready: 1,
      total: 2,
      restarts: 2,
    });
    const crash = pod({
      phase: 'Running',
      containerStatuses: [{ name: 'a', restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
    });
    expect(summarizePod(crash)).toMatchObject({ reason: 'CrashLoopBackOff', restarts: 7 });
  });

  it('leaves reason out when it equals the phase, keeps the node, and leaves the owner to the details', () => {
    const p = pod(
      { phase: 'Running', containerStatuses: [{ name: 'a', ready: true, state: { running: {} } }] },
      {
        metadata: {
          name: 'api-0',
          namespace: 'media',
          ownerReferences: [{ kind: 'StatefulSet', name: 'api', controller: true }],
        },
      },
    );
    const s = summarizePod(p);
    expect(s.reason).toBeUndefined();
    expect(s).toMatchObject({ node: 'n1', deleting: false });
    // No screen shows a live pod's owner; the details read it with the pod (pod-service).
    expect(s.owner).toBeUndefined();
  });

  it('shows terminated reasons, exit codes and signals', () => {
    expect(
      podStatusReason(
        pod({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { reason: 'OOMKilled' } } }] }),
      ),
    ).toBe('OOMKilled');
    expect(
      podStatusReason(
        pod({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 3 } } }] }),
      ),
    ).toBe('ExitCode:3');
    expect(
      podStatusReason(
        pod({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { signal: 9 } } }] }),
      ),
    ).toBe('Signal:9');
  });

  it('shows init container progress and failures', () => {
    const spec = { containers: [{ name: 'a' }], initContainers: [{}, {}] };
    expect(
      podStatusReason(
        pod(
          {
            phase: 'Pending',
            initContainerStatuses: [
              { name: 'i1', state: { terminated: { exitCode: 0 } } },
              { name: 'i2', state: { running: {} } },
            ],
          },
          { spec },
        ),
      ),
    ).toBe('Init:1/2');
    expect(
      podStatusReason(
        pod(
          {
            phase: 'Pending',
            initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'ImagePullBackOff' } } }],
          },
          { spec },
        ),
      ),
    ).toBe('Init:ImagePullBackOff');
    expect(
      podStatusReason(
        pod(
          {
            phase: 'Pending',
            initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 1, reason: 'Error' } } }],
          },
          { spec },
        ),
      ),
    ).toBe('Init:Error');
  });

  it('shows ContainerCreating, Terminating and the Completed-but-running case', () => {
    expect(
      summarizePod(
        pod({
          phase: 'Pending',
          containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ContainerCreating' } } }],
        }),
      ).reason,
    ).toBe('ContainerCreating');
    const deleting = pod(
      { phase: 'Running' },
      { metadata: { name: 'x', namespace: 'm', deletionTimestamp: '2025-01-01T00:00:00Z' } },
    );
    expect(summarizePod(deleting)).toMatchObject({ reason: 'Terminating', deleting: true });
    const mixed = pod({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        { name: 'a', ready: true, state: { running: {} } },
        { name: 'b', state: { terminated: { reason: 'Completed', exitCode: 0 } } },
      ],
    });
    expect(podStatusReason(mixed)).toBe('NotReady');
  });

  it('sums restarts of init and app containers', () => {
    const p = pod({
      phase: 'Running',
      initContainerStatuses: [{ name: 'i', restartCount: 1, state: { terminated: { exitCode: 0 } } }],
      containerStatuses: [
        { name: 'a', restartCount: 2, ready: true, state: { running: {} } },
        { name: 'b', restartCount: 3, ready: true, state: { running: {} } },
      ],
    });
    expect(summarizePod(p)).toMatchObject({ restarts: 6, ready: 2, total: 2 });
  });
});

describe('lease summary', () => {
  it('keeps holder, times, duration and transitions, and marks kube-system as control plane', () => {
    expect(
      summarizeLease({
        metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
        spec: {
          holderIdentity: 'node-1_abc',
          acquireTime: '2025-01-01T00:00:00.000000Z',
          renewTime: '2025-01-01T00:05:00.000000Z',
          leaseDurationSeconds: 15,
          leaseTransitions: 4,
        },
      } as never),
    ).toEqual({
      namespace: 'kube-system',
      name: 'kube-scheduler',
      holder: 'node-1_abc',
      acquireTime: '2025-01-01T00:00:00.000000Z',
      renewTime: '2025-01-01T00:05:00.000000Z',
      durationSeconds: 15,
      transitions: 4,
      controlPlane: true,
    });
    expect(summarizeLease({ metadata: { name: 'x', namespace: 'media' } } as never)).toEqual({
      namespace: 'media',
      name: 'x',
      transitions: 0,
      controlPlane: false,
    });
  });
});
