/** Removing a Swarm stack's objects (the deployer's remove and prune). */
import { setTimeout as sleep } from 'node:timers/promises';
import type { UninstallResult } from '@shared/deploy-schemas';
import { removeWhenFree } from '../docker/remove-when-free';
import { SWARM_STACK_LABEL } from '../stacks/swarm';
import type { EngineApi } from './engine-api';
import { isRevisionConfig, listRevisionConfigs } from './revisions';
import { removeStoppedContainers, type Kind } from './stack-objects';

const label = (kind: Kind, name: string) => `${kind}/${name}`;

/**
 * Removes the stack: services first, then (once their tasks have stopped) secrets, configs, the
 * networks and the revisions. Volumes stay unless deleteVolumes.
 */
export async function removeStack(api: EngineApi, stack: string, deleteVolumes: boolean): Promise<UninstallResult> {
  const sel = `${SWARM_STACK_LABEL}=${stack}`;
  const deleted: string[] = [];
  const kept: string[] = [];
  for (const s of await api.services(sel)) {
    if (await removeWhenFree(() => api.removeService(s.ID), 30_000)) deleted.push(label('Service', s.Spec.Name));
  }
  // Containers of the stack carry its namespace label; wait until the engine has removed them.
  const deadline = Date.now() + 60_000;
  const namespace = `com.docker.stack.namespace=${stack}`;
  while (Date.now() < deadline && (await api.containers(namespace)).length > 0) {
    await removeStoppedContainers(api, namespace);
    await sleep(300);
  }
  for (const s of await api.secrets(sel)) {
    if (await removeWhenFree(() => api.removeSecret(s.ID), 30_000)) deleted.push(label('Secret', s.Spec.Name));
  }
  for (const c of await api.configs(sel)) {
    if (isRevisionConfig(c)) continue;
    if (await removeWhenFree(() => api.removeConfig(c.ID), 30_000)) deleted.push(label('Config', c.Spec.Name));
  }
  for (const n of await api.networks(sel)) {
    if (await removeWhenFree(() => api.removeNetwork(n.Id), 30_000)) deleted.push(label('Network', n.Name));
  }
  // The manager forgets a removed overlay network at once, but GET /networks also lists the node's
  // own copy of it until the node's agent lets it go (moby's getNetworksList adds the daemon's
  // networks the cluster no longer returns): wait for that, so the stack is gone when this returns
  // and deploying it again finds its network names free.
  const networksUntil = Date.now() + 30_000;
  while (Date.now() < networksUntil && (await api.networks(sel)).length > 0) await sleep(300);
  for (const c of await listRevisionConfigs(api, stack)) {
    if (await removeWhenFree(() => api.removeConfig(c.ID), 30_000)) deleted.push(label('Config', c.Spec.Name));
  }
  for (const v of await api.volumes(sel)) {
    if (!deleteVolumes) kept.push(label('Volume', v.Name));
    else if (await removeWhenFree(() => api.removeVolume(v.Name), 30_000)) deleted.push(label('Volume', v.Name));
  }
  return { deleted, kept };
}
