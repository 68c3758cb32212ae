/**
 * The leaders of deployed stacks whose leader lives in a database table: which stacks of the
 * catalog are deployed in a Kubernetes context (any namespace) or on a Swarm endpoint, and what
 * their leader tables say. Each stack names its own table (its signals); nothing here names one.
 */
import type { LeaderPlace, StackTableLeader } from '@shared/leader-schemas';
import { describeTarget, type Target } from '@shared/target-schemas';
import type { DockerClient } from '../docker/client';
import type { RunInWorkload, Workload } from '../exec/command';
import type { KubeGateway } from '../kube/kube-gateway';
import { NAME_LABEL } from '../stacks/kubernetes';
import type { PostgresTableLeader } from '../stacks/signals';
import { SWARM_CATALOG_STACK_LABEL, SWARM_COMPONENT_LABEL, SWARM_STACK_LABEL } from '../stacks/swarm';
import { STACK_LABEL, type StackCatalog, type StackKnowledge } from '../stacks/types';
import { engineApi } from '../swarm/engine-api';
import { readTableLeader, type LeaderRead } from './read-leader';
import { qualifiedTable } from './table-leader';

export interface StackLeadersDeps {
  openGateway(context: string): Promise<KubeGateway>;
  openClient(endpoint: string): Promise<DockerClient>;
  stacks: StackKnowledge & Pick<StackCatalog, 'list' | 'has'>;
  runInWorkload: RunInWorkload;
  timeoutMs?: number;
}

interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { phase?: string; containerStatuses?: { ready?: boolean }[] };
}
interface Labelled {
  metadata: { namespace?: string; labels?: Record<string, string> };
}

const enc = encodeURIComponent;

export function createStackLeaders(deps: StackLeadersDeps) {
  /**
   * The catalog stack a deployed stack was made from: the one its Swarm services name
   * (homeport.dev/catalog-stack), its own name, or the catalog's only stack.
   */
  const labelled = new Map<string, string>();
  function templateOf(stack: string): string | undefined {
    const named = labelled.get(stack);
    if (named && deps.stacks.has(named)) return named;
    if (deps.stacks.has(stack)) return stack;
    const all = deps.stacks.list();
    return all.length === 1 ? all[0]?.name : undefined;
  }

  function tableLeaderOf(template: string | undefined): PostgresTableLeader | undefined {
    if (!template) return undefined;
    const leader = deps.stacks.signals(template).leader;
    return leader?.kind === 'postgres-table' ? leader : undefined;
  }

  /** A running pod of the component on Kubernetes (Ready ones first); the component's service on Swarm. */
  async function workloadOf(target: Target, stack: string, component: string): Promise<Workload | string> {
    if (target.kind === 'swarm') return { service: `${stack}_${component}` };
    const gateway = await deps.openGateway(target.context);
    try {
      const selector = `${STACK_LABEL}=${stack},${NAME_LABEL}=${component}`;
      const pods = await gateway.getJson<{ items?: Pod[] }>(
        `/api/v1/namespaces/${enc(target.namespace)}/pods?labelSelector=${enc(selector)}`,
      );
      const running = (pods.items ?? []).filter((p) => p.status?.phase === 'Running');
      const ready = running.find((p) => (p.status?.containerStatuses ?? []).every((c) => c.ready));
      const pod = ready ?? running[0];
      if (!pod) return `No pod of the component '${component}' of ${stack} runs in ${describeTarget(target)}`;
      return { pod: pod.metadata.name };
    } finally {
      gateway.close();
    }
  }

  /** Reads the leader of one deployed stack; undefined when its leader is not in a database table. */
  async function read(
    target: Target,
    stack: string,
  ): Promise<(LeaderRead & { source: PostgresTableLeader }) | undefined> {
    const source = tableLeaderOf(templateOf(stack));
    if (!source) return undefined;
    const got = await readTableLeader(
      { runInWorkload: deps.runInWorkload, workloadOf, timeoutMs: deps.timeoutMs },
      target,
      stack,
      source,
    );
    return { ...got, source };
  }

  /** Deployed stacks (by target) whose catalog stack keeps its leader in a table of `component`. */
  async function deployed(place: LeaderPlace): Promise<{ target: Target; stack: string }[]> {
    const components = new Set(
      deps.stacks
        .list()
        .map((s) => tableLeaderOf(s.name)?.component)
        .filter((c): c is string => c !== undefined),
    );
    if (components.size === 0) return [];
    const found = new Map<string, { target: Target; stack: string }>();
    if (place.kind === 'swarm') {
      const client = await deps.openClient(place.endpoint);
      try {
        const api = engineApi(client);
        for (const component of components) {
          for (const s of await api.services(`${SWARM_COMPONENT_LABEL}=${component}`)) {
            const stack = s.Spec.Labels?.[SWARM_STACK_LABEL];
            const catalogStack = s.Spec.Labels?.[SWARM_CATALOG_STACK_LABEL];
            if (stack && catalogStack) labelled.set(stack, catalogStack);
            if (stack && tableLeaderOf(templateOf(stack))?.component === component) {
              found.set(stack, { target: { kind: 'swarm', endpoint: place.endpoint }, stack });
            }
          }
        }
      } finally {
        client.close();
      }
    } else {
      const gateway = await deps.openGateway(place.context);
      try {
        for (const component of components) {
          const selector = enc(`${NAME_LABEL}=${component},${STACK_LABEL}`);
          const lists = await Promise.all(
            ['statefulsets', 'deployments'].map((r) =>
              gateway.getJson<{ items?: Labelled[] }>(`/apis/apps/v1/${r}?labelSelector=${selector}`),
            ),
          );
          for (const w of lists.flatMap((l) => l.items ?? [])) {
            const stack = w.metadata.labels?.[STACK_LABEL];
            const namespace = w.metadata.namespace;
            if (stack && namespace && tableLeaderOf(templateOf(stack))?.component === component) {
              const target: Target = { kind: 'kubernetes', context: place.context, namespace };
              found.set(`${namespace}/${stack}`, { target, stack });
            }
          }
        }
      } finally {
        gateway.close();
      }
    }
    return [...found.values()];
  }

  /** The table leader of every deployed stack in the place, read now. */
  async function list(place: LeaderPlace): Promise<StackTableLeader[]> {
    const stacks = await deployed(place);
    const reads = await Promise.all(
      stacks.map(async ({ target, stack }) => {
        const template = templateOf(stack) as string;
        const got = await read(target, stack);
        if (!got) return undefined;
        const title = deps.stacks.list().find((s) => s.name === template)?.title ?? template;
        return {
          stack,
          title,
          target,
          workload: got.workload,
          table: `${qualifiedTable(got.source)} in the database ${got.source.database}`,
          ref: got.source.ref,
          reading: got.reading,
        } satisfies StackTableLeader;
      }),
    );
    return reads.filter((r): r is StackTableLeader => r !== undefined);
  }

  return { read, list, workloadOf };
}

export type StackLeaders = ReturnType<typeof createStackLeaders>;
