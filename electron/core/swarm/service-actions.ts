/**
 * What the Swarm screen does to one service: scale it (replicated services only; a service that is
 * one instance of a stack component, swarm-instances.ts, to 0 or 1 only), restart its tasks
 * (a force update: the spec's ForceUpdate counter plus one, as `docker service update --force`
 * does), or remove it. Each reads the service first and updates against its version, so a change
 * made meanwhile is refused by the engine rather than overwritten.
 */
import type { DockerClient } from '../docker/client';
import { HomeportError } from '../errors';
import { SWARM_COMPONENT_LABEL, SWARM_INSTANCE_LABEL } from '../stacks/swarm-spec';
import { engineApi, type LiveService } from './engine-api';

export interface ServiceActionsDeps {
  openClient(endpoint: string): Promise<DockerClient>;
}

type Spec = LiveService['Spec'] & {
  Mode?: { Replicated?: { Replicas?: number }; Global?: unknown; ReplicatedJob?: unknown; GlobalJob?: unknown };
  TaskTemplate?: { ForceUpdate?: number } & Record<string, unknown>;
};

export function createServiceActions({ openClient }: ServiceActionsDeps) {
  async function withService<R>(
    endpoint: string,
    serviceId: string,
    fn: (api: ReturnType<typeof engineApi>, service: LiveService & { Spec: Spec }) => Promise<R>,
  ): Promise<R> {
    const client = await openClient(endpoint);
    try {
      const api = engineApi(client);
      return await fn(api, (await api.service(serviceId)) as LiveService & { Spec: Spec });
    } finally {
      client.close();
    }
  }

  /** Sets the replica count of a replicated service; a global service runs one task per node and is refused. */
  function scale(endpoint: string, serviceId: string, replicas: number): Promise<{ replicas: number }> {
    return withService(endpoint, serviceId, async (api, service) => {
      const mode = service.Spec.Mode ?? {};
      if (!mode.Replicated) {
        const kind = mode.Global ? 'global (one task per node)' : 'a job';
        throw new HomeportError(
          'INVALID_INPUT',
          `Service ${service.Spec.Name} is ${kind}: only a replicated service can be scaled`,
        );
      }
      const instance = service.Spec.Labels?.[SWARM_INSTANCE_LABEL];
      if (instance !== undefined && replicas > 1) {
        // Two tasks would share the instance's name, identity and data volume.
        const component = service.Spec.Labels?.[SWARM_COMPONENT_LABEL] ?? 'its component';
        throw new HomeportError(
          'INVALID_INPUT',
          `Service ${service.Spec.Name} is instance ${instance} of '${component}', with its own name and data: ` +
            `it runs at most one task. To add instances, raise '${component}' replicas in the stack's values and deploy again.`,
        );
      }
      const spec: Spec = { ...service.Spec, Mode: { Replicated: { Replicas: replicas } } };
      await api.updateService(service.ID, service.Version.Index, spec);
      return { replicas };
    });
  }

  /** Restarts every task of the service on the same spec: ForceUpdate + 1. */
  function forceUpdate(endpoint: string, serviceId: string): Promise<{ forceUpdate: number }> {
    return withService(endpoint, serviceId, async (api, service) => {
      const template = service.Spec.TaskTemplate ?? {};
      const forceUpdate = (template.ForceUpdate ?? 0) + 1;
      const spec: Spec = { ...service.Spec, TaskTemplate: { ...template, ForceUpdate: forceUpdate } };
      await api.updateService(service.ID, service.Version.Index, spec);
      return { forceUpdate };
    });
  }

  /** Removes the service (its tasks stop); its stack's other services, volumes and secrets stay. */
  function remove(endpoint: string, serviceId: string): Promise<{ removed: true }> {
    return withService(endpoint, serviceId, async (api, service) => {
      await api.removeService(service.ID);
      return { removed: true as const };
    });
  }

  return { scale, forceUpdate, remove };
}

export type ServiceActions = ReturnType<typeof createServiceActions>;
