/**
 * `homeport serve` stopping within a bound: when a step of stopping (the web server, the cluster
 * connections, the sandbox's pods) does not finish in time, what it was stuck in is reported.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stopDeadline } from './serve-command';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('stopDeadline', () => {
  it('reports the step that was still running when the time ran out', () => {
    const overdue = vi.fn();
    const stopping = stopDeadline(10_000, overdue);
    stopping.step('closing the web server');
    vi.advanceTimersByTime(4_000);
    stopping.step("removing the sandbox's pods");
    vi.advanceTimersByTime(5_999);
    expect(overdue).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(overdue).toHaveBeenCalledExactlyOnceWith("removing the sandbox's pods");
  });

  it('reports nothing once stopping is done in time', () => {
    const overdue = vi.fn();
    const stopping = stopDeadline(10_000, overdue);
    stopping.step('closing the web server');
    stopping.done();
    vi.advanceTimersByTime(60_000);
    expect(overdue).not.toHaveBeenCalled();
  });
});
