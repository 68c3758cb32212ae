import type { LogChunk } from '@shared/kube-schemas';

/** A chatty process can write thousands of lines a second; one chunk never carries more. */
export const MAX_LINES_PER_CHUNK = 1_000;

/**
 * Gathers log lines and emits them as `lines` chunks: every `batchMs`, or at once when a chunk is
 * full. Nothing is emitted once `stopped()` says so.
 */
export function createLineBatcher(emit: (chunk: LogChunk) => void, opts: { batchMs: number; stopped(): boolean }) {
  let buffer: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    while (buffer.length && !opts.stopped()) {
      const lines = buffer.length > MAX_LINES_PER_CHUNK ? buffer.splice(0, MAX_LINES_PER_CHUNK) : buffer;
      if (lines === buffer) buffer = [];
      emit({ type: 'lines', lines });
    }
  };
  return {
    push(line: string) {
      buffer.push(line);
      if (buffer.length >= MAX_LINES_PER_CHUNK) flush();
      else timer ??= setTimeout(flush, opts.batchMs);
    },
    flush,
    /** Drops what is gathered and any pending flush. */
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      buffer = [];
    },
  };
}
