import { useState } from 'react';
import type { TopicParams } from '@shared/contract';
import type { LogChunk } from '@shared/kube-schemas';
import { appendLogChunks, NO_LOG_LINES, type LogLines } from './log-lines';
import { useSubscription } from './use-subscription';

type LogTopic = 'kube:podLogs' | 'swarm:logs';

/**
 * The lines of a log topic while the component is mounted. Other params (another pod, container
 * or follow mode) start a new stream and an empty view.
 */
export function useLogLines<T extends LogTopic>(topic: T, params: TopicParams<T>): LogLines {
  const key = `${topic}:${JSON.stringify(params)}`;
  const [state, setState] = useState({ key, log: NO_LOG_LINES });
  const update = (change: (log: LogLines) => LogLines) =>
    setState((prev) => ({ key, log: change(prev.key === key ? prev.log : NO_LOG_LINES) }));
  useSubscription(
    topic,
    params,
    // Both log topics carry LogChunk events (see the contract); T is one of them.
    (chunks) => update((log) => appendLogChunks(log, chunks as LogChunk[])),
    (error) => update((log) => ({ ...log, ended: error.message })),
  );
  return state.key === key ? state.log : NO_LOG_LINES;
}
