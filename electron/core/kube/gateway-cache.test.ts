import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGatewayCache } from './gateway-cache';
import type { KubeGateway } from './kube-gateway';

afterEach(() => vi.useRealTimers());

describe('gateway cache', () => {
  it('shares one gateway per context and closes it once idle', async () => {
    vi.useFakeTimers();
    const closed: string[] = [];
    const open = vi.fn(async (context: string) => ({ close: () => closed.push(context) }) as unknown as KubeGateway);
    const cache = createGatewayCache(open, 1000);
    const a = await cache.get('home');
    expect(await cache.get('home')).toBe(a);
    expect(open).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(closed).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(closed).toEqual(['home']);
    await cache.get('home');
    expect(open).toHaveBeenCalledTimes(2);
    cache.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toEqual(['home', 'home']);
  });

  it('does not keep a failed open', async () => {
    let fail = true;
    const cache = createGatewayCache(async () => {
      if (fail) throw new Error('unreachable');
      return { close: () => {} } as unknown as KubeGateway;
    });
    await expect(cache.get('home')).rejects.toThrow('unreachable');
    fail = false;
    await expect(cache.get('home')).resolves.toBeDefined();
    cache.close();
  });
});
