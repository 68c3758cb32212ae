import { describe, expect, it } from 'vitest';
import { describeSessionEnd } from './terminal-end';

describe('why a terminal session ended', () => {
  it('says the container has no such shell, with the runtime words naming pod and container, and what to do', () => {
    const message = `pod web (container app) in namespace default of context 'c': exec: "/bin/bash": stat /bin/bash: no such file or directory`;
    const end = describeSessionEnd({ kind: 'failed', reason: 'no-executable', message }, '/bin/bash');
    expect(end.tone).toBe('error');
    expect(end.text).toContain(`This container has no /bin/bash: ${message}`);
    expect(end.text).toContain('Pick another shell');
  });

  it('names the failure of a session that could not open, and an exit or a signal plainly', () => {
    const message = 'task media_web.1 (0abc) of service media_web runs on node nas-2; connect an endpoint to that node';
    expect(describeSessionEnd({ kind: 'failed', reason: 'other-node', message }, '/bin/sh')).toEqual({
      tone: 'error',
      text: `Could not open /bin/sh: ${message}`,
    });
    expect(describeSessionEnd({ kind: 'exited', code: 0 }, '/bin/sh')).toEqual({
      tone: 'ok',
      text: '/bin/sh exited with code 0.',
    });
    expect(describeSessionEnd({ kind: 'exited', code: 130 }, '/bin/sh').tone).toBe('warn');
    expect(describeSessionEnd({ kind: 'signaled', signal: 'SIGKILL', code: 137 }, 'sh').text).toBe(
      'sh was killed by SIGKILL.',
    );
    expect(describeSessionEnd({ kind: 'failed', reason: 'cancelled', message: 'x' }, 'sh').text).toBe(
      'Session closed.',
    );
  });

  it('a session the user ended is closed, however the shell took its end of input; a failure still shows', () => {
    expect(describeSessionEnd({ kind: 'exited', code: 0 }, 'sh', true).text).toBe('Session closed.');
    expect(describeSessionEnd({ kind: 'exited', code: 130 }, 'sh', true).text).toBe('Session closed.');
    const lost = { kind: 'failed', reason: 'connection-lost', message: 'task t: the connection was lost' } as const;
    expect(describeSessionEnd(lost, 'sh', true).tone).toBe('error');
  });
});
