import type { Handlers, SubscriptionHandlers } from '@shared/contract';
import { applyObject, objectYaml } from '../core/kube/apply-object';
import { createEventsService } from '../core/kube/events/events-service';
import type { KubeGateway } from '../core/kube/kube-gateway';
import { drainNode, listNodes, planDrain, setUnschedulable } from '../core/kube/node-actions';
import { guarded } from './errors';

export type ResourceActionChannel =
  'kube:listNodes' | 'kube:cordonNode' | 'kube:drainPlan' | 'kube:drainNode' | 'kube:objectYaml' | 'kube:applyObject';

export interface ResourceActionDeps {
  clusters: {
    openGateway(context: string): Promise<KubeGateway>;
    watchContexts?(onChange: () => void): () => void;
  };
}

/** Node maintenance (cordon, uncordon, drain) and edit-and-apply of one object. */
export function createResourceActionHandlers(
  deps: ResourceActionDeps,
  timing: { retryMs?: number; pollMs?: number } = {},
): Pick<Handlers, ResourceActionChannel> {
  async function withGateway<R>(context: string, fn: (g: KubeGateway) => Promise<R>): Promise<R> {
    const gateway = await deps.clusters.openGateway(context);
    try {
      return await fn(gateway);
    } finally {
      gateway.close();
    }
  }
  const at = (context: string) => ({ kind: 'context' as const, context });
  return {
    'kube:listNodes': ({ context }) =>
      guarded('the nodes', at(context), () => withGateway(context, async (g) => ({ nodes: await listNodes(g) }))),
    'kube:cordonNode': ({ context, node, unschedulable }) =>
      guarded(`${unschedulable ? 'Cordon' : 'Uncordon'} of node ${node}`, at(context), () =>
        withGateway(context, (g) => setUnschedulable(g, node, unschedulable)),
      ),
    'kube:drainPlan': ({ context, node }) =>
      guarded(`The drain plan of node ${node}`, at(context), () => withGateway(context, (g) => planDrain(g, node))),
    'kube:drainNode': ({ context, node, timeoutSeconds }) =>
      guarded(`Drain of node ${node}`, at(context), () =>
        withGateway(context, (g) => drainNode(g, node, { timeoutMs: timeoutSeconds * 1000, ...timing })),
      ),
    'kube:objectYaml': ({ context, ...ref }) =>
      guarded(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`, at(context), () =>
        withGateway(context, async (g) => ({ yaml: await objectYaml(g, ref) })),
      ),
    'kube:applyObject': ({ context, yaml, force }) =>
      guarded('Apply', at(context), () => withGateway(context, (g) => applyObject(g, yaml, force ?? false))),
  };
}

/** The deduplicated Events stream; one shared watch per (context, namespace). */
export function createResourceActionSubscriptions(deps: ResourceActionDeps): Pick<SubscriptionHandlers, 'kube:events'> {
  const events = createEventsService({
    openGateway: (context) => deps.clusters.openGateway(context),
    watchConfig: deps.clusters.watchContexts,
  });
  return { 'kube:events': (params, emit) => events.subscribe(params, emit) };
}
