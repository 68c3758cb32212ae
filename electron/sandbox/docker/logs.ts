/**
 * `kubectl logs` from the engine: the current container's output (or, with `previous`, the one
 * before it), with the API server's follow, tailLines, sinceSeconds/sinceTime, timestamps and
 * limitBytes, and its errors when there is no such container yet.
 */
import type * as http from 'node:http';
import { createLogDemuxer } from '../../core/docker/logs';
import { ApiError, notFound } from '../http-util';
import type { FindPod, Run } from './containers';
import type { RuntimeEngine } from './engine';

const bad = (message: string) => new ApiError(400, 'BadRequest', message);

/** The container a pod-level request means: the one named, or the only one. */
export function containerOf(
  pod: { metadata: { name: string } },
  runs: Run[] | undefined,
  names: string[],
  wanted: string | null,
) {
  if (wanted === null || wanted === '') {
    if (names.length !== 1) {
      throw bad(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`);
    }
    wanted = names[0] as string;
  }
  if (!names.includes(wanted)) throw bad(`container ${wanted} is not valid for pod ${pod.metadata.name}`);
  return { name: wanted, run: runs?.find((r) => r.spec.name === wanted) };
}

export function createLogServer(engine: RuntimeEngine, find: FindPod) {
  return async function serveLogs(namespace: string, name: string, q: URLSearchParams, res: http.ServerResponse) {
    const { pod, worker } = find(namespace, name);
    if (!pod) throw notFound('pods', name);
    const names = ((pod.spec?.containers as { name: string }[] | undefined) ?? []).map((c) => c.name);
    const { name: container, run } = containerOf(pod, worker?.containers, names, q.get('container'));
    const previous = q.get('previous') === 'true';
    const attempts = (run?.attempts ?? []).filter((a) => a !== run?.starting);
    const id = attempts[attempts.length - (previous ? 2 : 1)];
    if (!id) {
      if (previous) throw bad(`previous terminated container "${container}" in pod "${name}" not found`);
      const reason = run?.waiting.reason ?? 'ContainerCreating';
      throw bad(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
    }
    const follow = q.get('follow') === 'true' && !previous;
    const tail = Number(q.get('tailLines') ?? -1);
    const sinceSeconds = Number(q.get('sinceSeconds') ?? 0);
    const sinceTime = q.get('sinceTime');
    const since =
      sinceSeconds > 0
        ? Math.floor(Date.now() / 1000) - sinceSeconds
        : sinceTime
          ? Math.floor(Date.parse(sinceTime) / 1000)
          : undefined;
    let budget = Number(q.get('limitBytes') ?? 0) || Infinity;
    const abort = new AbortController();
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.on('close', () => abort.abort());
    const write = (data: Buffer) => {
      if (budget <= 0) return;
      const part = data.length > budget ? data.subarray(0, budget) : data;
      budget -= part.length;
      res.write(part);
      if (budget <= 0) abort.abort();
    };
    const demux = createLogDemuxer((_stream, payload) => write(payload));
    try {
      await engine.client.stream(
        `/containers/${id}/logs`,
        (chunk) => (run?.spec.tty ? write(chunk) : demux.push(chunk)),
        {
          query: {
            stdout: true,
            stderr: true,
            follow,
            timestamps: q.get('timestamps') === 'true',
            tail: tail >= 0 ? tail : 'all',
            ...(since !== undefined && Number.isFinite(since) ? { since } : {}),
          },
          signal: abort.signal,
        },
      );
    } catch {
      // The container went (pod deleted) while following: the log ends there, as on a cluster.
    }
    res.end();
  };
}
