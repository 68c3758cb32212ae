import type { CommandResultEvent } from '@shared/exec-schemas';

export interface SessionEnd {
  tone: 'ok' | 'warn' | 'error';
  text: string;
}

/**
 * Why a terminal session ended, in the user's words; `program` is the command's first word, and
 * `closed` says the user ended the session (the shell then exits on its end of input, or is cut off).
 */
export function describeSessionEnd(result: CommandResultEvent, program: string, closed = false): SessionEnd {
  if (closed && (result.kind !== 'failed' || result.reason === 'cancelled'))
    return { tone: 'ok', text: 'Session closed.' };
  switch (result.kind) {
    case 'exited':
      return { tone: result.code === 0 ? 'ok' : 'warn', text: `${program} exited with code ${result.code}.` };
    case 'signaled':
      return { tone: 'warn', text: `${program} was killed by ${result.signal}.` };
    case 'failed':
      if (result.reason === 'cancelled') return { tone: 'ok', text: 'Session closed.' };
      if (result.reason === 'no-executable') {
        return {
          tone: 'error',
          text:
            `This container has no ${program}: ${result.message}. ` +
            'Pick another shell (for example /bin/bash or /bin/ash); an image built without a shell (distroless, scratch) cannot open one.',
        };
      }
      if (result.reason === 'connection-lost') {
        return { tone: 'error', text: `The connection to the shell was lost: ${result.message}` };
      }
      return { tone: 'error', text: `Could not open ${program}: ${result.message}` };
  }
}
