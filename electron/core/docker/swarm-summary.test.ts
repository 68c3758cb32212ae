import { describe, expect, it } from 'vitest';
import { swarmServiceSchema } from '@shared/swarm-schemas';
import { imageWithoutDigest, summarizeService, type EngineNode, type EngineTask } from './swarm-summary';

const node = (id: string, state: string, availability: string): EngineNode => ({
  ID: id,
  Spec: { Role: 'worker', Availability: availability },
  Status: { State: state },
});
const task = (state: string, desired: string): EngineTask => ({
  ID: `${state}-${desired}`,
  ServiceID: 's1',
  DesiredState: desired,
  Status: { State: state },
});

describe('service summaries', () => {
  it('strips the digest from images', () => {
    expect(imageWithoutDigest('nginx:1.27@sha256:' + 'a'.repeat(64))).toBe('nginx:1.27');
    expect(imageWithoutDigest('registry:5000/app:2')).toBe('registry:5000/app:2');
  });

  it('counts running tasks that should run, and eligible nodes for a global service', () => {
    const summary = summarizeService(
      {
        ID: 's1',
        UpdatedAt: '2025-01-01T00:00:00Z',
        Spec: {
          Name: 'agent',
          Mode: { Global: {} },
          TaskTemplate: { ContainerSpec: { Image: 'agent:1@sha256:' + 'b'.repeat(64) } },
        },
        Endpoint: { Ports: [{ PublishedPort: 8080, TargetPort: 80, Protocol: 'tcp' }, { TargetPort: 9 }] },
        UpdateStatus: { State: 'updating', Message: 'update in progress' },
      },
      [task('running', 'running'), task('running', 'shutdown'), task('starting', 'running')],
      [
        node('a', 'ready', 'active'),
        node('b', 'ready', 'drain'),
        node('c', 'down', 'active'),
        node('d', 'ready', 'active'),
      ],
    );
    expect(swarmServiceSchema.parse(summary)).toEqual({
      id: 's1',
      name: 'agent',
      mode: 'global',
      running: 1,
      desired: 2,
      image: 'agent:1',
      ports: [{ published: 8080, target: 80, protocol: 'tcp' }],
      update: { state: 'updating', message: 'update in progress' },
      updatedAt: '2025-01-01T00:00:00Z',
    });
  });
});
