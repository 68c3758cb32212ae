/**
 * The readiness checks of a stack deployed to Kubernetes, as pure functions of one snapshot of its
 * live objects (plus what Prometheus, the backups and the service proxy answered), read through
 * the stack's signals and its images' upstream contracts: no check names a stack, a component or
 * a setting of its own. Each check names the object and field it looked at and the value it saw;
 * secret values are never read.
 */
import type { ReadinessCheck } from '@shared/readiness-schemas';
import type { CheckInputs } from './kube-checks/common';
import { sessionsAndCache, avatarsOnS3, leaderElection } from './kube-checks/state';
import { configFromEnv, secretsFromSecrets, configMapCredentials } from './kube-checks/configuration';
import { servicesForComponents, serviceSelectors } from './kube-checks/discovery';
import { probesPresent, probesPassing, gracefulShutdown, requestIds } from './kube-checks/distributed';
import { primaryReplicas, primaryDisruptionBudget } from './kube-checks/replicas';
import { scrapeAnnotations, metricsDeclared, prometheusUp } from './kube-checks/observability';
import { databaseStorage, mediaStorage, recentBackup } from './kube-checks/storage';

export type { CheckInputs } from './kube-checks/common';
export { podReady } from './kube-checks/common';

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
    primaryReplicas(i),
    primaryDisruptionBudget(i),
    requestIds(i),
    scrapeAnnotations(i),
    metricsDeclared(i),
    prometheusUp(i),
    databaseStorage(i),
    mediaStorage(i),
    recentBackup(i),
  ];
}
