/**
 * The Swarm screen's service actions against the real test engine: scale a replicated service,
 * refuse to scale a global one, restart by force update (ForceUpdate + 1, new tasks), remove.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../docker/client';
import { STANDIN_IMAGE } from '../docker/testing/dockerd';
import { testEngine } from '../docker/testing/engine';
import { engineApi } from './engine-api';
import { createServiceActions } from './service-actions';

const engine = testEngine();
const openClient = async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
const actions = createServiceActions({ openClient });
const suffix = randomBytes(3).toString('hex');
const created: string[] = [];

async function createService(
  name: string,
  mode: 'replicated' | 'global',
  labels: Record<string, string> = {},
): Promise<string> {
  const client = await openClient();
  try {
    const { ID } = await engineApi(client).createService({
      Name: name,
      Labels: { 'homeport.test': 'service-actions', ...labels },
      TaskTemplate: { ContainerSpec: { Image: STANDIN_IMAGE } },
      Mode: mode === 'replicated' ? { Replicated: { Replicas: 1 } } : { Global: {} },
    });
    created.push(ID);
    return ID;
  } finally {
    client.close();
  }
}

interface Inspected {
  Spec: {
    Mode?: unknown;
    TaskTemplate: { ForceUpdate?: number; ContainerSpec: { Image: string } };
  };
}

async function inspect(id: string): Promise<Inspected> {
  const client = await openClient();
  try {
    return (await engineApi(client).service(id)) as unknown as Inspected;
  } finally {
    client.close();
  }
}

afterAll(async () => {
  for (const id of created) await engine.docker(['service', 'rm', id]).catch(() => undefined);
});

describe('Swarm service actions', () => {
  it('scales one instance of a stack component to 0 or 1 only', async () => {
    const name = `actions-etcd-1-${suffix}`;
    const id = await createService(name, 'replicated', {
      'homeport.dev/component': 'etcd',
      'homeport.dev/instance': '1',
    });
    await expect(actions.scale('local', name, 2)).rejects.toThrow(
      `Service ${name} is instance 1 of 'etcd', with its own name and data: it runs at most one task. ` +
        "To add instances, raise 'etcd' replicas in the stack's values and deploy again.",
    );
    expect((await inspect(id)).Spec.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(await actions.scale('local', name, 0)).toEqual({ replicas: 0 });
    expect((await inspect(id)).Spec.Mode).toEqual({ Replicated: { Replicas: 0 } });
  });

  it('scales a replicated service by name, restarts it with ForceUpdate + 1, and removes it', async () => {
    const name = `actions-web-${suffix}`;
    const id = await createService(name, 'replicated');
    expect(await actions.scale('local', name, 3)).toEqual({ replicas: 3 });
    expect((await inspect(id)).Spec.Mode).toEqual({ Replicated: { Replicas: 3 } });

    const before = (await inspect(id)).Spec.TaskTemplate.ForceUpdate ?? 0;
    expect(await actions.forceUpdate('local', id)).toEqual({ forceUpdate: before + 1 });
    const after = await inspect(id);
    expect(after.Spec.TaskTemplate.ForceUpdate).toBe(before + 1);
    expect(after.Spec.TaskTemplate.ContainerSpec.Image).toBe(STANDIN_IMAGE);
    expect(after.Spec.Mode).toEqual({ Replicated: { Replicas: 3 } });

    expect(await actions.remove('local', id)).toEqual({ removed: true });
    expect(await engine.docker(['service', 'ls', '--filter', `name=${name}`, '--format', '{{.Name}}'])).toBe('');
    await expect(actions.remove('local', id)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses to scale a global service, saying why, and leaves it as it was', async () => {
    const name = `actions-agent-${suffix}`;
    const id = await createService(name, 'global');
    await expect(actions.scale('local', id, 2)).rejects.toThrow(
      `Service ${name} is global (one task per node): only a replicated service can be scaled`,
    );
    expect((await inspect(id)).Spec.Mode).toEqual({ Global: {} });
  });
});
