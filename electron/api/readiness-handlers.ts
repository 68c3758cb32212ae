import type { Handlers, SubscriptionHandlers } from '@shared/contract';
import type { ReadinessReport } from '@shared/readiness-schemas';
import { HomeportError } from '../core/errors';
import { userError } from '../core/kube/pod-service';
import { swarmError } from './swarm-handlers';
import type { Services } from '../services';

type ReadinessChannel = Extract<keyof Handlers, `readiness:${string}` | `metrics:${string}`>;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `patch` merged into `base`: objects key by key, anything else replaced. */
export function deepMerge(base: unknown, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = isPlainObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    out[key] = isPlainObject(value) ? deepMerge(out[key], value) : value;
  }
  return out;
}

export function createReadinessHandlers(services: Services): Pick<Handlers, ReadinessChannel> {
  const { metrics, readiness, deploy } = services;
  return {
    'readiness:report': (ref) =>
      guardedKube(`the readiness of '${ref.stack}'`, ref.context, () => readiness.report(ref)),
    'readiness:planFix': ({ check, ...ref }) =>
      guardedKube(`the fix for '${check}'`, ref.context, async () => {
        const report = await readiness.report(ref);
        const found = report.checks.find((c) => c.id === check);
        if (!found) throw new HomeportError('NOT_FOUND', `The scorecard of '${ref.stack}' has no check '${check}'`);
        if (!found.fix) {
          throw new HomeportError('CONFLICT', `'${found.title}' has no fix Homeport can apply now (${found.verdict})`);
        }
        const live = (await deploy.revisions(ref)).find((r) => r.current);
        if (!live) throw new HomeportError('NOT_FOUND', `'${ref.stack}' is not deployed in ${ref.namespace}`);
        const values = deepMerge(live.values, found.fix.values);
        const resolved = await services.resolveReferences(ref.stack, values);
        return { values, plan: await deploy.plan({ ...ref, values: resolved.values, provided: resolved.provided }) };
      }),
    'readiness:swarmReport': (ref) =>
      services.swarmReadiness(ref).catch((err: unknown) => {
        throw swarmError(err, `the readiness of '${ref.stack}'`, ref.endpoint);
      }),
    'metrics:getSettings': ({ context }) => metrics.settings.get(context),
    'metrics:setSettings': ({ context, ...input }) =>
      metrics.settings.set(context, { ...input, url: input.url === '' ? undefined : input.url }),
    'metrics:source': ({ context }) =>
      guardedKube(`the metrics of '${context}'`, context, () => metrics.source(context)),
    'metrics:dashboard': (input) =>
      guardedKube(`the dashboard of '${input.stack}'`, input.context, () => metrics.dashboard(input)),
  };
}

async function guardedKube<R>(what: string, context: string, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    throw userError(err, what, context);
  }
}

export function createReadinessSubscriptions(services: Services): Pick<SubscriptionHandlers, 'readiness:live'> {
  return {
    'readiness:live': (ref, emit) => {
      let last: ReadinessReport = {
        stack: ref.stack,
        target: `namespace ${ref.namespace} of context ${ref.context}`,
        generatedAt: new Date().toISOString(),
        score: null,
        categories: [],
        checks: [],
      };
      return services.readiness.watch(
        ref,
        (report) => {
          last = report;
          emit(report);
        },
        {
          onError: (err) =>
            emit({ ...last, error: userError(err, `the readiness of '${ref.stack}'`, ref.context).message }),
        },
      );
    },
  };
}
