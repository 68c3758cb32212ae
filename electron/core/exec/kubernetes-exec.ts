/**
 * Commands in a pod's container through the API server's `pods/{name}/exec` subresource over a
 * WebSocket, with the context's credentials, TLS, proxy and impersonation (the kube gateway).
 * Like kubectl, it reads the pod first: the container defaults as kubectl picks it, and a pod or
 * container that does not run is named before any stream opens.
 */
import { describeTarget, type KubernetesTarget } from '@shared/target-schemas';
import { errorMessage } from '../errors';
import { KubeAbortError, KubeRequestError, type KubeGateway } from '../kube/kube-gateway';
import type { CommandFailure, CommandPlace, CommandRequest, CommandSession, WorkloadCommands } from './command';
import { EXEC_PROTOCOLS, execQuery, runOverWebSocket } from './k8s-channels';
import { createSessionPlumbing, type SessionPlumbing } from './session';

export interface KubernetesCommandDeps {
  openGateway(context: string): Promise<KubeGateway>;
}

interface ContainerState {
  running?: object;
  waiting?: { reason?: string; message?: string };
  terminated?: { reason?: string; exitCode?: number };
}

interface Pod {
  metadata?: { annotations?: Record<string, string> };
  spec?: {
    containers?: { name: string }[];
    initContainers?: { name: string }[];
    ephemeralContainers?: { name: string }[];
  };
  status?: {
    phase?: string;
    containerStatuses?: { name: string; state?: ContainerState }[];
    initContainerStatuses?: { name: string; state?: ContainerState }[];
    ephemeralContainerStatuses?: { name: string; state?: ContainerState }[];
  };
}

const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** A failure that ends the session before any stream opened. */
class NotRun extends Error {
  constructor(
    readonly reason: CommandFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The container the command runs in: the one asked for, else kubectl's default. */
export function chooseContainer(pod: Pod, inPod: string, asked: string | undefined): Omit<CommandPlace, 'workload'> {
  const regular = (pod.spec?.containers ?? []).map((c) => c.name);
  const all = [
    ...regular,
    ...(pod.spec?.initContainers ?? []).map((c) => c.name),
    ...(pod.spec?.ephemeralContainers ?? []).map((c) => c.name),
  ];
  if (asked !== undefined) {
    if (!all.includes(asked)) {
      throw new NotRun('not-found', `${inPod} has no container ${asked}; its containers: ${all.join(', ')}`);
    }
    return { container: asked };
  }
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  const container = annotated && all.includes(annotated) ? annotated : regular[0];
  if (!container) throw new NotRun('not-found', `${inPod} has no containers`);
  return regular.length > 1 && container !== annotated ? { container, defaulted: { from: regular } } : { container };
}

/** Refuses, in the user's words, a pod or container that does not run. */
function checkRunning(pod: Pod, inPod: string, container: string) {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw new NotRun('not-running', `${inPod} has completed (phase ${phase}); a command needs a running pod`);
  }
  const statuses = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ];
  const state = statuses.find((s) => s.name === container)?.state;
  if (state && !state.running) {
    const how = state.waiting
      ? `waiting: ${state.waiting.reason ?? 'not started'}`
      : `terminated: ${state.terminated?.reason ?? `exit code ${state.terminated?.exitCode ?? '?'}`}`;
    throw new NotRun('not-running', `container ${container} of ${inPod} is not running (${how})`);
  }
  if (!state && phase === 'Pending') {
    throw new NotRun('not-running', `${inPod} is still Pending; wait until its containers run`);
  }
}

/** A refused request or upgrade, as the failure of this command. */
function failureOf(err: unknown, what: string): NotRun {
  if (err instanceof NotRun) return err;
  if (err instanceof KubeAbortError) return new NotRun('cancelled', `${what}: the command was cancelled`);
  if (err instanceof KubeRequestError) {
    if (err.status === 404) return new NotRun('not-found', `${what}: not found (${err.message})`);
    if (err.status === 403) return new NotRun('permission-denied', `${what}: ${err.message}`);
    if (err.status === 400) return new NotRun('runtime', `${what}: ${err.message}`);
    return new NotRun('unreachable', `${what}: ${err.message}`);
  }
  return new NotRun('unreachable', `${what}: ${errorMessage(err)}`);
}

async function start(
  target: KubernetesTarget,
  request: CommandRequest,
  plumbing: SessionPlumbing,
  deps: KubernetesCommandDeps,
): Promise<void> {
  const { namespace, context } = target;
  if (!('pod' in request.workload)) {
    throw new NotRun('invalid', `On Kubernetes a command runs in a pod; ${describeTarget(target)} has no tasks`);
  }
  const podName = request.workload.pod;
  const inPod = `pod ${podName} in ${describeTarget(target)}`;
  if (request.command.length === 0) throw new NotRun('invalid', `${inPod}: give a command to run`);
  const podPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}`;
  let gateway: KubeGateway | undefined;
  try {
    gateway = await deps.openGateway(context);
    let pod: Pod;
    try {
      pod = await gateway.getJson<Pod>(podPath, { signal: request.signal });
    } catch (err) {
      if (err instanceof KubeRequestError && err.status === 404) {
        throw new NotRun('not-found', `${inPod} does not exist`);
      }
      throw err;
    }
    const chosen = chooseContainer(pod, inPod, request.container);
    checkRunning(pod, inPod, chosen.container);
    const where = `pod ${podName} (container ${chosen.container}) in ${describeTarget(target)}`;
    const tty = request.tty !== undefined;
    const query = execQuery({ command: request.command, container: chosen.container, stdin: !!request.stdin, tty });
    const ws = await gateway
      .websocket(`${podPath}/exec?${query}`, {
        protocols: EXEC_PROTOCOLS,
        signal: request.signal,
        // A quick command's output, status and close can come with the handshake, before
        // runOverWebSocket listens: the socket waits paused until it does.
        onOpen: (socket) => socket.pause(),
      })
      .catch((err: unknown) => {
        throw failureOf(err, where);
      });
    plumbing.begin({ workload: `pod ${podName} in namespace ${namespace}`, ...chosen });
    const opened = gateway;
    ws.once('close', () => opened.close());
    gateway = undefined;
    runOverWebSocket(ws, plumbing, { tty, where, signal: request.signal });
  } finally {
    gateway?.close();
  }
}

/** Commands in the pods of one namespace of a context. */
export function kubernetesCommands(target: KubernetesTarget, deps: KubernetesCommandDeps): WorkloadCommands {
  return {
    run(request: CommandRequest): CommandSession {
      const plumbing = createSessionPlumbing({ stdin: !!request.stdin, tty: request.tty });
      const what = 'pod' in request.workload ? `pod ${request.workload.pod} in ${describeTarget(target)}` : '';
      start(target, request, plumbing, deps).catch((err: unknown) => {
        const failure = failureOf(err, what || describeTarget(target));
        plumbing.finish({ kind: 'failed', reason: failure.reason, message: failure.message });
      });
      return plumbing.session;
    },
  };
}
