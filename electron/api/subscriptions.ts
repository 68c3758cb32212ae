/**
 * Starting a subscription must not throw into the transport: a refusal at the start (an unknown
 * stack, a target that cannot be opened) is reported through the subscription's own error path.
 */
export function subscribeGuarded(onError: (err: unknown) => void, start: () => () => void): () => void {
  try {
    return start();
  } catch (err) {
    onError(err);
    return () => {};
  }
}
