import { describe, expect, it } from 'vitest';
import { DockerRequestError } from '../core/docker/client';
import { HomeportError } from '../core/errors';
import { KubeRequestError } from '../core/kube/kube-gateway';
import { ValuesError } from '../core/stacks/values-error';
import { guarded, userError } from './errors';

const home = { kind: 'context', context: 'home' } as const;
const swarm = { kind: 'swarm', endpoint: 'nas' } as const;
const k8s = { kind: 'kubernetes', context: 'home', namespace: 'media' } as const;

describe('userError', () => {
  it('names the object and the context of an API server failure', () => {
    const gone = userError(new KubeRequestError('http', 'pods "api-0" not found', 404), 'Pod media/api-0', home);
    expect(gone).toMatchObject({ code: 'NOT_FOUND', message: "Pod media/api-0 no longer exists in context 'home'" });
    const denied = userError(
      new KubeRequestError('http', 'pods "api-0" is forbidden: User "bob" cannot get resource "pods"', 403),
      'Pod media/api-0',
      home,
    );
    expect(denied.code).toBe('FORBIDDEN');
    expect(denied.message).toContain('Pod media/api-0');
    expect(denied.message).toContain('cannot get resource');
    const down = userError(
      new KubeRequestError('unreachable', 'Cannot reach https://10.0.0.1:6443'),
      "stack 'revenge'",
      k8s,
    );
    expect(down.code).toBe('UNAVAILABLE');
    expect(down.message).toContain("stack 'revenge' in namespace media of context 'home'");
  });

  it('names the endpoint of an engine failure and says how to fix a worker', () => {
    const worker = userError(
      new DockerRequestError('http', 'This node is not a swarm manager.', 503),
      "stack 'revenge'",
      swarm,
    );
    expect(worker.code).toBe('UNAVAILABLE');
    expect(worker.message).toContain('docker swarm init');
    expect(worker.message).toContain("swarm endpoint 'nas'");
    expect(userError(new DockerRequestError('http', 'no such service', 404), "service 'x'", swarm).code).toBe(
      'NOT_FOUND',
    );
  });

  it('keeps a Homeport error as it is, and wraps anything else as INTERNAL naming what failed', () => {
    const values = new ValuesError([{ path: 'api.replicas', message: 'must be a whole number' }]);
    expect(userError(values, "stack 'revenge'", k8s)).toBe(values);
    expect(values).toBeInstanceOf(HomeportError);
    const odd = userError(new TypeError('x is undefined'), "stack 'revenge'", swarm);
    expect(odd).toMatchObject({ code: 'INTERNAL' });
    expect(odd.message).toContain("stack 'revenge'");
  });

  it('guarded turns a rejection into the user error', async () => {
    await expect(
      guarded('Pod media/api-0', home, () => Promise.reject(new KubeRequestError('http', 'gone', 404))),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(guarded('x', home, async () => 7)).resolves.toBe(7);
  });
});
