import {
  channels,
  describeIssues,
  isChannel,
  isTopic,
  topics,
  type ApiError,
  type Envelope,
  type Handlers,
  type SubscriptionHandlers,
  type Topic,
} from '@shared/contract';
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
        error: { code: 'INVALID_INPUT', message: describeIssues(parsed.error, channel) },
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

export type Subscribe = (
  topic: string,
  params: unknown,
  emit: (event: unknown) => void,
) => { ok: true; stop: () => void } | { ok: false; error: ApiError };

/** Validates a subscription request against the contract and starts it. */
export function createSubscribe(subscriptions: SubscriptionHandlers): Subscribe {
  return (topic, params, emit) => {
    if (!isTopic(topic)) {
      return { ok: false, error: { code: 'NOT_FOUND', message: `Unknown topic '${topic}'` } };
    }
    const parsed = topics[topic].params.safeParse(params ?? {});
    if (!parsed.success) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: describeIssues(parsed.error, topic) } };
    }
    const start = subscriptions[topic as Topic] as (p: unknown, e: (ev: unknown) => void) => () => void;
    return { ok: true, stop: start(parsed.data, emit) };
  };
}
