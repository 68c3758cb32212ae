/** One-click fixes the Kubernetes and Swarm scorecards share: values patches built from the stack's signals. */
import type { ReadinessFix } from '@shared/readiness-schemas';
import type { StackSignals } from '../stacks/signals';

/** A nested values patch setting one dotted path ('web.replicas') to a value. */
function patchAt(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

function valueAt(values: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values);
}

/**
 * The values patch that runs the primary with at least two replicas, as fits the live values;
 * undefined when the stack does not say where its values set the count.
 */
export function replicasFix(values: unknown, signals: StackSignals): ReadinessFix | undefined {
  const policy = signals.replicas;
  if (policy.kind !== 'many' || !policy.scale) return undefined;
  const { replicas, autoscale } = policy.scale;
  const auto = autoscale ? (valueAt(values, autoscale) as { enabled?: boolean; max?: number } | undefined) : undefined;
  if (autoscale && auto?.enabled) {
    return {
      label: `Autoscale ${signals.primary} from 2 replicas`,
      values: patchAt(autoscale, { enabled: true, min: 2, max: Math.max(2, auto.max ?? 2) }),
    };
  }
  return { label: `Run 2 replicas of ${signals.primary}`, values: patchAt(replicas, 2) };
}
