import { describe, expect, it, vi } from 'vitest';
import { channels } from '@shared/contract';
import type { Dispatch, Subscribe } from '../api/dispatch';
import { isOwnOrigin, registerIpcTransport, type IpcEvent, type IpcMainLike, type IpcSender } from './ipc';

const APP_URL = 'app://homeport/index.html';

function fakeIpcMain() {
  const handles = new Map<string, (event: IpcEvent, input: unknown) => Promise<unknown>>();
  const listeners = new Map<string, (event: IpcEvent, message: unknown) => void>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void handles.set(channel, listener),
    on: (channel, listener) => void listeners.set(channel, listener),
  };
  return { ipcMain, handles, listeners };
}

function sender(): IpcSender & { sent: unknown[][] } {
  const sent: unknown[][] = [];
  return {
    id: 1,
    sent,
    send: (...args: unknown[]) => void sent.push(args),
    isDestroyed: () => false,
    once: () => undefined,
  };
}

describe('IPC transport', () => {
  it('registers a handler for every contract channel', () => {
    const { ipcMain, handles } = fakeIpcMain();
    registerIpcTransport({ ipcMain, dispatch: vi.fn(), subscribe: vi.fn(), appUrl: APP_URL });
    expect([...handles.keys()].sort()).toEqual(Object.keys(channels).sort());
  });

  it('answers the app page and refuses any other sender frame without running a handler', async () => {
    const { ipcMain, handles } = fakeIpcMain();
    const dispatch = vi.fn<Dispatch>(async () => ({ ok: true, value: 'done' }));
    registerIpcTransport({ ipcMain, dispatch, subscribe: vi.fn(), appUrl: APP_URL });
    const call = handles.get('app:info');
    const from = (url: string | null): IpcEvent => ({ senderFrame: url === null ? null : { url }, sender: sender() });
    expect(await call?.(from('app://homeport/index.html#/x'), {})).toEqual({ ok: true, value: 'done' });
    for (const url of ['https://evil.example/', 'app://other/index.html', 'file:///etc/passwd', 'about:blank', null]) {
      expect(await call?.(from(url), {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(dispatch).toHaveBeenCalledTimes(1);
  });

  it('starts subscriptions only for the app page and pushes batched events to it', async () => {
    const { ipcMain, listeners } = fakeIpcMain();
    let emit: ((e: unknown) => void) | undefined;
    const subscribe = vi.fn<Subscribe>((_t, _p, e) => {
      emit = e;
      return { ok: true, stop: () => {} };
    });
    registerIpcTransport({ ipcMain, dispatch: vi.fn(), subscribe, appUrl: APP_URL, batchIntervalMs: 5 });
    const foreign = sender();
    listeners.get('homeport:subscribe')?.(
      { senderFrame: { url: 'https://evil.example' }, sender: foreign },
      { id: 's1', topic: 't' },
    );
    expect(subscribe).not.toHaveBeenCalled();
    const own = sender();
    listeners.get('homeport:subscribe')?.({ senderFrame: { url: APP_URL }, sender: own }, { id: 's1', topic: 't' });
    emit?.({ n: 1 });
    await vi.waitFor(() =>
      expect(own.sent).toEqual([['homeport:push', [{ type: 'events', id: 's1', events: [{ n: 1 }] }]]]),
    );
  });

  it('compares scheme and host exactly', () => {
    expect(isOwnOrigin('http://localhost:5173/', 'http://localhost:5173/')).toBe(true);
    expect(isOwnOrigin('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isOwnOrigin('not a url', APP_URL)).toBe(false);
    expect(isOwnOrigin(undefined, APP_URL)).toBe(false);
  });
});
