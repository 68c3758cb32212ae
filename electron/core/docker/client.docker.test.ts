import { describe, expect, it } from 'vitest';
import { createDockerClient, DockerRequestError } from './client';
import { testEngine } from './testing/engine';

const engine = testEngine();

describe('Docker client over a unix socket', () => {
  it('reads the engine version and swarm state', async () => {
    const client = createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
    const version = await client.request<{ Version: string; ApiVersion: string }>('/version');
    expect(version.Version).toMatch(/^\d+\.\d+/);
    const info = await client.request<{ Swarm: { LocalNodeState: string; ControlAvailable: boolean } }>('/info');
    expect(info.Swarm).toMatchObject({ LocalNodeState: 'active', ControlAvailable: true });
    client.close();
  });

  it('gives the engine message and status for a refused request', async () => {
    const client = createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
    const err = await client.request('/services/no-such-service').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerRequestError);
    expect(err).toMatchObject({ status: 404, reason: 'http' });
    expect((err as Error).message).toMatch(/service no-such-service not found/);
    client.close();
  });

  it('names a missing socket and what to check', async () => {
    const client = createDockerClient({ kind: 'unix', socketPath: '/nonexistent/docker.sock' });
    await expect(client.request('/version')).rejects.toThrow(
      'Cannot reach the Docker engine at unix:///nonexistent/docker.sock (ENOENT)',
    );
  });
});

describe('Docker client and a long-lived abort signal', () => {
  it('does not pile up listeners on a signal shared by many requests', async () => {
    const client = createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
    const controller = new AbortController();
    let listeners = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof remove;
    for (let i = 0; i < 20; i++) await client.request('/version', { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    expect(listeners).toBe(0);
    client.close();
  });
});
