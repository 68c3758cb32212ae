/**
 * The three things worth interrupting the user for, each turned into a notification on its
 * transition only: a deployed stack turning failed, a pod entering CrashLoopBackOff, and a leader
 * lost (a Lease with no holder or not renewed in time, or a swarm without a leader manager).
 */
import type { LeaseSummary, PodSummary } from '@shared/kube-schemas';
import { leaseVerdict } from '@shared/leases';
import type { OverviewStack } from '@shared/overview-schemas';
import type { NotificationCenter } from './center';
import { createTransitionDetector, type TransitionDetectorOptions } from './detector';

export const isCrashLooping = (pod: Pick<PodSummary, 'reason'>) => pod.reason === 'CrashLoopBackOff';
const contextWhere = (context: string) => `context '${context}'`;
const endpointWhere = (endpoint: string) => `Docker endpoint '${endpoint}'`;

export function createNotifier(center: Pick<NotificationCenter, 'publish'>, options: TransitionDetectorOptions = {}) {
  const detector = createTransitionDetector(options);
  const now = options.now ?? Date.now;

  return {
    /**
     * A pod as it is now, and whether it was crash-looping before (undefined: first seen). Its
     * caller keeps that state, as the overview monitor keeps one small number per pod anyway.
     */
    pod(context: string, pod: PodSummary, wasCrashLooping: boolean | undefined) {
      const key = () => `pod\0${context}\0${pod.namespace}/${pod.name}`;
      if (detector.turned(wasCrashLooping, isCrashLooping(pod), key)) {
        center.publish({
          kind: 'pod-crashloop',
          title: `Pod ${pod.namespace}/${pod.name} is crash-looping`,
          message: `Its container keeps exiting and is restarted with back-off (${pod.restarts} restarts so far). Open Pods to read its log.`,
          where: contextWhere(context),
        });
      }
    },
    lease(context: string, lease: LeaseSummary) {
      const lost = leaseVerdict(lease, now()) === 'expired';
      if (detector.observe(`lease\0${context}\0${lease.namespace}/${lease.name}`, lost)) {
        center.publish({
          kind: 'leader-lost',
          title: `Leader lost: Lease ${lease.namespace}/${lease.name}`,
          message: lease.holder
            ? `${lease.holder} stopped renewing it and no one has taken over.`
            : 'The Lease has no holder: no instance is leading.',
          where: contextWhere(context),
        });
      }
    },
    leaseGone(context: string, key: string) {
      detector.forgetKey(`lease\0${context}\0${key}`);
    },
    swarmLeader(endpoint: string, hasLeader: boolean) {
      if (detector.observe(`swarm-leader\0${endpoint}`, !hasLeader)) {
        center.publish({
          kind: 'leader-lost',
          title: 'Swarm has no leader',
          message: 'No manager node is the Raft leader: the swarm cannot schedule or change services until one is.',
          where: endpointWhere(endpoint),
        });
      }
    },
    stack(where: { kind: 'kubernetes'; context: string } | { kind: 'swarm'; endpoint: string }, stack: OverviewStack) {
      const place = where.kind === 'kubernetes' ? where.context : where.endpoint;
      // Unknown (could not be read) is no evidence either way: the last known state stands.
      if (stack.state === 'unknown') return;
      const key = `stack\0${place}\0${where.kind}\0${stack.namespace ?? ''}\0${stack.stack}`;
      if (detector.observe(key, stack.state === 'failed')) {
        center.publish({
          kind: 'stack-unhealthy',
          title: `Stack ${stack.stack} is unhealthy`,
          message: `${stack.readyWorkloads} of ${stack.workloads} workloads ready${stack.message ? `: ${stack.message}` : ''}.`,
          where:
            where.kind === 'kubernetes'
              ? `namespace '${stack.namespace ?? ''}' of ${contextWhere(where.context)}`
              : endpointWhere(where.endpoint),
        });
      }
    },
    /** Forgets everything seen on a context or endpoint no longer listed. */
    forgetPlace(place: string) {
      detector.forget((k) => k.split('\0')[1] === place);
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
