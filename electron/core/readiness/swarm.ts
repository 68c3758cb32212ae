/**
 * The readiness scorecard of a stack deployed to Docker Swarm: the checks that apply to Swarm
 * services (replicas, health checks and their tasks, secrets as files, update rollback, NFS media,
 * the database volume, metrics labels), read through the stack's signals and its images'
 * contracts; the others are unknown with the reason. The engine never returns a secret's data,
 * so config file templates come from the revision Homeport recorded.
 */
import type { BackupStatus } from './backup-check';
import type { ReadinessCheck, ReadinessReport } from '@shared/readiness-schemas';
import type { DockerClient } from '../docker/client';
import type { LeaderRead } from '../leaders/read-leader';
import { SWARM_STACK_LABEL } from '../stacks/swarm';
import type { StackKnowledge } from '../stacks/types';
import { engineApi } from '../swarm/engine-api';
import { isRevisionConfig, readCurrentRevision } from '../swarm/revisions';
import { buildReport } from './score';
import type { SwarmInputs } from './swarm-checks/common';
import { discoveryChecks, distributedChecks } from './swarm-checks/runtime';
import { configurationChecks, stateChecks } from './swarm-checks/state';
import { observabilityChecks, storageChecks } from './swarm-checks/storage';

export type { SwarmInputs } from './swarm-checks/common';

export interface SwarmReadinessDeps {
  openClient(endpoint: string): Promise<DockerClient>;
  /** The stacks' signals and contracts. */
  stacks: StackKnowledge;
  /** Reads the stack's leader table (running psql in its database's task); without it the leader is unknown. */
  readLeader?: (ref: { endpoint: string; stack: string }) => Promise<LeaderRead | undefined>;
  /** What Homeport knows of the stack's backups. */
  backups?: (ref: { endpoint: string; stack: string }) => Promise<BackupStatus | undefined>;
  now?: () => Date;
}

/** Every Swarm check, in scorecard order. */
export function swarmChecks(i: SwarmInputs): ReadinessCheck[] {
  return [
    ...stateChecks(i),
    ...configurationChecks(i),
    ...discoveryChecks(i),
    ...distributedChecks(i),
    ...observabilityChecks(i),
    ...storageChecks(i),
  ];
}

/** The readiness report of a stack on a Swarm endpoint. */
export async function reportSwarm(
  /** template: the catalog's stack deployed under this Swarm stack name (default: the same name). */
  ref: { endpoint: string; stack: string; template?: string },
  deps: SwarmReadinessDeps,
): Promise<ReadinessReport> {
  const signals = deps.stacks.signals(ref.template ?? ref.stack);
  const contracts = deps.stacks.contracts(ref.template ?? ref.stack);
  const client = await deps.openClient(ref.endpoint);
  try {
    const api = engineApi(client);
    const selector = `${SWARM_STACK_LABEL}=${ref.stack}`;
    const services = (await api.services(selector)).sort((a, b) => a.Spec.Name.localeCompare(b.Spec.Name));
    const now = (deps.now ?? (() => new Date()))();
    const [tasks, configs, current, tableLeader, backup] = await Promise.all([
      api.tasks(services.map((s) => s.Spec.Name)),
      api.configs(selector).catch(() => []),
      readCurrentRevision(api, ref.stack).catch(() => undefined),
      signals.leader?.kind === 'postgres-table' ? deps.readLeader?.(ref) : undefined,
      deps.backups?.(ref).catch(() => undefined),
    ]);
    const checks = swarmChecks({
      stack: ref.stack,
      services,
      tasks,
      // Homeport's revision records are configs too, but not the stack's.
      configNames: configs.filter((c) => !isRevisionConfig(c)).map((c) => c.Spec.Name),
      values: current?.values,
      signals,
      contracts,
      recorded: current?.spec,
      tableLeader,
      backup,
      now,
    });
    return buildReport(ref.stack, `swarm endpoint ${ref.endpoint}`, now, checks);
  } finally {
    client.close();
  }
}
