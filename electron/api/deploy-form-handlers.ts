import type { Handlers } from '@shared/contract';
import { asReferences } from '../core/references/as-references';
import type { StackDeployments } from '../core/targets/stack-deployments';
import { guarded } from './errors';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the Deploy screen's values form starts from: the values of the stack's live revision. */
export function createDeployFormHandlers({
  deployments,
}: {
  deployments: Pick<StackDeployments, 'revisions'>;
}): Pick<Handlers, 'deploy:liveValues'> {
  return {
    'deploy:liveValues': (input) =>
      guarded(`the deployed values of stack '${input.stack}'`, input.target, async () => {
        // Revisions come newest first; the newest is the one the target runs.
        const live = (await deployments.revisions(input)).find((r) => r.current);
        if (!live) return { live: null };
        return {
          live: {
            revision: live.revision,
            appliedAt: live.appliedAt,
            values: isObject(live.values) ? asReferences(live.values) : {},
          },
        };
      }),
  };
}
