/**
 * The live cluster-readiness scorecard of a deployed stack: reads the stack's objects once per
 * report, runs the checks (checks.ts) with what the stack says about itself (its signals and its
 * images' contracts, from the catalog) and scores them per category (score.ts). Fixes are values
 * patches deep-merged into the current revision's values and applied through plan and apply.
 */
import type { BackupStatus } from './backup-check';
import type { Revision } from '@shared/deploy-schemas';
import type { ReadinessReport } from '@shared/readiness-schemas';
import type { StackRef } from '../deploy/engine';
import { KubeRequestError, type KubeGateway } from '../kube/kube-gateway';
import { NAME_LABEL } from '../stacks/kubernetes';
import type { LeaderRead } from '../leaders/read-leader';
import type { StackSignals } from '../stacks/signals';
import type { KubeObject, StackCatalog, StackKnowledge } from '../stacks/types';
import { kubernetesChecks, podReady, type CheckInputs } from './checks';
import { readSnapshot, type Snapshot } from './live';
import { buildReport } from './score';

export interface PrometheusClient {
  query(promql: string): Promise<{ value: number; labels: Record<string, string> }[]>;
}

/** An HTTP GET to a Service through the API server's proxy, with request headers, answering the response headers. */
export type ServiceProxyGet = (
  ref: StackRef,
  service: string,
  path: string,
  headers: Record<string, string>,
) => Promise<{ status: number; headers: Record<string, string | undefined> }>;

export interface ReadinessDeps {
  openGateway(context: string): Promise<KubeGateway>;
  /** The stacks' signals and contracts, and what Homeport renders for a revision's values. */
  stacks: StackKnowledge & Pick<StackCatalog, 'renderKubernetes'>;
  revisions(ref: StackRef): Promise<Revision[]>;
  /** The context's Prometheus (set by the user or discovered); undefined when there is none. */
  prometheus?: (context: string) => Promise<PrometheusClient | undefined>;
  /** The stack's backups; undefined when Homeport knows of none. */
  backups?: (ref: StackRef) => Promise<BackupStatus | undefined>;
  /**
   * Requests through the service proxy with custom headers (for the request-ID round trip). Without
   * it, Homeport only finds out whether the API server has a service proxy for the primary component.
   */
  serviceProxy?: ServiceProxyGet;
  /** Reads the stack's leader table (running psql in its database's pod); without it the leader is unknown. */
  readLeader?: (ref: StackRef) => Promise<LeaderRead | undefined>;
  now?: () => Date;
}

const enc = encodeURIComponent;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function createReadiness(deps: ReadinessDeps) {
  const now = deps.now ?? (() => new Date());

  async function prometheusUp(ref: StackRef, snap: Snapshot, primary: string): Promise<CheckInputs['up']> {
    const prom = await deps.prometheus?.(ref.context).catch(() => undefined);
    if (!prom) return undefined;
    const pods = snap.pods.filter((p) => p.metadata.labels?.[NAME_LABEL] === primary && podReady(p));
    const podRe =
      pods.length > 0 ? pods.map((p) => escapeRegex(p.metadata.name)).join('|') : `${escapeRegex(primary)}-.*`;
    const query = `up{namespace="${ref.namespace}",pod=~"${podRe}"}`;
    try {
      return { query, samples: await prom.query(query) };
    } catch (err) {
      return { query, error: err instanceof Error ? err.message : String(err) };
    }
  }

  async function requestId(
    ref: StackRef,
    gateway: KubeGateway,
    signals: StackSignals,
  ): Promise<CheckInputs['requestId']> {
    const rid = signals.requestId;
    if (!rid) return undefined;
    const { path, header } = rid;
    const service = `${signals.primary}:${rid.port}`;
    const sent = `homeport-readiness-${now().getTime().toString(36)}`;
    if (deps.serviceProxy) {
      try {
        const res = await deps.serviceProxy(ref, service, path, { [header]: sent });
        const got = res.headers[header.toLowerCase()];
        return { echoed: got === sent, sent, got, status: res.status };
      } catch (err) {
        return { unavailable: `the service proxy request failed: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    // Without a proxy client that sends headers, find out at least whether the proxy exists.
    const proxy = `/api/v1/namespaces/${enc(ref.namespace)}/services/${service}/proxy${path}`;
    try {
      await gateway.getJson(proxy, { timeoutMs: 3000 });
    } catch (err) {
      if (err instanceof KubeRequestError && err.status !== undefined && err.status >= 300) {
        return {
          unavailable: `the API server has no service proxy for ${service} (HTTP ${err.status} for GET ${proxy})`,
        };
      }
      if (!(err instanceof KubeRequestError && err.status !== undefined)) {
        return { unavailable: `GET ${proxy} failed: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    return {
      unavailable: `the service proxy answers GET ${proxy}, but Homeport's Kubernetes gateway cannot send or read the ${header} header yet`,
    };
  }

  async function report(ref: StackRef): Promise<ReadinessReport> {
    const signals = deps.stacks.signals(ref.stack);
    const contracts = deps.stacks.contracts(ref.stack);
    const leases = signals.leader?.kind === 'lease' ? [signals.leader.lease] : [];
    const gateway = await deps.openGateway(ref.context);
    try {
      const [snap, revisions] = await Promise.all([
        readSnapshot(gateway, ref.namespace, ref.stack, leases),
        deps.revisions(ref).catch(() => [] as Revision[]),
      ]);
      const [up, backup, rid, tableLeader] = await Promise.all([
        prometheusUp(ref, snap, signals.primary),
        deps.backups?.(ref).catch(() => undefined),
        requestId(ref, gateway, signals),
        signals.leader?.kind === 'postgres-table' ? deps.readLeader?.(ref) : undefined,
      ]);
      const values = revisions.find((r) => r.current)?.values ?? revisions[0]?.values;
      const at = now();
      const checks = kubernetesChecks({
        snap,
        values,
        signals,
        contracts,
        rendered: renderedFor(ref, values),
        now: at,
        up,
        backup,
        requestId: rid,
        tableLeader,
      });
      return buildReport(ref.stack, `namespace ${ref.namespace} of context ${ref.context}`, at, checks);
    } finally {
      gateway.close();
    }
  }

  /** What Homeport renders for the revision's values; undefined without one, or when they no longer render. */
  function renderedFor(ref: StackRef, values: unknown): KubeObject[] | undefined {
    if (values === undefined) return undefined;
    try {
      return deps.stacks.renderKubernetes(ref.stack, values, { namespace: ref.namespace }).objects;
    } catch {
      return undefined;
    }
  }

  return { report };
}

export type Readiness = ReturnType<typeof createReadiness>;
