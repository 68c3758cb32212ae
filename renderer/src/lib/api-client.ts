import type { HomeportBridge } from '@shared/bridge';
import type {
  ApiError,
  Channel,
  ChannelInput,
  ChannelOutput,
  Envelope,
  Topic,
  TopicEvent,
  TopicParams,
} from '@shared/contract';
import { checkInput } from './check-input';
import { createWebBridge, takeSessionToken } from './web-bridge';

declare global {
  interface Window {
    homeport?: HomeportBridge;
  }
}

export class ApiCallError extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

// The desktop preload provides window.homeport; in a browser, web mode provides the same shape.
const bridge: HomeportBridge = window.homeport ?? createWebBridge(takeSessionToken());

export const isDesktop = window.homeport !== undefined;

export async function invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  const refused = checkInput(channel, input);
  if (refused !== undefined) throw new ApiCallError('INVALID_INPUT', refused);
  let envelope: Envelope<ChannelOutput<C>>;
  try {
    envelope = (await bridge.invoke(channel, input)) as Envelope<ChannelOutput<C>>;
  } catch (err) {
    throw new ApiCallError('UNAVAILABLE', `Homeport did not answer ${channel}: ${String(err)}`);
  }
  if (!envelope.ok) throw new ApiCallError(envelope.error.code, envelope.error.message);
  return envelope.value;
}

export function subscribe<T extends Topic>(
  topic: T,
  params: TopicParams<T>,
  onEvents: (events: TopicEvent<T>[]) => void,
  onError?: (error: ApiError) => void,
): () => void {
  return bridge.subscribe(topic, params, (message) => {
    if (message.type === 'events') onEvents(message.events as TopicEvent<T>[]);
    else onError?.(message.error as ApiError);
  });
}
