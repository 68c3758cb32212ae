import type {
  Discovery,
  ObjectRef,
  ObjectYaml,
  ResourceDelta,
  ResourceListParams,
  RevealedSecret,
} from '@shared/resource-schemas';
import type { ResourceSpec, WatchTuning } from '../informer';
import type { KubeGateway } from '../kube-gateway';
import { podsSpec } from '../resource-specs';
import { createWatchHub, type WatchHub } from '../watch-hub';
import { collectionPath, discoverResources } from './discovery';
import { getObjectYaml, revealSecretValue } from './object-yaml';
import { summarizerFor } from './summarize';
import { podRow } from './workload-rows';
import type { ResourceRow } from '@shared/resource-schemas';

export interface ResourceServiceDeps {
  openGateway(context: string): Promise<KubeGateway>;
  watchConfig?(onChange: () => void): () => void;
  tuning?: Partial<WatchTuning>;
  /** Watches shared with the Pods screen and the overview: pods are watched once per cluster and namespace. */
  hub?: WatchHub;
}

/** What to list and watch for one resource, boiled down to browser rows. */
export function resourceSpec(params: ResourceListParams): ResourceSpec<ResourceRow> {
  const id = params.group ? `${params.plural}.${params.group}/${params.version}` : `${params.plural}/${params.version}`;
  return {
    path: collectionPath(params, params.namespace),
    what: params.namespace
      ? `${id} in namespace '${params.namespace}' of context '${params.context}'`
      : `${id} of context '${params.context}'`,
    summarize: summarizerFor(params),
  };
}

/**
 * The resource browser: any API resource as live rows (one shared list+watch per context,
 * resource and namespace), discovery of what the cluster serves, one object as YAML, and one
 * Secret value when the user asks for it.
 */
export function createResourceService(deps: ResourceServiceDeps) {
  const hub =
    deps.hub ?? createWatchHub({ openGateway: deps.openGateway, watchConfig: deps.watchConfig, tuning: deps.tuning });

  async function withGateway<R>(context: string, fn: (g: KubeGateway) => Promise<R>): Promise<R> {
    const gateway = await deps.openGateway(context);
    try {
      return await fn(gateway);
    } finally {
      gateway.close();
    }
  }

  return {
    subscribe(params: ResourceListParams, emit: (delta: ResourceDelta) => void): () => void {
      if (params.group === '' && params.version === 'v1' && params.plural === 'pods') {
        // The same watch as the Pods screen's (same key, same summaries), its rows made per delta.
        return hub.subscribe(
          { context: params.context, resource: 'pods', namespace: params.namespace },
          () => podsSpec(params.context, params.namespace),
          (delta) =>
            emit(
              delta.type === 'reset' || delta.type === 'upsert' ? { ...delta, items: delta.items.map(podRow) } : delta,
            ),
        );
      }
      return hub.subscribe(
        {
          context: params.context,
          resource: `${params.plural}.${params.group}/${params.version}`,
          namespace: params.namespace,
        },
        () => resourceSpec(params),
        emit,
      );
    },
    discover: (params: { context: string }): Promise<Discovery> =>
      withGateway(params.context, (g) => discoverResources(g)),
    getObject: (ref: ObjectRef): Promise<ObjectYaml> => withGateway(ref.context, (g) => getObjectYaml(g, ref)),
    revealSecret: (ref: { context: string; namespace: string; name: string; key: string }): Promise<RevealedSecret> =>
      withGateway(ref.context, (g) => revealSecretValue(g, ref)),
    get activeWatches() {
      return hub.activeWatches;
    },
    close: () => hub.close(),
  };
}

export type ResourceService = ReturnType<typeof createResourceService>;
