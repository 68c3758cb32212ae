/**
 * Logs of Swarm services and tasks: the engine's multiplexed stream (8-byte frame headers) or, for
 * a TTY, the raw stream, split into lines and emitted in batches.
 */
import { StringDecoder } from 'node:string_decoder';
import type { LogChunk } from '@shared/kube-schemas';
import { errorMessage } from '../errors';
import { DockerRequestError, type DockerClient } from './client';
import { createLineBatcher } from '../log-batcher';

/** 1 = stdout, 2 = stderr (0 = stdin, never sent for logs). */
export type LogStreamType = 0 | 1 | 2;

/**
 * Demultiplexes the engine's stream: each frame is [type, 0, 0, 0, length (uint32 BE)] + payload.
 * Headers and payloads may be split across chunks anyhow; only payload bytes reach onPayload.
 */
export function createLogDemuxer(onPayload: (stream: LogStreamType, payload: Buffer) => void) {
  let pending: Buffer = Buffer.alloc(0);
  let remaining = 0;
  let current: LogStreamType = 1;
  return {
    push(chunk: Buffer) {
      let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      pending = Buffer.alloc(0);
      while (buf.length > 0) {
        if (remaining > 0) {
          const take = Math.min(remaining, buf.length);
          onPayload(current, buf.subarray(0, take));
          remaining -= take;
          buf = buf.subarray(take);
          continue;
        }
        if (buf.length < 8) {
          pending = Buffer.from(buf);
          return;
        }
        const type = buf[0]!;
        current = (type <= 2 ? type : 1) as LogStreamType;
        remaining = buf.readUInt32BE(4);
        buf = buf.subarray(8);
      }
    },
  };
}

/** Splits text into lines, per stream; a partial last line waits for its end (or for end()). */
export function createLineSplitter(onLine: (line: string) => void) {
  const decoders = new Map<LogStreamType, { decoder: StringDecoder; partial: string }>();
  const state = (stream: LogStreamType) => {
    let s = decoders.get(stream);
    if (!s) decoders.set(stream, (s = { decoder: new StringDecoder('utf8'), partial: '' }));
    return s;
  };
  const take = (s: { partial: string }, text: string) => {
    const parts = (s.partial + text).split('\n');
    s.partial = parts.pop()!;
    for (const part of parts) onLine(part.endsWith('\r') ? part.slice(0, -1) : part);
  };
  return {
    push(stream: LogStreamType, payload: Buffer) {
      const s = state(stream);
      take(s, s.decoder.write(payload));
    },
    end() {
      for (const s of decoders.values()) {
        take(s, s.decoder.end());
        if (s.partial !== '') onLine(s.partial);
        s.partial = '';
      }
    },
  };
}

export interface SwarmLogParams {
  endpoint: string;
  /** A service id or name. */
  service?: string;
  /** A task id. */
  task?: string;
  follow: boolean;
  /** Lines from the end to start with; all when absent. */
  tail?: number;
}

interface ContainerSpec {
  TTY?: boolean;
}

function endReason(err: unknown, p: SwarmLogParams): string {
  const what = p.service ? `service '${p.service}'` : `task ${p.task}`;
  if (err instanceof DockerRequestError && err.status === 404) {
    return `The ${what} no longer exists on endpoint '${p.endpoint}'`;
  }
  return `The log of the ${what} stopped: ${errorMessage(err)}`;
}

/**
 * Streams a service's or a task's log as batched `lines` chunks, then one `end` chunk saying why
 * it ended. The returned function stops it; nothing is emitted after that.
 */
export function streamSwarmLogs(
  params: SwarmLogParams,
  emit: (chunk: LogChunk) => void,
  deps: { openClient(endpoint: string): Promise<DockerClient>; batchMs?: number },
): () => void {
  const batchMs = deps.batchMs ?? 50;
  const abort = new AbortController();
  const batch = createLineBatcher(emit, { batchMs, stopped: () => abort.signal.aborted });
  const flush = batch.flush;
  const splitter = createLineSplitter(batch.push);

  let client: DockerClient | undefined;
  void (async () => {
    let reason = params.follow ? 'The service stopped writing its log' : 'End of the log';
    try {
      if ((params.service === undefined) === (params.task === undefined)) {
        throw new Error('give either a service or a task');
      }
      client = await deps.openClient(params.endpoint);
      if (abort.signal.aborted) return client.close();
      let path: string;
      let tty: boolean;
      if (params.service !== undefined) {
        const svc = await client.request<{ ID: string; Spec?: { TaskTemplate?: { ContainerSpec?: ContainerSpec } } }>(
          `/services/${encodeURIComponent(params.service)}`,
          { signal: abort.signal },
        );
        tty = svc.Spec?.TaskTemplate?.ContainerSpec?.TTY === true;
        path = `/services/${encodeURIComponent(svc.ID)}/logs`;
      } else {
        const task = await client.request<{ ID: string; Spec?: { ContainerSpec?: ContainerSpec } }>(
          `/tasks/${encodeURIComponent(params.task!)}`,
          { signal: abort.signal },
        );
        tty = task.Spec?.ContainerSpec?.TTY === true;
        path = `/tasks/${encodeURIComponent(task.ID)}/logs`;
      }
      const demux = createLogDemuxer(splitter.push);
      await client.stream(path, tty ? (chunk) => splitter.push(1, chunk) : demux.push, {
        signal: abort.signal,
        query: {
          stdout: true,
          stderr: true,
          timestamps: false,
          follow: params.follow,
          tail: params.tail ?? 'all',
        },
      });
      splitter.end();
    } catch (err) {
      if (abort.signal.aborted) return;
      reason = endReason(err, params);
    }
    flush();
    if (!abort.signal.aborted) emit({ type: 'end', reason });
    client?.close();
  })();

  return () => {
    abort.abort();
    batch.cancel();
    client?.close();
  };
}
