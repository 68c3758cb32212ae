/**
 * One check of one target: what the overview shows besides the live pod counts. Each read is a
 * single request (version, nodes, recent Warning events, revision records, the rollout of each
 * deployed stack); nothing here lists pods, which come from the shared watch.
 */
import type { RolloutStatus } from '@shared/deploy-schemas';
import type { OverviewStack } from '@shared/overview-schemas';
import type { Target } from '@shared/target-schemas';
import type { DockerClient } from '../docker/client';
import { errorMessage } from '../errors';
import type { KubeGateway } from '../kube/kube-gateway';

export interface ProbeSources {
  openGateway(context: string): Promise<KubeGateway>;
  openClient(endpoint: string): Promise<DockerClient>;
  /** The (namespace, stack) of every revision record on the context's cluster. */
  kubeStacks(context: string): Promise<{ namespace: string; stack: string }[]>;
  /** The stacks with a revision record on the endpoint's swarm. */
  swarmStacks(endpoint: string): Promise<{ stack: string }[]>;
  rollout(target: Target, stack: string): Promise<RolloutStatus>;
}

export interface KubeFigures {
  version: string;
  nodes: { ready: number; total: number };
  warnings: number;
  stacks: OverviewStack[];
  stacksError?: string;
}

export interface SwarmFigures {
  version: string;
  swarm: 'manager' | 'worker' | 'inactive';
  nodes?: { ready: number; total: number };
  tasks?: { ready: number; total: number };
  hasLeader?: boolean;
  stacks: OverviewStack[];
  stacksError?: string;
}

interface NodeObject {
  status?: { conditions?: { type?: string; status?: string }[] };
}
interface EventObject {
  type?: string;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { lastObservedTime?: string };
  metadata?: { creationTimestamp?: string };
}

const HOUR_MS = 3_600_000;

/** When an event last happened, whichever field its producer filled. */
function lastSeen(e: EventObject): number {
  return Date.parse(
    e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '',
  );
}

function stackFrom(stack: string, namespace: string | undefined, status: RolloutStatus): OverviewStack {
  const ready = status.workloads.filter((w) => w.ready >= w.desired).length;
  const message =
    status.failed?.reason ?? status.workloads.find((w) => w.ready < w.desired && w.message)?.message ?? status.error;
  return {
    stack,
    ...(namespace !== undefined ? { namespace } : {}),
    state: status.state,
    readyWorkloads: ready,
    workloads: status.workloads.length,
    ...(message ? { message } : {}),
  };
}

async function stacksOn(
  target: (namespace?: string) => Target,
  records: Promise<{ stack: string; namespace?: string }[]>,
  rollout: ProbeSources['rollout'],
): Promise<{ stacks: OverviewStack[]; stacksError?: string }> {
  let found: { stack: string; namespace?: string }[];
  try {
    found = await records;
  } catch (err) {
    return { stacks: [], stacksError: errorMessage(err) };
  }
  const stacks = await Promise.all(
    found.map(async ({ stack, namespace }) => {
      try {
        return stackFrom(stack, namespace, await rollout(target(namespace), stack));
      } catch (err) {
        const unknown: OverviewStack = {
          stack,
          ...(namespace !== undefined ? { namespace } : {}),
          state: 'unknown',
          readyWorkloads: 0,
          workloads: 0,
          message: errorMessage(err),
        };
        return unknown;
      }
    }),
  );
  const order = (s: OverviewStack) => `${s.namespace ?? ''}/${s.stack}`;
  return { stacks: stacks.sort((a, b) => order(a).localeCompare(order(b))) };
}

export async function probeContext(
  context: string,
  sources: ProbeSources,
  opts: { timeoutMs: number; signal: AbortSignal; now: number },
): Promise<KubeFigures> {
  const gateway = await sources.openGateway(context);
  try {
    const req = { timeoutMs: opts.timeoutMs, signal: opts.signal };
    const version = await gateway.getJson<{ gitVersion?: string }>('/version', req);
    const [nodes, events, stacks] = await Promise.all([
      gateway.listAll<NodeObject>('/api/v1/nodes', req),
      gateway.listAll<EventObject>(`/api/v1/events?${new URLSearchParams({ fieldSelector: 'type=Warning' })}`, req),
      stacksOn(
        (namespace) => ({ kind: 'kubernetes', context, namespace: namespace ?? '' }),
        sources.kubeStacks(context),
        sources.rollout,
      ),
    ]);
    const ready = nodes.items.filter((n) =>
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
    const warnings = events.items.filter((e) => e.type === 'Warning' && opts.now - lastSeen(e) <= HOUR_MS).length;
    return {
      version: version.gitVersion ?? 'unknown',
      nodes: { ready, total: nodes.items.length },
      warnings,
      ...stacks,
    };
  } finally {
    gateway.close();
  }
}

interface EngineInfo {
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
}
interface EngineNode {
  Status?: { State?: string };
  ManagerStatus?: { Leader?: boolean };
}
interface EngineTask {
  Status?: { State?: string };
}

export async function probeEndpoint(
  endpoint: string,
  sources: ProbeSources,
  opts: { timeoutMs: number; signal: AbortSignal },
): Promise<SwarmFigures> {
  const client = await sources.openClient(endpoint);
  try {
    const req = { timeoutMs: opts.timeoutMs, signal: opts.signal };
    const [version, info] = await Promise.all([
      client.request<{ Version?: string }>('/version', req),
      client.request<EngineInfo>('/info', req),
    ]);
    const active = info.Swarm?.LocalNodeState === 'active';
    const swarm = !active ? 'inactive' : info.Swarm?.ControlAvailable ? 'manager' : 'worker';
    if (swarm !== 'manager') return { version: version.Version ?? 'unknown', swarm, stacks: [] };
    const [nodes, tasks, stacks] = await Promise.all([
      client.request<EngineNode[]>('/nodes', req),
      client.request<EngineTask[]>('/tasks', {
        ...req,
        query: { filters: JSON.stringify({ 'desired-state': ['running'] }) },
      }),
      stacksOn(() => ({ kind: 'swarm', endpoint }), sources.swarmStacks(endpoint), sources.rollout),
    ]);
    return {
      version: version.Version ?? 'unknown',
      swarm,
      nodes: { ready: nodes.filter((n) => n.Status?.State === 'ready').length, total: nodes.length },
      tasks: { ready: tasks.filter((t) => t.Status?.State === 'running').length, total: tasks.length },
      hasLeader: nodes.some((n) => n.ManagerStatus?.Leader === true),
      ...stacks,
    };
  } finally {
    client.close();
  }
}
