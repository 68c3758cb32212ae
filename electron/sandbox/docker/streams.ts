/**
 * exec and port-forward into the pods of the Docker runtime: a command runs in the container with
 * Docker exec; a forwarded port is a connection from this machine to the pod's address on its
 * namespace network (the container that declares the port, else the pod's first container).
 */
import * as net from 'node:net';
import { ApiError, notFound } from '../http-util';
import type { PodStreams } from '../runtime';
import type { FindPod, Run } from './containers';
import type { RuntimeEngine } from './engine';
import { startExec } from './exec';
import { containerOf } from './logs';

const bad = (message: string) => new ApiError(400, 'BadRequest', message);

export function createPodStreams(engine: RuntimeEngine, find: FindPod): PodStreams {
  function running(namespace: string, name: string) {
    const { pod, worker } = find(namespace, name);
    if (!pod) throw notFound('pods', name);
    const phase = pod.status?.phase as string | undefined;
    if (phase === 'Succeeded' || phase === 'Failed') {
      throw bad(`cannot exec into or forward to a container in a completed pod; current phase is ${phase}`);
    }
    return { pod, runs: worker?.containers ?? [], uid: worker?.uid ?? pod.metadata.uid ?? '' };
  }

  const notRunning = (r: Run | undefined, container: string, pod: string) =>
    bad(
      `container "${container}" in pod "${pod}" is not running${r ? ` (${r.state === 'waiting' ? r.waiting.reason : r.state})` : ''}: wait until kubectl get pod ${pod} shows it Running`,
    );

  return {
    execTarget(namespace, name, container) {
      const { pod, runs } = running(namespace, name);
      const names = ((pod.spec?.containers as { name: string }[] | undefined) ?? []).map((c) => c.name);
      const { name: chosen, run } = containerOf(pod, runs, names, container);
      if (!run || run.state !== 'running') throw notRunning(run, chosen, name);
      return {
        containerId: run.attempts[run.attempts.length - 1] as string,
        async stopped() {
          for (let i = 0; i < 40 && run.state !== 'waiting'; i++) await new Promise((r) => setTimeout(r, 50));
          return notRunning(run, chosen, name);
        },
      };
    },
    async exec(target, opts) {
      try {
        return await startExec(engine, target.containerId, opts);
      } catch (err) {
        if (!target.stopped || !/is not running/.test(String(err))) throw err;
        throw new Error((await target.stopped()).message, { cause: err });
      }
    },
    forwardTarget(namespace, name) {
      const { runs, uid } = running(namespace, name);
      if (!runs.some((r) => r.state === 'running')) throw notRunning(runs[0], runs[0]?.spec.name ?? '', name);
      return { uid };
    },
    dial(namespace, name, port) {
      const { runs, uid } = running(namespace, name);
      const owner = runs.find((r) => (r.spec.ports ?? []).some((p) => p.containerPort === port)) ?? runs[0];
      const where = `error forwarding port ${port} to pod ${name}, uid ${uid}`;
      if (!owner || owner.state !== 'running') return Promise.reject(new Error(`${where}: container not running`));
      return new Promise((resolve, reject) => {
        const socket = net.connect({ host: owner.ip, port });
        socket.once('connect', () => resolve(socket));
        socket.once('error', (err: NodeJS.ErrnoException) => {
          const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
          reject(new Error(`${where}: dial tcp ${owner.ip}:${port}: ${why}`));
        });
      });
    },
  };
}
