import type { KubeGateway } from './kube-gateway';

/**
 * One gateway per context for callers that make several requests in a row (dashboards, readiness),
 * closed after it has been idle for `idleMs`, so credentials changed in the kubeconfig are picked
 * up soon and idle sockets do not linger.
 */
export function createGatewayCache(openGateway: (context: string) => Promise<KubeGateway>, idleMs = 60_000) {
  const entries = new Map<string, { gateway: Promise<KubeGateway>; timer?: NodeJS.Timeout }>();
  const arm = (context: string) => {
    const entry = entries.get(context);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entries.delete(context);
      void entry.gateway.then((g) => g.close()).catch(() => undefined);
    }, idleMs);
    entry.timer.unref?.();
  };
  return {
    get(context: string): Promise<KubeGateway> {
      let entry = entries.get(context);
      if (!entry) {
        const gateway = openGateway(context);
        entry = { gateway };
        entries.set(context, entry);
        // A failed open is not kept: the next call tries again.
        gateway.catch(() => entries.delete(context));
      }
      arm(context);
      return entry.gateway;
    },
    close() {
      for (const [context, entry] of entries) {
        clearTimeout(entry.timer);
        entries.delete(context);
        void entry.gateway.then((g) => g.close()).catch(() => undefined);
      }
    },
  };
}
