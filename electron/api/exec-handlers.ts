import type { Handlers, SubscriptionHandlers } from '@shared/contract';
import type { TerminalSessions } from '../core/exec/terminal-sessions';
import type { ConnectionAware } from './dispatch';

type ExecChannel = Extract<keyof Handlers, `exec:${string}`>;

/** Input, size, flow and end of the terminal sessions the exec:session topic starts. */
export function createExecHandlers({ terminals }: { terminals: TerminalSessions }): Pick<Handlers, ExecChannel> {
  return {
    'exec:input': async (input) => {
      const bytes = 'text' in input ? Buffer.from(input.text, 'utf8') : Buffer.from(input.base64, 'base64');
      await terminals.input(input.session, bytes);
      return { sent: true as const };
    },
    'exec:resize': async ({ session, size }) => {
      terminals.resize(session, size);
      return { resized: true as const };
    },
    'exec:ack': async ({ session, bytes }) => {
      terminals.ack(session, bytes);
      return { acked: true as const };
    },
    'exec:close': async ({ session }) => {
      terminals.close(session);
      return { closed: true as const };
    },
  };
}

export function createExecSubscriptions({
  terminals,
}: {
  terminals: TerminalSessions;
}): Pick<SubscriptionHandlers, 'exec:session'> {
  // A client without a name (none of the transports) shares one allowance with every other such client.
  const session: ConnectionAware<'exec:session'> = (params, emit, connection = 'unnamed') =>
    terminals.open(params, connection, emit);
  return { 'exec:session': session };
}
