/**
 * Where each stack is deployed: every Kubernetes context and Docker endpoint Homeport knows is
 * asked for the revision records Homeport writes on each apply (Secrets labelled
 * homeport.dev/revision in any namespace; Swarm configs labelled the same) and removes on
 * uninstall. A target that does not answer in time is reported as unreachable, not left out silently.
 */
import type { StackDeploymentsList } from '@shared/deploy-schemas';
import { describeTarget, type Target } from '@shared/target-schemas';
import { errorMessage } from '../errors';

export interface DeployedWhereSources {
  kubeContexts(): Promise<string[]>;
  /** The (namespace, stack) of every revision record on the context's cluster. */
  kubeRevisions(context: string): Promise<{ namespace: string; stack: string }[]>;
  swarmEndpoints(): Promise<string[]>;
  /** The stack of every revision record on the endpoint's swarm. */
  swarmRevisions(endpoint: string): Promise<{ stack: string }[]>;
  /** How long one cluster or endpoint may take to answer (default 5 s). */
  timeoutMs?: number;
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export async function deployedWhere(sources: DeployedWhereSources, stacks: string[]): Promise<StackDeploymentsList> {
  const ms = sources.timeoutMs ?? 5000;
  const found = new Map<string, Map<string, Target>>(stacks.map((s) => [s, new Map()]));
  const unreachable: StackDeploymentsList['unreachable'] = [];
  const add = (stack: string, target: Target) => found.get(stack)?.set(JSON.stringify(target), target);

  const ask = async (where: string, work: () => Promise<void>) => {
    try {
      await within(ms, work());
    } catch (err) {
      unreachable.push({ where, message: errorMessage(err) });
    }
  };
  const [contexts, endpoints] = await Promise.all([
    sources.kubeContexts().catch((err: unknown) => {
      unreachable.push({ where: 'the kubeconfig contexts', message: errorMessage(err) });
      return [] as string[];
    }),
    sources.swarmEndpoints().catch((err: unknown) => {
      unreachable.push({ where: 'the Docker endpoints', message: errorMessage(err) });
      return [] as string[];
    }),
  ]);
  await Promise.all([
    ...contexts.map((context) =>
      ask(`context '${context}'`, async () => {
        for (const r of await sources.kubeRevisions(context)) {
          add(r.stack, { kind: 'kubernetes', context, namespace: r.namespace });
        }
      }),
    ),
    ...endpoints.map((endpoint) =>
      ask(describeTarget({ kind: 'swarm', endpoint }), async () => {
        for (const r of await sources.swarmRevisions(endpoint)) add(r.stack, { kind: 'swarm', endpoint });
      }),
    ),
  ]);
  const order = (t: Target) => (t.kind === 'kubernetes' ? `k ${t.context} ${t.namespace}` : `s ${t.endpoint}`);
  return {
    stacks: stacks.map((stack) => ({
      stack,
      targets: [...(found.get(stack)?.values() ?? [])].sort((a, b) => order(a).localeCompare(order(b))),
    })),
    unreachable: unreachable.sort((a, b) => a.where.localeCompare(b.where)),
  };
}
