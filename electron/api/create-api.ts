import { createServices, type ServiceDeps } from '../services';
import { createDispatch, createSubscribe } from './dispatch';
import { createHandlers, createSubscriptionHandlers } from './handlers';

/** Services wired to the validated entry points both transports use. */
export function createApi(deps: ServiceDeps, log?: (msg: string) => void) {
  const services = createServices({ log, ...deps });
  services.backupScheduler.start().catch((err: unknown) => log?.(`Backup schedules: ${String(err)}`));
  return {
    services,
    dispatch: createDispatch(createHandlers(services), log),
    subscribe: createSubscribe(createSubscriptionHandlers(services)),
  };
}
