/** Helpers for the API server's answers: response bodies, watch events, log lines. */

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  /** A Kubernetes object, or a Status for ERROR. */
  object: KubeObject;
}

/** The parts of any Kubernetes object the live views read. Everything else is ignored. */
export interface KubeObject {
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean; uid?: string }[];
  };
  /** Present on ERROR events (a Status object). */
  code?: number;
  message?: string;
  reason?: string;
}

/** Buffers kept for the next bodies, and for how long they are kept when no body comes. */
const POOL_SIZE = 4;
const POOL_MAX_BYTES = 16 * 1024 * 1024;
const POOL_IDLE_MS = 10_000;
const pool: Buffer[] = [];
let poolTimer: NodeJS.Timeout | undefined;

function giveBack(buffer: Buffer) {
  if (pool.length < POOL_SIZE && buffer.length <= POOL_MAX_BYTES) pool.push(buffer);
  clearTimeout(poolTimer);
  poolTimer = setTimeout(() => (pool.length = 0), POOL_IDLE_MS).unref();
}

/**
 * Collects a response body and gives its text. Each chunk is copied into one buffer as it arrives,
 * so the socket's own buffers are garbage at once and the body is decoded in one go at the end.
 * The buffers are pooled: a fresh one per 2 MB list page would leave the C heap holding memory the
 * process no longer uses. The text is decoded as UTF-8 into the JS heap; Latin-1, faster for ASCII,
 * is not used, as Node keeps large Latin-1 strings in the C heap, which stayed with the process.
 */
export function createBodyText(
  /** Rewrites the body's bytes in place before they are decoded, and gives their new length. */
  rewrite?: (bytes: Buffer, size: number) => number,
): { write(chunk: Buffer): void; text(): string } {
  let buffer: Buffer | undefined;
  let size = 0;
  return {
    write(chunk) {
      if (!buffer) buffer = pool.pop() ?? Buffer.allocUnsafeSlow(Math.max(256 * 1024, chunk.length));
      if (size + chunk.length > buffer.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(buffer.length * 2, size + chunk.length));
        buffer.copy(bigger, 0, 0, size);
        buffer = bigger;
      }
      size += chunk.copy(buffer, size);
    },
    text() {
      if (!buffer) return '';
      const text = buffer.toString('utf8', 0, rewrite ? rewrite(buffer, size) : size);
      giveBack(buffer);
      buffer = undefined;
      return text;
    },
  };
}

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

export function parseWatchEvent(line: string): WatchEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`The API server sent a watch event that is not JSON: ${line.slice(0, 120)}`);
  }
  const event = parsed as Partial<WatchEvent> | null;
  if (!event || typeof event.type !== 'string' || !WATCH_TYPES.has(event.type) || typeof event.object !== 'object') {
    throw new Error(`The API server sent a malformed watch event: ${line.slice(0, 120)}`);
  }
  return event as WatchEvent;
}

/**
 * Splits a chunked text stream into lines without rescanning: each chunk is searched once, and
 * only the unfinished tail is kept between chunks.
 */
export function splitLines(onLine: (line: string) => void, keepEmpty = false) {
  let tail = '';
  return {
    push(chunk: string) {
      let start: number;
      let nl = chunk.indexOf('\n');
      if (nl === -1) {
        tail += chunk;
        return;
      }
      let first = tail + chunk.slice(0, nl);
      tail = '';
      for (;;) {
        const line = first.endsWith('\r') ? first.slice(0, -1) : first;
        if (line || keepEmpty) onLine(line);
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
        if (nl === -1) break;
        first = chunk.slice(start, nl);
      }
      tail = chunk.slice(start);
    },
    /** Delivers a last line that had no newline. */
    end() {
      if (tail) onLine(tail);
      tail = '';
    },
  };
}

/**
 * For a watch nobody looks at: the body is read in bursts at most every `ms()` milliseconds, the
 * socket paused in between while the kernel holds what arrives, so a busy cluster wakes the process
 * a few times a second instead of on every event. 0 reads as data comes.
 */
export interface StreamPace {
  ms(): number;
  /** The stream hands over how to end a pause at once (someone started looking). */
  onWake(resume: () => void): void;
}

/**
 * Paces the reading of one response body: `afterData` after each chunk pauses it at the end of
 * that turn (everything the kernel held has been read by then) for `pace.ms()`, at most
 * `maxPauseMs`; `stop` when the stream has ended.
 */
export function pacedReading(body: { pause(): void; resume(): void }, pace: StreamPace, maxPauseMs: number) {
  let timer: NodeJS.Timeout | undefined;
  let queued = false;
  let stopped = false;
  const resume = () => {
    if (!timer || stopped) return;
    clearTimeout(timer);
    timer = undefined;
    body.resume();
  };
  pace.onWake(resume);
  return {
    afterData() {
      const ms = Math.min(pace.ms(), maxPauseMs);
      if (ms <= 0 || queued || timer) return;
      queued = true;
      setImmediate(() => {
        queued = false;
        if (stopped || timer) return;
        body.pause();
        timer = setTimeout(resume, ms);
      });
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
