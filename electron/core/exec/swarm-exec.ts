/**
 * Commands in a Swarm task's container. The swarm knows its tasks and where they run, but only the
 * engine of the node a task runs on can exec into its container: Homeport finds the task (by id, as
 * `service.slot`, or a running task of a service, preferring this node's) and runs the command
 * through the endpoint's engine when the task is on its node, or says which node it is on.
 */
import { describeTarget, type SwarmTarget } from '@shared/target-schemas';
import { errorMessage } from '../errors';
import { DockerRequestError, type DockerClient } from '../docker/client';
import type { CommandPlace, CommandRequest, CommandSession, WorkloadCommands } from './command';
import { ExecNotRun, execInContainer } from './docker-exec';
import { createSessionPlumbing } from './session';

export interface SwarmCommandDeps {
  openClient(endpoint: string): Promise<DockerClient>;
}

interface Task {
  ID: string;
  Slot?: number;
  NodeID?: string;
  ServiceID?: string;
  DesiredState?: string;
  Status?: { State?: string; Err?: string; Message?: string; ContainerStatus?: { ContainerID?: string } };
}

interface Service {
  ID: string;
  Spec?: { Name?: string };
}

interface Node {
  ID: string;
  Description?: { Hostname?: string };
}

const notFound = (err: unknown) => err instanceof DockerRequestError && err.status === 404;

async function getService(client: DockerClient, idOrName: string): Promise<Service | undefined> {
  try {
    return await client.request<Service>(`/services/${encodeURIComponent(idOrName)}`);
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
}

async function runningTasks(client: DockerClient, serviceId: string, slot?: number): Promise<Task[]> {
  const filters = JSON.stringify({ service: [serviceId], 'desired-state': ['running'] });
  const tasks = await client.request<Task[]>('/tasks', { query: { filters } });
  return tasks.filter((t) => slot === undefined || t.Slot === slot);
}

const label = (task: Task, service: string) =>
  `task ${service}.${task.Slot ?? '?'} (${task.ID.slice(0, 12)}) of service ${service}`;

/** The task a request names, with its service's name; refuses in the user's words. */
async function findTask(
  client: DockerClient,
  request: CommandRequest,
  localNode: string,
  on: string,
): Promise<{ task: Task; service: string }> {
  const w = request.workload;
  if ('pod' in w) throw new ExecNotRun('invalid', `On Docker Swarm a command runs in a task or a service, not a pod`);
  if ('service' in w) {
    const service = await getService(client, w.service);
    if (!service) throw new ExecNotRun('not-found', `there is no service ${w.service} on ${on}`);
    const name = service.Spec?.Name ?? w.service;
    const tasks = await runningTasks(client, service.ID);
    const running = tasks.filter((t) => t.Status?.State === 'running');
    const task = running.find((t) => t.NodeID === localNode) ?? running[0];
    if (!task) {
      const states = tasks.map((t) => t.Status?.State ?? '?').join(', ') || 'none';
      throw new ExecNotRun('not-running', `service ${name} on ${on} has no running task (tasks: ${states})`);
    }
    return { task, service: name };
  }
  let task: Task | undefined;
  try {
    task = await client.request<Task>(`/tasks/${encodeURIComponent(w.task)}`);
  } catch (err) {
    if (!notFound(err)) throw err;
  }
  // `docker service ps` names tasks service.slot.
  const named = /^(.+)\.(\d+)$/.exec(w.task);
  if (!task && named) {
    const service = await getService(client, named[1]!);
    const candidates = service ? await runningTasks(client, service.ID, Number(named[2])) : [];
    task = candidates.find((t) => t.Status?.State === 'running') ?? candidates[0];
  }
  if (!task) throw new ExecNotRun('not-found', `there is no task ${w.task} on ${on}`);
  const service = task.ServiceID ? await getService(client, task.ServiceID) : undefined;
  return { task, service: service?.Spec?.Name ?? task.ServiceID ?? '?' };
}

async function nodeName(client: DockerClient, id: string): Promise<string> {
  const node = await client.request<Node>(`/nodes/${encodeURIComponent(id)}`).catch(() => undefined);
  return node?.Description?.Hostname ? `${node.Description.Hostname} (${id.slice(0, 12)})` : id.slice(0, 12);
}

async function start(
  target: SwarmTarget,
  request: CommandRequest,
  plumbing: ReturnType<typeof createSessionPlumbing>,
  deps: SwarmCommandDeps,
  setClient: (c: DockerClient) => void,
): Promise<void> {
  const on = describeTarget(target);
  if (request.command.length === 0) throw new ExecNotRun('invalid', `give a command to run on ${on}`);
  if (request.container !== undefined) {
    throw new ExecNotRun('invalid', `a Swarm task has one container; leave out the container (${request.container})`);
  }
  let client: DockerClient;
  try {
    client = await deps.openClient(target.endpoint);
  } catch (err) {
    throw new ExecNotRun('unreachable', `${on}: ${errorMessage(err)}`);
  }
  setClient(client);
  try {
    const info = await client.request<{ Swarm?: { NodeID?: string } }>('/info');
    const localNode = info.Swarm?.NodeID ?? '';
    const { task, service } = await findTask(client, request, localNode, on);
    const what = label(task, service);
    const state = task.Status?.State;
    if (state !== 'running') {
      const why = task.Status?.Err || task.Status?.Message || '';
      throw new ExecNotRun('not-running', `${what} on ${on} is ${state ?? 'unknown'}${why ? ` (${why})` : ''}`);
    }
    if (task.NodeID && task.NodeID !== localNode) {
      throw new ExecNotRun(
        'other-node',
        `${what} runs on node ${await nodeName(client, task.NodeID)}, not on the node of ${on}; only that node's engine can run commands in it: add it as a Docker endpoint`,
      );
    }
    const containerId = task.Status?.ContainerStatus?.ContainerID;
    if (!containerId) throw new ExecNotRun('not-running', `${what} on ${on} has no container yet`);
    const place: CommandPlace = { workload: what, container: containerId.slice(0, 12) };
    await execInContainer(
      client,
      {
        containerId,
        command: request.command,
        stdin: !!request.stdin,
        tty: request.tty,
        signal: request.signal,
        where: `${what} (container ${place.container}) on ${on}`,
      },
      plumbing,
      () => plumbing.begin(place),
    );
  } catch (err) {
    if (err instanceof ExecNotRun) throw err;
    if (request.signal?.aborted) throw new ExecNotRun('cancelled', `${on}: the command was cancelled`);
    throw new ExecNotRun('unreachable', `${on}: ${errorMessage(err)}`);
  }
}

/** Commands in the tasks of the swarm behind a Docker endpoint. */
export function swarmCommands(target: SwarmTarget, deps: SwarmCommandDeps): WorkloadCommands {
  return {
    run(request: CommandRequest): CommandSession {
      const plumbing = createSessionPlumbing({ stdin: !!request.stdin, tty: request.tty });
      let client: DockerClient | undefined;
      void plumbing.session.result.then(() => client?.close());
      start(target, request, plumbing, deps, (c) => (client = c)).catch((err: unknown) => {
        const failure = err instanceof ExecNotRun ? err : new ExecNotRun('runtime', errorMessage(err));
        plumbing.finish({ kind: 'failed', reason: failure.reason, message: failure.message });
      });
      return plumbing.session;
    },
  };
}
