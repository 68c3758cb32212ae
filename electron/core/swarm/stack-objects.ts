/**
 * The stack's networks, configs and job services against the live ones, for the Swarm deployer
 * (deployer.ts): what to create, what is unchanged (with its live ID), what a new version replaces
 * (superseded: removed by apply once nothing uses it, even without prune) and what the stack no
 * longer renders (prune).
 */
import {
  SWARM_CONFIG_LABEL,
  SWARM_JOB_LABEL,
  SWARM_MANAGED_BY,
  SWARM_MANAGED_BY_LABEL,
  type SwarmServiceSpec,
  type SwarmStack,
} from '../stacks/swarm';
import type { EngineApi, LiveConfig, LiveNetwork, LiveService } from './engine-api';
import { isRevisionConfig } from './revisions';

export type Kind = 'Network' | 'Secret' | 'Config' | 'Volume' | 'Service';
export interface Step {
  kind: Kind;
  name: string;
  action: 'create' | 'update' | 'unchanged' | 'prune';
  changedFields: string[];
  /** Live ID (or volume name) of what exists. */
  id?: string;
}
export interface Sorted {
  steps: Step[];
  superseded: Step[];
  prune: Step[];
}

const managed = (labels: Record<string, string> | null | undefined) =>
  labels?.[SWARM_MANAGED_BY_LABEL] === SWARM_MANAGED_BY;

/** The default network and the separation networks. */
export function networkSteps(spec: SwarmStack, live: LiveNetwork[], ids: Map<string, string>): Sorted {
  const rendered = [spec.network, ...(spec.networks ?? [])];
  const steps = rendered.map((n): Step => {
    const found = live.find((x) => x.Name === n.Name);
    if (found) ids.set(n.Name, found.Id);
    return { kind: 'Network', name: n.Name, action: found ? 'unchanged' : 'create', changedFields: [], id: found?.Id };
  });
  const prune = live
    .filter((x) => managed(x.Labels) && !rendered.some((n) => n.Name === x.Name))
    .map((x): Step => ({ kind: 'Network', name: x.Name, action: 'prune', changedFields: [], id: x.Id }));
  return { steps, superseded: [], prune };
}

/** Configs: a file with a new content is a new config; the older one of the same file is superseded. */
export function configSteps(spec: SwarmStack, live: LiveConfig[], ids: Map<string, string>): Sorted {
  const own = live.filter((c) => !isRevisionConfig(c) && managed(c.Spec.Labels));
  const steps = spec.configs.map((c): Step => {
    const found = own.find((x) => x.Spec.Name === c.Name);
    if (found) ids.set(c.Name, found.ID);
    return { kind: 'Config', name: c.Name, action: found ? 'unchanged' : 'create', changedFields: [], id: found?.ID };
  });
  const files = new Set(spec.configs.map((c) => c.Labels[SWARM_CONFIG_LABEL]));
  const superseded: Step[] = [];
  const prune: Step[] = [];
  for (const x of own) {
    if (spec.configs.some((c) => c.Name === x.Spec.Name)) continue;
    const step: Step = { kind: 'Config', name: x.Spec.Name, action: 'prune', changedFields: [], id: x.ID };
    if (files.has(x.Spec.Labels?.[SWARM_CONFIG_LABEL])) superseded.push(step);
    else prune.push(step);
  }
  return { steps, superseded, prune };
}

export const jobOf = (spec: { Labels?: Record<string, string> } | undefined) => spec?.Labels?.[SWARM_JOB_LABEL];

/** Live services of the stack's jobs that an earlier spec made: superseded when the job is still rendered. */
export function oldJobServices(spec: SwarmStack, live: LiveService[]): { superseded: Step[]; prune: Step[] } {
  const jobs = new Set(spec.services.map(jobOf).filter((j) => j !== undefined));
  const superseded: Step[] = [];
  const prune: Step[] = [];
  for (const s of live) {
    if (!managed(s.Spec.Labels) || spec.services.some((x) => x.Name === s.Spec.Name)) continue;
    const step: Step = { kind: 'Service', name: s.Spec.Name, action: 'prune', changedFields: [], id: s.ID };
    if (jobs.has(jobOf(s.Spec) ?? '')) superseded.push(step);
    else prune.push(step);
  }
  return { superseded, prune };
}

/** The rendered service with live network and config IDs put in (secrets are the deployer's). */
export function withLiveIds(
  svc: SwarmServiceSpec,
  networkIds: Map<string, string>,
  configIds: Map<string, string>,
): SwarmServiceSpec {
  const configs = svc.TaskTemplate.ContainerSpec.Configs;
  return {
    ...svc,
    TaskTemplate: {
      ...svc.TaskTemplate,
      ContainerSpec: {
        ...svc.TaskTemplate.ContainerSpec,
        ...(configs
          ? {
              Configs: configs.map((r) => {
                const id = configIds.get(r.ConfigName);
                return { ...r, ...(id ? { ConfigID: id } : {}) };
              }),
            }
          : {}),
      },
      Networks: svc.TaskTemplate.Networks.map((n) => ({ ...n, Target: networkIds.get(n.Target) ?? n.Target })),
    },
  };
}

/**
 * Removes the stopped containers the engine keeps of a removed service's tasks: Engine 20.10 leaves
 * the containers of completed job tasks behind when their service is removed (seen on the test
 * engine). Only the engine Homeport talks to: other nodes keep theirs until their own cleanup.
 */
export async function removeStoppedContainers(api: EngineApi, label: string): Promise<void> {
  for (const c of await api.containers(label)) {
    if (c.State !== 'running') await api.removeContainer(c.Id).catch(() => undefined);
  }
}
