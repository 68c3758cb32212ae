/**
 * The readiness checks of a stack deployed to Kubernetes, as pure functions of one snapshot of its
 * live objects (plus what Prometheus, the backups and the service proxy answered). Each check names
 * the object and field it looked at and the value it saw; secret values are never read.
 */
import type { ReadinessCheck } from '@shared/readiness-schemas';
import type { CheckInputs } from './kube-checks/common';
import { sessionsAndCache, avatarsOnS3, leaderElection } from './kube-checks/state';
import { configFromEnv, secretsFromSecrets, configMapCredentials } from './kube-checks/configuration';
import { servicesForComponents, serviceSelectors } from './kube-checks/discovery';
import {
  probesPresent,
  probesPassing,
  gracefulShutdown,
  apiReplicas,
  apiDisruptionBudget,
  requestIds,
} from './kube-checks/distributed';
import { scrapeAnnotations, metricsEndpoint, prometheusUp } from './kube-checks/observability';
import { databaseStorage, mediaStorage, recentBackup } from './kube-checks/storage';

export type { CheckInputs } from './kube-checks/common';
export { podReady, STOP_TIMEOUT_SECONDS } from './kube-checks/common';
export { replicasFix } from './kube-checks/distributed';

/** Every Kubernetes check, in scorecard order. */
export function kubernetesChecks(i: CheckInputs): ReadinessCheck[] {
  return [
    sessionsAndCache(i),
    avatarsOnS3(i),
    leaderElection(i),
    configFromEnv(i),
    secretsFromSecrets(i),
    configMapCredentials(i),
    servicesForComponents(i),
    serviceSelectors(i),
    probesPresent(i),
    probesPassing(i),
    gracefulShutdown(i),
    apiReplicas(i),
    apiDisruptionBudget(i),
    requestIds(i),
    scrapeAnnotations(i),
    metricsEndpoint(i),
    prometheusUp(i),
    databaseStorage(i),
    mediaStorage(i),
    recentBackup(i),
  ];
}
