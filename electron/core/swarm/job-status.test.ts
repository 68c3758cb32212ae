import { describe, expect, it } from 'vitest';
import type { LiveService, LiveTask } from './engine-api';
import { jobOutcome } from './job-status';

const service = (restart: { Condition: 'on-failure' | 'none'; MaxAttempts: number }) =>
  ({
    ID: 'svc',
    Version: { Index: 1 },
    Spec: {
      Name: 's_migrate-0123abcd',
      Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
      TaskTemplate: { RestartPolicy: { ...restart, Delay: 0 } },
    },
  }) as unknown as LiveService;
let n = 0;
const task = (State: string, Err?: string): LiveTask => ({
  ID: `t${++n}`,
  ServiceID: 'svc',
  DesiredState: 'complete',
  Status: { State, ...(Err ? { Err } : {}) },
  Spec: {},
});
const retried = service({ Condition: 'on-failure', MaxAttempts: 2 });

describe('one-shot job outcome', () => {
  it('is done when its task completed', () => {
    expect(jobOutcome(retried, 'migrate', [task('complete'), task('failed', 'x')])).toEqual({
      state: 'done',
      status: { kind: 'Job', name: 's_migrate-0123abcd', ready: 1, desired: 1, message: 'completed' },
    });
  });

  it('is still going while attempts are left or one runs', () => {
    const going = jobOutcome(retried, 'migrate', [task('running'), task('failed', 'task: non-zero exit (3)')]);
    expect(going.state).toBe('progressing');
    expect(going.status.message).toBe('attempt 2 of 3: running (last failure: task: non-zero exit (3))');
    expect(jobOutcome(retried, 'migrate', [task('failed', 'e'), task('failed', 'e')]).state).toBe('progressing');
    expect(jobOutcome(retried, 'migrate', []).status.message).toBe('waiting for its task');
  });

  it('fails after every attempt its restart policy allows', () => {
    const out = jobOutcome(retried, 'migrate', [
      task('failed', 'task: non-zero exit (3)'),
      task('failed', 'task: non-zero exit (3)'),
      task('failed', 'task: non-zero exit (3)'),
    ]);
    expect(out.state).toBe('failed');
    expect(out.status.message).toBe("job 'migrate' failed after 3 attempts: task: non-zero exit (3)");
    const once = jobOutcome(service({ Condition: 'none', MaxAttempts: 0 }), 'migrate', [task('failed', 'boom')]);
    expect(once).toMatchObject({ state: 'failed', status: { message: "job 'migrate' failed after 1 attempt: boom" } });
    // MaxAttempts 0 under on-failure is no limit: never failed for good.
    const endless = service({ Condition: 'on-failure', MaxAttempts: 0 });
    expect(jobOutcome(endless, 'migrate', [task('failed', 'e'), task('failed', 'e')]).state).toBe('progressing');
  });
});
