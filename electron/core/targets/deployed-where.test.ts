import { describe, expect, it } from 'vitest';
import { deployedWhere } from './deployed-where';

describe('where stacks are deployed', () => {
  it('lists every target with a revision record of each stack, and who did not answer', async () => {
    const result = await deployedWhere(
      {
        kubeContexts: async () => ['home', 'lab', 'down'],
        kubeRevisions: async (context) => {
          if (context === 'down') throw new Error('connect ECONNREFUSED');
          if (context === 'lab') return new Promise(() => {});
          return [
            { namespace: 'media', stack: 'revenge' },
            { namespace: 'media', stack: 'revenge' },
            { namespace: 'pics', stack: 'photos' },
            { namespace: 'x', stack: 'someone-elses' },
          ];
        },
        swarmEndpoints: async () => ['nas'],
        swarmRevisions: async () => [{ stack: 'photos' }],
        timeoutMs: 50,
      },
      ['revenge', 'photos', 'films'],
    );
    expect(result).toEqual({
      stacks: [
        { stack: 'revenge', targets: [{ kind: 'kubernetes', context: 'home', namespace: 'media' }] },
        {
          stack: 'photos',
          targets: [
            { kind: 'kubernetes', context: 'home', namespace: 'pics' },
            { kind: 'swarm', endpoint: 'nas' },
          ],
        },
        { stack: 'films', targets: [] },
      ],
      unreachable: [
        { where: "context 'down'", message: 'connect ECONNREFUSED' },
        { where: "context 'lab'", message: 'no answer within 0.05 s' },
      ],
    });
  });
});
