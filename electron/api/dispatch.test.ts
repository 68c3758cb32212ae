import { describe, expect, it, vi } from 'vitest';
import { channels, topics, type Handlers, type SubscriptionHandlers } from '@shared/contract';
import { HomeportError } from '../core/errors';
import { createDispatch, createSubscribe } from './dispatch';

const unused = async (): Promise<never> => {
  throw new Error('not called in these tests');
};

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const list = async () => ({ contexts: [], sources: [] });
  // Channels these tests do not call answer with an error if they ever are.
  const rest = Object.fromEntries(Object.keys(channels).map((c) => [c, unused])) as unknown as Handlers;
  return {
    ...rest,
    'app:info': async () => ({ name: 'Homeport', version: '1', mode: 'web', dataDir: '/d' }),
    'clusters:listContexts': list,
    'clusters:addKubeconfig': list,
    'clusters:removeKubeconfig': list,
    'clusters:testConnection': async ({ context }) => ({
      status: 'connected',
      context,
      server: 'https://x',
      gitVersion: 'v1',
      platform: 'linux/amd64',
      distribution: 'kubernetes',
      latencyMs: 1,
    }),
    'clusters:allowExec': list,
    'clusters:revokeExec': list,
    'kube:listNamespaces': async () => ({ namespaces: [] }),
    'kube:getPod': async () => {
      throw new HomeportError('NOT_FOUND', 'no pods here');
    },
    'kube:deletePod': async () => ({ deleted: true }),
    ...overrides,
  };
}

describe('dispatch', () => {
  it('rejects bad input with a message naming each field, before the handler runs', async () => {
    const testConnection = vi.fn();
    const dispatch = createDispatch(handlers({ 'clusters:testConnection': testConnection }));
    const result = await dispatch('clusters:testConnection', { context: '', timeoutMs: 5, token: 'x' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_INPUT');
    expect(result.error.message).toContain('Cluster: context name is required');
    expect(result.error.message).toContain('Timeout ms: ');
    expect(result.error.message).toContain('Token: not a field of this form');
    expect(testConnection).not.toHaveBeenCalled();
  });

  it('refuses unknown channels', async () => {
    const result = await createDispatch(handlers())('clusters:dropEverything', {});
    expect(result).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: "Unknown channel 'clusters:dropEverything'" },
    });
  });

  it('strips fields the contract does not name from the output, so a credential cannot leak', async () => {
    const leaky = handlers({
      'clusters:listContexts': async () =>
        ({ contexts: [], sources: [], token: 'secret' }) as unknown as Awaited<
          ReturnType<Handlers['clusters:listContexts']>
        >,
    });
    const result = await createDispatch(leaky)('clusters:listContexts', {});
    expect(result).toEqual({ ok: true, value: { contexts: [], sources: [] } });
  });

  it('turns domain errors into their code and message, and anything else into INTERNAL', async () => {
    const dispatch = createDispatch(
      handlers({
        'clusters:addKubeconfig': async () => {
          throw new HomeportError('INVALID_INPUT', "'path': nope");
        },
        'clusters:removeKubeconfig': async () => {
          throw new Error('boom');
        },
      }),
    );
    expect(await dispatch('clusters:addKubeconfig', { path: '/x' })).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: "'path': nope" },
    });
    expect(await dispatch('clusters:removeKubeconfig', { path: '/x' })).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
  });
});

describe('subscribe', () => {
  it('validates the topic and params and starts the subscription', () => {
    const stop = vi.fn();
    const subs: SubscriptionHandlers = {
      ...(Object.fromEntries(Object.keys(topics).map((t) => [t, () => stop])) as unknown as SubscriptionHandlers),
      'clusters:contextsChanged': (_p, emit) => {
        emit({ at: 'now' });
        return stop;
      },
      'kube:pods': () => stop,
      'kube:leases': () => stop,
      'kube:podLogs': () => stop,
    };
    const subscribe = createSubscribe(subs);
    const events: unknown[] = [];
    const started = subscribe('clusters:contextsChanged', {}, (e) => events.push(e));
    expect(started.ok && events).toEqual([{ at: 'now' }]);
    if (started.ok) started.stop();
    expect(stop).toHaveBeenCalled();
    expect(subscribe('nope', {}, () => {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(subscribe('clusters:contextsChanged', { x: 1 }, () => {})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });
});
