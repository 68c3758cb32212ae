import type { Handlers, SubscriptionHandlers } from '@shared/contract';
import type { ReadinessReport } from '@shared/readiness-schemas';
import { describeTarget } from '@shared/target-schemas';
import type { StackDeployments } from '../core/targets/stack-deployments';
import type { Services } from '../services';
import { guarded, userError } from './errors';
import { subscribeGuarded } from './subscriptions';

type ReadinessChannel = Extract<keyof Handlers, `readiness:${string}` | `metrics:${string}`>;

export interface ReadinessHandlerDeps {
  deployments: StackDeployments;
  metrics: Services['metrics'];
}

/** The readiness scorecard and its one-click fixes on any target, and the Metrics screen. */
export function createReadinessHandlers({
  deployments,
  metrics,
}: ReadinessHandlerDeps): Pick<Handlers, ReadinessChannel> {
  const context = (name: string) => ({ kind: 'context' as const, context: name });
  return {
    'readiness:report': (ref) =>
      guarded(`the readiness of '${ref.stack}'`, ref.target, () => deployments.readiness(ref)),
    'readiness:planFix': (input) =>
      guarded(`the fix for '${input.check}'`, input.target, () => deployments.planFix(input)),
    'metrics:getSettings': ({ context: name }) => metrics.settings.get(name),
    'metrics:setSettings': ({ context: name, ...input }) =>
      metrics.settings.set(name, { ...input, url: input.url === '' ? undefined : input.url }),
    'metrics:testSettings': ({ context: name, ...input }) => metrics.testSettings(name, input),
    'metrics:source': ({ context: name }) =>
      guarded(`the metrics of '${name}'`, context(name), () => metrics.source(name)),
    'metrics:dashboard': (input) =>
      guarded(`the dashboard of '${input.stack}'`, context(input.context), () => metrics.dashboard(input)),
  };
}

export function createReadinessSubscriptions({
  deployments,
}: Pick<ReadinessHandlerDeps, 'deployments'>): Pick<SubscriptionHandlers, 'readiness:live'> {
  return {
    'readiness:live': (ref, emit) => {
      let last: ReadinessReport = {
        stack: ref.stack,
        target: describeTarget(ref.target),
        generatedAt: new Date().toISOString(),
        score: null,
        categories: [],
        checks: [],
      };
      const fail = (err: unknown) =>
        emit({ ...last, error: userError(err, `the readiness of '${ref.stack}'`, ref.target).message });
      return subscribeGuarded(fail, () =>
        deployments.watchReadiness(
          ref,
          (report) => {
            last = report;
            emit(report);
          },
          fail,
        ),
      );
    },
  };
}
