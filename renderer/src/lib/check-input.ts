/**
 * The form's check before a call leaves the page: the contract's own schema of the channel, so the
 * screen refuses exactly what the main process would refuse, with the same message, at once.
 */
import { channels, type Channel } from '@shared/contract';
import { describeForScreen } from '@shared/field-labels';

/** Why the main process would refuse this input, or undefined when it would take it. */
export function checkInput(channel: Channel, input: unknown): string | undefined {
  const parsed = channels[channel].input.safeParse(input ?? {});
  return parsed.success ? undefined : describeForScreen(parsed.error, channel);
}
