import type { Handlers } from '@shared/contract';
import type { UserStacks } from '../core/user-stacks/service';
import type { StackDeploymentsList } from '@shared/deploy-schemas';

export type UserStackChannel = Extract<
  keyof Handlers,
  'stacks:deployments' | 'stacks:import-analyze' | 'stacks:user-save' | 'stacks:user-list' | 'stacks:user-remove'
>;

export interface UserStackHandlerDeps {
  userStacks: Pick<UserStacks, 'analyze' | 'save' | 'list' | 'remove'>;
  stackDeployments(): Promise<StackDeploymentsList>;
}

/** Bring your own stack (import a compose file, save it as a user stack) and where stacks are deployed. */
export function createUserStackHandlers(deps: UserStackHandlerDeps): Pick<Handlers, UserStackChannel> {
  return {
    'stacks:deployments': () => deps.stackDeployments(),
    'stacks:import-analyze': async (input) => deps.userStacks.analyze(input),
    'stacks:user-save': (input) => deps.userStacks.save(input),
    'stacks:user-list': async () => ({ stacks: await deps.userStacks.list() }),
    'stacks:user-remove': async ({ name }) => {
      await deps.userStacks.remove(name);
      return { removed: true as const };
    },
  };
}
