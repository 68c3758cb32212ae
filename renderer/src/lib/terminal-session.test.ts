import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExecEvent } from '@shared/exec-schemas';

/** What the session sends, with each call held open until the test lets it finish. */
const calls: { channel: string; input: Record<string, unknown>; finish: () => void }[] = [];
let push: (events: ExecEvent[]) => void = () => {};
const unsubscribed = vi.fn();

vi.mock('./api-client', () => ({
  invoke: (channel: string, input: Record<string, unknown>) =>
    new Promise<unknown>((resolve) => calls.push({ channel, input, finish: () => resolve({}) })),
  subscribe: (_topic: string, _params: unknown, onEvents: (events: ExecEvent[]) => void) => {
    push = onEvents;
    return unsubscribed;
  },
}));

const { openTerminalSession } = await import('./terminal-session');

const SESSION = '123e4567-e89b-42d3-a456-426614174000';
const params = {
  target: { kind: 'swarm', endpoint: 'nas' },
  workload: { task: 't1' },
  size: { cols: 80, rows: 24 },
} as const;
const settle = () => new Promise((r) => setTimeout(r, 0));
const of = (channel: string) => calls.filter((c) => c.channel === channel);

function open() {
  const drawn: (() => void)[] = [];
  const ended = vi.fn();
  const session = openTerminalSession(params, {
    session: () => {},
    started: () => {},
    output: (_bytes, done) => drawn.push(done),
    ended,
    failed: () => {},
  });
  return { session, drawn, ended };
}

beforeEach(() => {
  calls.length = 0;
  unsubscribed.mockClear();
});

describe('a terminal session in the renderer', () => {
  it('sends keys in order, one call at a time, what was typed meanwhile in the next call', async () => {
    const { session } = open();
    session.write('e');
    expect(calls).toHaveLength(0); // no session id yet: the keys wait
    push([{ type: 'session', session: SESSION }]);
    session.write('c');
    session.write('ho');
    expect(of('exec:input').map((c) => c.input.text)).toEqual(['e']);
    of('exec:input')[0]!.finish();
    await settle();
    expect(of('exec:input').map((c) => c.input.text)).toEqual(['e', 'cho']);
  });

  it('sends bytes that are not text (mouse reports) as base64, in order with the keys around them', async () => {
    const { session } = open();
    push([{ type: 'session', session: SESSION }]);
    session.write('a');
    session.writeBytes('\x1b[M\xff\x80');
    session.write('b');
    for (let i = 0; i < 2; i++) {
      of('exec:input')[i]!.finish();
      await settle();
    }
    expect(of('exec:input').map((c) => c.input)).toEqual([
      { session: SESSION, text: 'a' },
      { session: SESSION, base64: btoa('\x1b[M\xff\x80') },
      { session: SESSION, text: 'b' },
    ]);
  });

  it('splits a long paste into calls the contract takes, never inside a surrogate pair', async () => {
    const { session } = open();
    push([{ type: 'session', session: SESSION }]);
    const paste = `${'a'.repeat(32 * 1024 - 1)}😀${'b'.repeat(10)}`;
    session.write(paste);
    const sent: string[] = [];
    for (let i = 0; i < 3 && of('exec:input')[i]; i++) {
      sent.push(of('exec:input')[i]!.input.text as string);
      of('exec:input')[i]!.finish();
      await settle();
    }
    expect(sent[0]).toHaveLength(32 * 1024 - 1);
    expect(sent.join('')).toBe(paste);
  });

  it('acknowledges output once drawn, in steps, and sends only the latest size', async () => {
    const { session, drawn } = open();
    push([{ type: 'session', session: SESSION }]);
    const chunk = btoa('x'.repeat(40 * 1024));
    push([
      { type: 'output', base64: chunk },
      { type: 'output', base64: chunk },
    ]);
    expect(of('exec:ack')).toHaveLength(0); // received is not drawn
    drawn[0]!();
    expect(of('exec:ack')).toHaveLength(0); // 40 KB drawn: below a step
    drawn[1]!();
    expect(of('exec:ack').map((c) => c.input)).toEqual([{ session: SESSION, bytes: 80 * 1024 }]);

    session.resize({ cols: 100, rows: 30 });
    session.resize({ cols: 110, rows: 31 });
    session.resize({ cols: 120, rows: 32 });
    of('exec:resize')[0]!.finish();
    await settle();
    expect(of('exec:resize').map((c) => c.input.size)).toEqual([
      { cols: 100, rows: 30 },
      { cols: 120, rows: 32 },
    ]);
  });

  it('lets go of the subscription when the command ends, and says whether the user closed it', () => {
    const { session, ended } = open();
    push([{ type: 'session', session: SESSION }]);
    session.close();
    expect(of('exec:close').map((c) => c.input)).toEqual([{ session: SESSION }]);
    push([{ type: 'ended', result: { kind: 'exited', code: 0 } }]);
    expect(ended).toHaveBeenCalledWith({ kind: 'exited', code: 0 }, true);
    expect(unsubscribed).toHaveBeenCalledTimes(1);
    session.write('late');
    session.dispose();
    expect(of('exec:input')).toHaveLength(0);
    expect(unsubscribed).toHaveBeenCalledTimes(1);
  });
});
