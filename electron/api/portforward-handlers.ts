import type { Handlers } from '@shared/contract';
import type { ForwardManager } from '../core/portforward/forwards';
import { guarded } from './errors';

type PortForwardChannel = Extract<keyof Handlers, `portforward:${string}`>;

/** Port-forwards from 127.0.0.1 to pods and Services: start, list, stop, and what a pod offers. */
export function createPortForwardHandlers(forwards: ForwardManager): Pick<Handlers, PortForwardChannel> {
  const context = (name: string) => ({ kind: 'context' as const, context: name });
  return {
    'portforward:start': (input) =>
      guarded(`${input.target.kind} ${input.target.name} in namespace ${input.namespace}`, context(input.context), () =>
        forwards.start({
          context: input.context,
          namespace: input.namespace,
          target: input.target,
          remote: input.remotePort,
          localPort: input.localPort ?? 0,
        }),
      ),
    'portforward:list': async () => ({ forwards: forwards.list() }),
    'portforward:stop': async ({ id }) => {
      await forwards.stop(id);
      return { forwards: forwards.list() };
    },
    'portforward:options': (ref) =>
      guarded(`Pod ${ref.namespace}/${ref.name}`, context(ref.context), () => forwards.options(ref)),
  };
}
