import {
  channels,
  isChannel,
  isTopic,
  topics,
  type ApiError,
  type Envelope,
  type Handlers,
  type SubscriptionHandlers,
  type Topic,
} from '@shared/contract';
import { describeForScreen } from '@shared/field-labels';
import { errorMessage, HomeportError } from '../core/errors';

export type Dispatch = (channel: string, input: unknown) => Promise<Envelope<unknown>>;

/**
 * The one path every call takes, whatever the transport: check the channel exists, validate the
 * input with the contract's schema, run the handler, and parse the output with the contract's
 * schema (which strips any field the contract does not name) into an envelope.
 */
export function createDispatch(handlers: Handlers, log: (msg: string) => void = () => {}): Dispatch {
  return async (channel, input) => {
    if (!isChannel(channel)) {
      return { ok: false, error: { code: 'NOT_FOUND', message: `Unknown channel '${channel}'` } };
    }
    const spec = channels[channel];
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        // The fields by their on-screen labels: the user reads this next to the form they filled.
        error: { code: 'INVALID_INPUT', message: describeForScreen(parsed.error, channel) },
      };
    }
    try {
      // The handler map is indexed by the same key as the schema map, so the pairing holds.
      const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
      const value = spec.output.parse(await handler(parsed.data));
      return { ok: true, value };
    } catch (err) {
      if (err instanceof HomeportError) {
        return { ok: false, error: { code: err.code, message: err.message } };
      }
      log(`${channel} failed: ${errorMessage(err)}`);
      return { ok: false, error: { code: 'INTERNAL', message: `${channel} failed: ${errorMessage(err)}` } };
    }
  };
}

/**
 * `connection` names the client holding the subscription (one web-mode WebSocket, one Electron
 * window), for what a client may hold at once and what ends with it (terminal sessions).
 */
export type Subscribe = (
  topic: string,
  params: unknown,
  emit: (event: unknown) => void,
  connection?: string,
) => { ok: true; stop: () => void } | { ok: false; error: ApiError };

/** A subscription handler that needs to know its client; the others ignore the argument. */
export type ConnectionAware<T extends Topic> = (
  params: Parameters<SubscriptionHandlers[T]>[0],
  emit: Parameters<SubscriptionHandlers[T]>[1],
  connection?: string,
) => () => void;

/** Validates a subscription request against the contract and starts it; a refusal at the start is its error. */
export function createSubscribe(subscriptions: SubscriptionHandlers): Subscribe {
  return (topic, params, emit, connection) => {
    if (!isTopic(topic)) {
      return { ok: false, error: { code: 'NOT_FOUND', message: `Unknown topic '${topic}'` } };
    }
    const parsed = topics[topic].params.safeParse(params ?? {});
    if (!parsed.success) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: describeForScreen(parsed.error, topic) } };
    }
    const start = subscriptions[topic as Topic] as (p: unknown, e: (ev: unknown) => void, c?: string) => () => void;
    try {
      return { ok: true, stop: start(parsed.data, emit, connection) };
    } catch (err) {
      if (err instanceof HomeportError) return { ok: false, error: { code: err.code, message: err.message } };
      return { ok: false, error: { code: 'INTERNAL', message: `${topic} failed: ${errorMessage(err)}` } };
    }
  };
}
