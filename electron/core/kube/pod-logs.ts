import type { LogChunk } from '@shared/kube-schemas';
import { errorMessage } from '../errors';
import { KubeAbortError, type KubeGateway, KubeRequestError } from './kube-gateway';
import { splitLines } from './kube-stream';
import { createLineBatcher } from '../log-batcher';

export interface PodLogParams {
  context: string;
  namespace: string;
  name: string;
  container?: string;
  follow: boolean;
  tailLines?: number;
  /** The previous (terminated) container's log: the API server's `previous=true`. */
  previous?: boolean;
}

function endReason(err: unknown, p: PodLogParams): string {
  const pod = `Pod ${p.namespace}/${p.name}`;
  if (err instanceof KubeRequestError) {
    if (err.status === 404) return `${pod} no longer exists in context '${p.context}'`;
    // 400 carries the server's own explanation: container not started yet, container name needed...
    if (err.status === 400) return `Cannot read the log of ${pod}${err.message.replace(/^.*?HTTP 400 for [^:]*/, '')}`;
  }
  return `The log of ${pod} stopped: ${errorMessage(err)}`;
}

/**
 * Streams a pod's log as batched line chunks, then one `end` chunk saying why it ended. The
 * returned function stops it; nothing is emitted after that.
 */
export function streamPodLogs(
  params: PodLogParams,
  emit: (chunk: LogChunk) => void,
  deps: { openGateway(context: string): Promise<KubeGateway>; batchMs: number },
): () => void {
  const abort = new AbortController();
  const batch = createLineBatcher(emit, { batchMs: deps.batchMs, stopped: () => abort.signal.aborted });
  const flush = batch.flush;
  const lines = splitLines(batch.push, true);

  const query = new URLSearchParams();
  if (params.container) query.set('container', params.container);
  // A terminated container writes no more: its log is read, never followed.
  if (params.follow && !params.previous) query.set('follow', 'true');
  if (params.previous) query.set('previous', 'true');
  if (params.tailLines) query.set('tailLines', String(params.tailLines));
  const path = `/api/v1/namespaces/${encodeURIComponent(params.namespace)}/pods/${encodeURIComponent(params.name)}/log?${query}`;

  let gateway: KubeGateway | undefined;
  void (async () => {
    let reason = params.previous
      ? 'End of the previous container’s log'
      : params.follow
        ? 'The container stopped writing its log'
        : 'End of the log';
    try {
      gateway = await deps.openGateway(params.context);
      if (abort.signal.aborted) return gateway.close();
      await gateway.stream(path, lines.push, { signal: abort.signal });
      lines.end();
    } catch (err) {
      if (abort.signal.aborted || err instanceof KubeAbortError) return;
      reason = endReason(err, params);
    }
    flush();
    if (!abort.signal.aborted) emit({ type: 'end', reason });
    gateway?.close();
  })();

  return () => {
    abort.abort();
    batch.cancel();
    gateway?.close();
  };
}
